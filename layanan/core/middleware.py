"""Staff sessions: idle timeout, a hard cap, and pages that no cache keeps.

Only staff log in (citizens track with a code), so "authenticated" means staff here.

- After settings.STAFF_IDLE_MINUTES without a request the session ends; the next page (the login
  page, for a staff screen) says "Sesi Anda berakhir karena tidak aktif".
- After settings.SESSION_MAX_HOURS since the login it ends whatever the activity.
- Every response to a logged-in user, and every page under /kelola/, /akun/ and /admin/, is sent
  with `Cache-Control: no-store, private`: those pages show NIK, phone numbers and addresses, and
  neither a shared proxy nor the browser's back button may keep them.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

LAST_SEEN = "layanan_last_seen"
LOGGED_IN_AT = "layanan_logged_in_at"
# Write the "last seen" time at most once a minute, not on every request.
TOUCH_EVERY = 60
STAFF_PREFIXES = ("/kelola/", "/akun/", "/admin/")


def now() -> float:
    """The clock (seconds); tests replace it instead of sleeping."""
    return time.time()


@receiver(user_logged_in)
def _stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        moment = now()
        request.session[LOGGED_IN_AT] = moment
        request.session[LAST_SEEN] = moment


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        staff_user = request.user.is_authenticated
        if staff_user:
            staff_user = self._keep_or_end(request)
        response = self.get_response(request)
        if staff_user or request.user.is_authenticated or request.path.startswith(STAFF_PREFIXES):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response

    def _keep_or_end(self, request) -> bool:
        """Ends an idle or too old session (returns False); otherwise notes the activity."""
        session = request.session
        moment = now()
        last_seen = session.get(LAST_SEEN)
        logged_in_at = session.get(LOGGED_IN_AT)
        if last_seen is None or logged_in_at is None:  # a session from before this middleware
            session[LAST_SEEN] = session[LOGGED_IN_AT] = moment
            return True
        idle = moment - last_seen > settings.STAFF_IDLE_MINUTES * 60
        too_old = moment - logged_in_at > settings.SESSION_MAX_HOURS * 3600
        if idle or too_old:
            logout(request)
            messages.warning(request, _("Sesi Anda berakhir karena tidak aktif. Silakan masuk lagi.")
                             if idle else _("Sesi Anda berakhir (batas waktu masuk). Silakan masuk lagi."))
            return False
        if moment - last_seen >= TOUCH_EVERY:
            session[LAST_SEEN] = moment
        return True
