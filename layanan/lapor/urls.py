from django.urls import path

from . import views

app_name = "lapor"
urlpatterns = [
    path("", views.index, name="index"),
    path("impor/", views.import_file, name="import"),
    path("<int:pk>/", views.report, name="report"),
]
