"""Public read API: published standards as the standard interchange JSON."""

from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from layanan.portal.queries import published_standards_for_api
from layanan.standards.interchange import to_interchange

from .openapi import openapi_document


def _error(status: int, message: str, message_en: str) -> JsonResponse:
    return JsonResponse({"error": {"message": message, "message_en": message_en}}, status=status)


@require_GET
@cache_control(public=True, max_age=300)
def standards(request):
    code = request.GET.get("agency", "").strip()
    if code and (len(code) > 40 or not code.replace("-", "").isalnum()):
        return _error(400, "Kode instansi tidak sah.", "Invalid agency code.")
    base_url = request.build_absolute_uri("/").rstrip("/")
    services = [to_interchange(std, base_url=base_url) for std in published_standards_for_api(code)]
    if code and not services:
        from layanan.agencies.models import Agency

        if not Agency.objects.filter(code=code).exists():
            return _error(404, "Instansi tidak ditemukan.", "Agency not found.")
    return JsonResponse({"services": services}, json_dumps_params={"ensure_ascii": False})


@require_GET
def openapi(request):
    return JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False})
