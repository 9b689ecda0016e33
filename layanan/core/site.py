"""The site's public address (links in receipts, QR codes, e-mails, password links).

`SITE_URL` when it is set (production should set it: layanan.W002). When it is not, the address
is taken from the request being served — the host and scheme the citizen or officer used, the same
the API builds its links from — so a receipt printed on https://layanan.example.go.id never says
127.0.0.1:8000. Outside a request (the worker, a management command) without SITE_URL it falls
back to the development address.
"""

from contextvars import ContextVar

from django.conf import settings

DEVELOPMENT_URL = "http://127.0.0.1:8000"
_current: ContextVar[str] = ContextVar("layanan_site_url", default="")


def site_url(request=None) -> str:
    """The public base address, without a trailing slash."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return _current.get() or DEVELOPMENT_URL


class CurrentSiteMiddleware:
    """Remember the request's own address while it is served (after CommonMiddleware has checked
    the host against ALLOWED_HOSTS), for links written during the request (outbox e-mails)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = None
        if not settings.SITE_URL:
            token = _current.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return self.get_response(request)
        finally:
            if token is not None:
                _current.reset(token)
