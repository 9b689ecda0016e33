from django.urls import path, register_converter

from . import views


class AgencyCodeConverter:
    """Agency codes are upper case (DINSOS-SEKADAU), so they never clash with
    the lower-case prefixes of the rest of the site (/api/, /kelola/…)."""

    regex = "[A-Z0-9][A-Z0-9-]*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AgencyCodeConverter, "agency")

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("daerah/<slug:slug>/", views.region, name="region"),
    path("<agency:code>/", views.agency, name="agency"),
    path("<agency:code>/<slug:service_code>/", views.service, name="service"),
    path("<agency:code>/<slug:service_code>/alur.svg", views.flowchart, name="flowchart"),
    path("<agency:code>/<slug:service_code>/standar.pdf", views.standard_pdf, name="pdf"),
]
