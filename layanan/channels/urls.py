from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path("", views.home, name="home"),
    path("klasifikasi/", views.triage, name="triage"),
    path("klasifikasi/<int:pk>/", views.triage_item, name="triage_item"),
    path("telepon/", views.calls, name="calls"),
    path("telepon/<int:pk>/selesai/", views.call_done, name="call_done"),
    path("pemberitahuan/", views.notices, name="notices"),
]
