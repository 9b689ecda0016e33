"""/api/v1/: the django-ninja API (api/api.py)."""

from .api import api

app_name = "api"
urlpatterns = api.urls[0]
