from django.urls import path

from . import views

app_name = "agencies"
urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("unit/", views.units, name="units"),
    path("unit/baru/", views.unit_edit, name="unit_new"),
    path("unit/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("unit/<int:pk>/hapus/", views.unit_delete, name="unit_delete"),
    path("pegawai/", views.staff, name="staff"),
    path("pegawai/baru/", views.staff_new, name="staff_new"),
    path("pegawai/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("pegawai/<int:pk>/jabatan/", views.position_add, name="position_add"),
    path("pegawai/<int:pk>/sandi/", views.staff_password, name="staff_password"),
    path("jabatan/<int:pk>/hapus/", views.position_delete, name="position_delete"),
    path("kalender/", views.calendar, name="calendar"),
    path("kalender/isi/", views.calendar_seed, name="calendar_seed"),
    path("kalender/baru/", views.holiday_edit, name="holiday_new"),
    path("kalender/<int:pk>/", views.holiday_edit, name="holiday_edit"),
    path("kalender/<int:pk>/hapus/", views.holiday_delete, name="holiday_delete"),
]
