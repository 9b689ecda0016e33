"""/open311/v2/: Open311 GeoReport v2 (api/open311.py); every resource in .json and .xml."""

from django.urls import re_path

from . import open311

FMT = r"\.(?P<fmt>json|xml)$"
app_name = "open311"
urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.services, name="services"),
    re_path(
        r"^services/(?P<service_code>[A-Za-z0-9-]{1,40}:[A-Za-z0-9-]{1,100})" + FMT,
        open311.service_definition,
        name="service",
    ),
    re_path(r"^requests" + FMT, open311.requests_collection, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[A-Za-z0-9-]{1,60})" + FMT, open311.request_detail, name="request"
    ),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9._~-]{1,200})" + FMT, open311.token, name="token"),
]
