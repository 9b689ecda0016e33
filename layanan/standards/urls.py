from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.service_list, name="services"),
    path("baru/", views.service_new, name="service_new"),
    path("daerah/", views.league, name="league"),
    path("daerah/ambang/", views.threshold, name="threshold"),
    path("<int:pk>/kembalikan/", views.return_for_revision, name="return_for_revision"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/ubah/", views.edit, name="edit"),
    path("<int:pk>/persyaratan/", views.requirements, name="requirements"),
    path("<int:pk>/prosedur/", views.steps, name="steps"),
    path("<int:pk>/dibahas/", views.mark_discussed, name="discussed"),
    path("<int:pk>/tetapkan/", views.enact, name="enact"),
    path("<int:pk>/publikasikan/", views.publish, name="publish"),
    path("<int:pk>/versi-baru/", views.new_version, name="new_version"),
    path("<int:pk>/berita-acara/", views.minutes, name="minutes"),
]
