"""Open data, public: /<AGENCY>/data-terbuka/ and its CSV files (mounted before the portal's
/<AGENCY>/<service>/, so a service can never be coded "data-terbuka")."""

from django.urls import path

import layanan.core.converters  # noqa: F401  (registers <agency:…>)

from . import views

app_name = "opendata"
urlpatterns = [
    path("<agency:code>/data-terbuka/", views.open_data, name="page"),
    path("<agency:code>/data-terbuka/<slug:name>.csv", views.open_data_csv, name="csv"),
]
