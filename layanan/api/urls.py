from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("standards", views.standards, name="standards"),
    path("openapi.json", views.openapi, name="openapi"),
]
