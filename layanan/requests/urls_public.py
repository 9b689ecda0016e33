"""Citizen-facing request URLs: the web form per service and the tracking page."""

from django.urls import path  # noqa: F401

import layanan.core.converters  # noqa: F401  (registers <agency:…>)

app_name = "public_requests"
urlpatterns = []
