from functools import wraps

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import register_converter


class AgencyCodeConverter:
    """Agency codes are upper case (DINSOS-SEKADAU). A code typed in lower case
    (/dinsos-sekadau/) matches too and is sent to the upper-case address by
    `canonical_agency_code` (301), so links people type or share still work. The
    rest of the site's lower-case prefixes (/api/, /kelola/, /lacak/…) come first
    in the URL configuration."""

    regex = "[A-Za-z0-9][A-Za-z0-9-]*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AgencyCodeConverter, "agency")
MAX_CODE = 40  # Agency.code's max_length


def canonical_agency_code(view):
    """301 from /dinsos-sekadau/… to /DINSOS-SEKADAU/… (the view's `code` argument)."""

    @wraps(view)
    def wrapped(request, code, *args, **kwargs):
        upper = code.upper()
        prefix = f"/{code}/"
        if code != upper:
            from layanan.agencies.models import Agency

            # Only to an agency that exists (a hostile 10 kB segment is a 404, not a redirect).
            if len(code) > MAX_CODE or not request.path.startswith(prefix) \
                    or not Agency.objects.filter(code=upper).exists():
                raise Http404
            target = f"/{upper}/" + request.path[len(prefix):]
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(target + (f"?{query}" if query else ""))
        return view(request, code, *args, **kwargs)

    return wrapped
