from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("akun/", include("layanan.accounts.urls")),
    path("kelola/", include("layanan.core.urls")),
    path("kelola/instansi/", include("layanan.agencies.urls")),
    path("kelola/standar/", include("layanan.standards.urls")),
    path("kelola/impor/", include("layanan.importer.urls")),
    path("kelola/privasi/", include("layanan.privacy.urls")),
    path("kelola/laporan/", include("layanan.reports.urls")),
    path("kelola/kanal/", include("layanan.channels.urls")),
    path("kelola/survei/", include("layanan.survey.urls")),
    path("kelola/", include("layanan.requests.urls_desk")),
    path("api/v1/", include("layanan.api.urls")),
    path("open311/v2/", include("layanan.api.urls_open311")),
    path("kelola/api/", include("layanan.api.urls_staff")),
    path("kelola/lapor/", include("layanan.lapor.urls")),
    path("kanal/", include("layanan.channels.urls_public")),  # WhatsApp webhook (signed)
    path("", include("layanan.survey.urls_public")),  # before the portal: /<AGENCY>/ikm/
    path("", include("layanan.reports.urls_public")),  # before the portal: /<AGENCY>/data-terbuka/
    path("", include("layanan.requests.urls_public")),
    path("", include("layanan.portal.urls")),
]
