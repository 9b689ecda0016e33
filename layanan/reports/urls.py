from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.agency_dashboard, name="dashboard"),
    path("daerah/", views.region_dashboard, name="region"),
    path("kepatuhan/", views.compliance_table, name="compliance"),
    path("kepatuhan/ambang/", views.thresholds, name="thresholds"),
    path("evaluasi/", views.report_list, name="reports"),
    path("evaluasi/unduh/", views.report_for_filters, name="download"),
    path("evaluasi/<int:pk>/", views.report_detail, name="report"),
    path("evaluasi/<int:pk>/<str:fmt>/", views.report_file, name="file"),
]
