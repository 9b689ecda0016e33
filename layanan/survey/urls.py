"""Staff URLs of the survey, under /kelola/survei/."""

from django.urls import path

from . import views

app_name = "survey"
urlpatterns = [
    path("", views.home, name="home"),
    path("unit/<int:pk>/", views.unit_detail, name="unit"),
    path("tindak-lanjut/", views.follow_up_add, name="follow_up_add"),
    path("tindak-lanjut/<int:pk>/", views.follow_up_edit, name="follow_up"),
    path("saran/", views.suggestions, name="suggestions"),
    path("laporan/", views.report_list, name="reports"),
    path("laporan/<int:pk>/unduh/", views.report_download, name="report_download"),
    path("kios/", views.kiosk_start, name="kiosk"),
    path("kios/<int:pk>/hentikan/", views.kiosk_end, name="kiosk_end"),
    path("kertas/", views.paper_print, name="paper"),
    path("entri/", views.paper_entry, name="entry"),
    path("pengaturan/", views.settings_page, name="settings"),
    path("daerah/", views.region, name="region"),
]
