"""Staff URLs for requests: the counter, the inbox, the request page."""

from django.urls import path  # noqa: F401

app_name = "desk"
urlpatterns = []
