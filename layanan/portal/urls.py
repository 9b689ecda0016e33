from django.urls import path

import layanan.core.converters  # noqa: F401  (registers <agency:…>)

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("daerah/<slug:slug>/", views.region, name="region"),
    path("<agency:code>/", views.agency, name="agency"),
    path("<agency:code>/<slug:service_code>/", views.service, name="service"),
    path("<agency:code>/<slug:service_code>/alur.svg", views.flowchart, name="flowchart"),
    path("<agency:code>/<slug:service_code>/standar.pdf", views.standard_pdf, name="pdf"),
]
