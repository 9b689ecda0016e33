from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.home, name="home"),
    path("subjek/", views.subjects, name="subjects"),
    path("subjek/<int:pk>/", views.subject_detail, name="subject"),
    path("subjek/<int:pk>/data/", views.subject_export, name="subject_export"),
    path("subjek/<int:pk>/hapus/", views.subject_erase, name="subject_erase"),
    path("akses-identitas/", views.identity_log, name="identity_log"),
]
