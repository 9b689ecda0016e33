"""Citizen-facing request URLs: the web form per service and the tracking page."""

from django.urls import path

import layanan.core.converters  # noqa: F401  (registers <agency:…>)

from . import views_public

app_name = "public_requests"
urlpatterns = [
    path("<agency:code>/<slug:service_code>/ajukan/", views_public.apply, name="apply"),
    path("lacak/", views_public.lookup, name="lookup"),
    path("lacak/<str:code>/<str:secret>/", views_public.track, name="track"),
    path("lacak/<str:code>/<str:secret>/tanda-terima/", views_public.receipt_page, name="receipt"),
    path("lacak/<str:code>/<str:secret>/lengkapi/", views_public.supply, name="supply"),
    path("lacak/<str:code>/<str:secret>/cabut/", views_public.withdraw, name="withdraw"),
    path("lacak/<str:code>/<str:secret>/keberatan/", views_public.objection, name="objection"),
    path("lacak/<str:code>/<str:secret>/berkas/<int:pk>/", views_public.product_file, name="product_file"),
]
