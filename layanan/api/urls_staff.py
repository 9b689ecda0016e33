from django.urls import path

from . import views_staff

app_name = "api_staff"
urlpatterns = [
    path("", views_staff.index, name="index"),
    path("<int:pk>/cabut/", views_staff.revoke, name="revoke"),
    path("layanan/", views_staff.service_options, name="service_options"),
]
