"""Who is calling: an API key of one agency (header X-Api-Key), a staff session (browser, with
CSRF), or nobody (the public endpoints). Every key call is rate-limited per key in the shared
cache (django-ratelimit); public calls per address.

The caller's rights come from requests.access: a key is an `ApiKeyActor` with a scope; a desk
key acts as its named staff user, a staff session as the signed-in user.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited
from ninja.security import APIKeyHeader, SessionAuth

from layanan.accounts.roles import DESK_ROLES
from layanan.requests import access

from .models import ApiKey

KEY_HEADER = "X-Api-Key"
DEFAULT_KEY_RATE = "600/m"
DEFAULT_PUBLIC_RATE = "60/m"
DEFAULT_PUBLIC_CREATE_RATE = "30/h"


class ApiError(Exception):
    """An answer other than success: status, Indonesian and English message, optional field errors."""

    def __init__(
        self, status: int, message, message_en: str, *, code: str = "invalid", fields=None, headers=None
    ):
        super().__init__(str(message_en))
        self.status, self.message, self.message_en = status, message, message_en
        self.code, self.fields, self.headers = code, fields, headers or {}


def not_found():
    return ApiError(404, _("Tidak ditemukan."), "Not found.", code="not_found")


def forbidden_scope():
    return ApiError(
        403,
        _("Kunci API ini tidak berhak untuk tindakan ini."),
        "This API key's scope does not allow this call.",
        code="scope",
    )


def rate_limited():
    return ApiError(
        429,
        _("Terlalu banyak permintaan. Coba lagi sebentar lagi."),
        "Too many requests. Try again shortly.",
        code="rate_limited",
        headers={"Retry-After": "60"},
    )


@dataclass
class Caller:
    """The authenticated party of one API call."""

    kind: str  # "key", "session" or "public"
    actor: access.ApiKeyActor | None = None
    key: ApiKey | None = None
    user: object = None  # the staff user desk calls act as

    @classmethod
    def for_key(cls, key: ApiKey) -> Caller:
        """The caller of a found, active key (the X-Api-Key header or Open311's api_key)."""
        actor = access.ApiKeyActor(
            key_id=key.pk, agency_id=key.agency_id, scope=key.scope, staff_user_id=key.staff_user_id
        )
        return cls(kind="key", actor=actor, key=key, user=key.staff_user if key.scope == "desk" else None)

    @property
    def agency_id(self):
        if self.actor is not None:
            return self.actor.agency_id
        return getattr(self.user, "agency_id", None)

    def may(self, scope: str) -> bool:
        if self.kind == "session":
            return self.user is not None  # desk staff (checked at authentication) may do everything
        if self.actor is None:
            return False
        return access.api_key_may(self.actor, scope)

    def desk_user(self):
        """The staff user desk actions run as, or None (then the call is refused)."""
        if self.kind == "session":
            return self.user
        if self.actor is None:
            return None
        return access.api_key_staff(self.actor, self.key.staff_user if self.key else None)

    @property
    def scope_label(self) -> str:
        return self.key.prefix if self.key else ("session" if self.kind == "session" else "public")


def _rate(name: str, default: str) -> str:
    return getattr(settings, name, default)


def limit_public(request, *, group: str = "api-public", rate: str | None = None) -> None:
    """Public calls: per client address (RATELIMIT_IP_META_KEY behind a proxy); a request without a
    readable address shares one bucket instead of failing."""
    rate = rate or _rate("API_PUBLIC_RATE", DEFAULT_PUBLIC_RATE)
    try:
        limited = is_ratelimited(request, group=group, key="ip", rate=rate, method=ALL, increment=True)
    except (KeyError, ValueError, ImproperlyConfigured):
        limited = is_ratelimited(request, group=group, key=lambda _g, _r: "unknown", rate=rate, method=ALL,
                                 increment=True)
    if limited:
        raise rate_limited()


class KeyAuth(APIKeyHeader):
    """X-Api-Key: lyn_… — an active key of one agency."""

    param_name = KEY_HEADER

    def authenticate(self, request, key):
        found = ApiKey.find(key or "")
        if found is None:
            return None
        if is_ratelimited(
            request,
            group="api-key",
            key=lambda _g, _r: f"key:{found.pk}",
            rate=_rate("API_KEY_RATE", DEFAULT_KEY_RATE),
            method=ALL,
            increment=True,
        ):
            raise rate_limited()
        found.touch()
        return Caller.for_key(found)


class DeskSession(SessionAuth):
    """A signed-in desk staff member in the browser; ninja checks the CSRF token."""

    def authenticate(self, request, key):
        user = request.user
        if not (
            user.is_authenticated and user.is_active and user.agency_id and access.roles_of(user) & DESK_ROLES
        ):
            return None
        return Caller(kind="session", user=user)


class Public:
    """No key: allowed on the public endpoints. A key that is sent but wrong is refused (401)."""

    def __call__(self, request):
        if request.META.get("HTTP_X_API_KEY"):
            return None
        return Caller(kind="public")


KEY = KeyAuth()
SESSION = DeskSession()
PUBLIC = Public()
