"""Public URLs of the survey: the agency's IKM page, the link after delivery, the kiosk."""

from django.urls import path

import layanan.core.converters  # noqa: F401  (registers <agency:…>)

from . import views_public

app_name = "survey_public"
urlpatterns = [
    path("<agency:code>/ikm/", views_public.ikm_page, name="ikm"),
    path("survei/<str:token>/", views_public.respond, name="respond"),
    path("kiosk/<str:token>/", views_public.kiosk, name="kiosk"),
    path("kiosk/<str:token>/terima-kasih/", views_public.kiosk_thanks, name="kiosk_thanks"),
]
