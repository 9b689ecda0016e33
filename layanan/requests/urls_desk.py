"""Staff URLs for requests: the counter, the inbox, the request page."""

from django.urls import path  # noqa: F401

app_name = "desk"
urlpatterns = []

# ---- desk: inbox, request page, actions, attachments, printable sheets (views_desk) ----
from . import views_desk  # noqa: E402

urlpatterns += [
    path("permohonan/", views_desk.inbox, name="inbox"),
    path("permohonan/ekspor.xlsx", views_desk.inbox_export, name="inbox_export"),
    path("permohonan/<int:pk>/", views_desk.request_detail, name="request"),
    path("permohonan/<int:pk>/tindakan/<slug:action>/", views_desk.act, name="act"),
    path("permohonan/<int:pk>/berkas/<int:attachment_pk>/", views_desk.attachment, name="attachment"),
    path("permohonan/<int:pk>/lembar-disposisi/", views_desk.disposition_sheet, name="disposition_sheet"),
    path("permohonan/<int:pk>/lembar-konsultasi/", views_desk.consultation_sheet,
         name="consultation_sheet"),
    path("permohonan/<int:pk>/kompensasi/selesai/", views_desk.compensation_done,
         name="compensation_done"),
]
# ---- end desk ----

# ---- counter (loket): buku tamu, checklist, registration, receipt (views_counter) ----
from . import views_counter  # noqa: E402

urlpatterns += [
    path("loket/", views_counter.counter, name="counter"),
    path("loket/buku-tamu/", views_counter.guestbook, name="guestbook"),
    path("loket/tamu/<int:pk>/keluar/", views_counter.guest_out, name="guest_out"),
    path("loket/tanda-terima/<int:pk>/", views_counter.counter_receipt, name="counter_receipt"),
]
# ---- end counter ----
