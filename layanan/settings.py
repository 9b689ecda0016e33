"""Settings, all from the environment (see README "Configuration").

SQLite in WAL mode is the default so that `make run` works on a laptop with
nothing else installed; production sets DATABASE_URL to PostgreSQL.
"""

import base64
import hashlib
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LAYANAN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# Development mode: a laptop, the test suite, the benchmarks. `make` sets LAYANAN_DEV=1, the test
# settings (layanan/settings_test.py) too, and DEBUG=1 implies it. Only in development may the
# secrets below be missing; production (neither set) refuses to start without them.
DEV_MODE = DEBUG or env_bool("LAYANAN_DEV", False)


def require_secret(name: str, what: str, how: str) -> None:
    raise ImproperlyConfigured(
        f"{name} is not set (or is the development value): {what} Set it in the environment ({how}), "
        f"or set LAYANAN_DEV=1 on a development machine. / {name} belum diisi: Layanan tidak mau "
        f"berjalan di produksi tanpa variabel ini. Isi {name} di environment (lihat "
        f"docs/operations.md, \"Production settings\"), atau LAYANAN_DEV=1 di mesin pengembangan."
    )


DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105  (development only, refused below)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY or (SECRET_KEY == DEV_SECRET_KEY and not DEV_MODE):
    if not DEV_MODE:
        require_secret("SECRET_KEY", "sessions, CSRF and password-reset links are signed with it.",
                       "50+ random characters: "
                       "python -c 'import secrets; print(secrets.token_urlsafe(50))'")
    SECRET_KEY = DEV_SECRET_KEY

# The public address, for links in e-mails and receipts. Unset: taken from the request being served
# (layanan/core/site.py); production should set it (system check layanan.W002).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

# Fernet keys for personal data at rest, newest first (see core/crypto.py and docs/operations.md
# "Rotating the encryption key"). Never derived from SECRET_KEY in production, so that changing
# SECRET_KEY can never make the stored NIK, phone numbers and addresses unreadable.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in os.environ.get("FIELD_ENCRYPTION_KEYS", "").split(",")
                         if k.strip()]
if not FIELD_ENCRYPTION_KEYS:
    if not DEV_MODE:
        require_secret("FIELD_ENCRYPTION_KEYS", "NIK, phone numbers and addresses are encrypted with it.",
                       "comma-separated Fernet keys, newest first; "
                       "a new one: python -m layanan.core.crypto new-key")
    # The fixed development key (the one earlier development databases were written with).
    _dev_key = hashlib.sha256(b"layanan-field-key:" + DEV_SECRET_KEY.encode()).digest()
    FIELD_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(_dev_key).decode()]
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes). / "
            "FIELD_ENCRYPTION_KEYS berisi nilai yang bukan kunci Fernet."
        ) from None

# The key of the blind index (searching encrypted NIK/phone/e-mail, core.crypto.blind_index): 64 hex
# characters. Optional: derived from the oldest FIELD_ENCRYPTION_KEYS key when unset; pin it before
# that key is removed (rotate_keys prints the value).
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY", "").strip().lower()
if BLIND_INDEX_KEY and not re.fullmatch(r"[0-9a-f]{64}", BLIND_INDEX_KEY):
    raise ImproperlyConfigured("BLIND_INDEX_KEY must be 64 hexadecimal characters. / "
                               "BLIND_INDEX_KEY harus 64 karakter heksadesimal.")

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "layanan.core",
    "layanan.accounts",
    "layanan.agencies",
    "layanan.standards",
    "layanan.portal",
    "layanan.api",
    "layanan.demo",
    "layanan.importer",
    "layanan.requests",
    "layanan.privacy",
    "layanan.reports",  # dashboards, evaluation reports, compliance, open data
    "layanan.survey",
    "layanan.lapor",  # SP4N-LAPOR! reports, import, follow-up, LaporClient
    "ninja",  # django-ninja: the API's OpenAPI document and its docs page from the package's static files
    "layanan.channels",
    "huey.contrib.djhuey",
    "axes",  # login lockout (docs/operations.md "Logins")
    "csp",  # Content-Security-Policy header
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "layanan.core.formdata.FormDataMiddleware",  # small multipart forms without files: a faster parser
    "layanan.core.input_guard.InputGuardMiddleware",  # control characters → 400 (before any lookup)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "layanan.core.site.CurrentSiteMiddleware",  # the request's own address when SITE_URL is unset
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "layanan.core.middleware.StaffSessionMiddleware",  # idle timeout, 12 h cap, no-store for staff
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the 429 login page
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins (needs `request`)
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "layanan.urls"
WSGI_APPLICATION = "layanan.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "console:home"
LOGOUT_REDIRECT_URL = "portal:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "layanan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'layanan.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that sends `SELECT 1` only when the socket says the
    # server may have closed the connection (layanan/core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "layanan.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers and one writer work side by side; IMMEDIATE takes the
    # write lock at BEGIN so concurrent writers queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not shared-cache memory, so that tests with threads (concurrency,
    # the live server, a real worker) get SQLite's real locking and busy timeout.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")

# The garbage collector of a server process (layanan/core/runtime.py): "gen0,gen1,gen2" thresholds.
GC_THRESHOLD = os.environ.get("GC_THRESHOLD", "")
# One process only (no REDIS_URL on purpose): silences the warning that rate limits, login
# lockouts and the tracking failure counter need the shared cache (core/checks.py).
LAYANAN_SINGLE_PROCESS = env_bool("LAYANAN_SINGLE_PROCESS", False)
SILENCED_SYSTEM_CHECKS = [c.strip() for c in os.environ.get("SILENCED_SYSTEM_CHECKS", "").split(",")
                          if c.strip()]
if not REDIS_URL and (DEV_MODE or LAYANAN_SINGLE_PROCESS):
    # Local memory is right for one process; axes warns about it for a reason that does not apply.
    SILENCED_SYSTEM_CHECKS.append("axes.W001")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "layanan.core.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "email", "nip")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Logins (docs/operations.md "Logins"). django-axes counts failed logins in the cache — Redis in
# production, so every web worker sees the same counts: after LOGIN_FAILURE_LIMIT failures for an
# account, or from one address, logins are refused for LOGIN_COOLOFF_MINUTES (the login page says
# so, with status 429). Offices whose staff share one public address may set LOGIN_LOCKOUT_PER_IP=0
# (then per account, and per account and address).
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = (["username", "ip_address"] if env_bool("LOGIN_LOCKOUT_PER_IP", True)
                           else ["username", ["username", "ip_address"]])
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "layanan.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "layanan.accounts.views.client_ip"
AXES_VERBOSE = False

# Staff sessions end after STAFF_IDLE_MINUTES without a request, when the browser closes, and
# after SESSION_MAX_HOURS in any case (core/middleware.py).
STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", "30"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # one-time links sent by the agency admin

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# Uploaded files (minutes of discussion, logos) live outside the web root and
# are served through views that check permissions.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True

# HTTPS (docs/operations.md "Production settings"). Outside development the cookies are secure and
# plain HTTP is redirected unless the environment says otherwise; HSTS is switched on explicitly.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEV_MODE)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEV_MODE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_TLS_PROXY", False):
    # The proxy (nginx) terminates TLS and must set, never pass on, X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files, no
# inline script. The QR code is inline SVG markup; the favicon is `data:`.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Every record goes through one handler whose filter removes tracking secrets, reset tokens and
# ?token=-like values from request paths (core/logging.py; gunicorn: deploy/gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "layanan.core.logging.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own request and server loggers, through the redacting handler only.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"},
        # django-axes logs every login at INFO (with the names masked); lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}

# E-mail: SMTP in production (EMAIL_HOST…); the console in development.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Layanan <no-reply@layanan.local>")

# Background work (DESIGN §3): Huey with SQLite storage by default, Redis when
# REDIS_URL is set. HUEY_IMMEDIATE=1 runs tasks inline (tests, single-process dev).
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "layanan", "url": REDIS_URL,
            "immediate": HUEY_IMMEDIATE}
else:
    HUEY = {"huey_class": "huey.SqliteHuey", "name": "layanan",
            "filename": str(VAR_DIR / "huey.sqlite3"), "immediate": HUEY_IMMEDIATE}
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Rate limits (tracking lookup) count per client IP. Behind a reverse proxy set
# RATELIMIT_IP_META_KEY=HTTP_X_FORWARDED_FOR (django-ratelimit reads that header).
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None

# A resolved or closed request may be reopened within this many days.
REQUEST_REOPEN_DAYS = int(os.environ.get("REQUEST_REOPEN_DAYS", "14"))

# WhatsApp Business Cloud API (layanan/channels; docs/channels.md). Per-agency numbers and tokens are
# stored encrypted in the database (/kelola/kanal/); these only say where the Graph API is.
WHATSAPP_GRAPH_URL = os.environ.get("WHATSAPP_GRAPH_URL", "https://graph.facebook.com").rstrip("/")
WHATSAPP_GRAPH_VERSION = os.environ.get("WHATSAPP_GRAPH_VERSION", "v21.0")
WHATSAPP_TIMEOUT = int(os.environ.get("WHATSAPP_TIMEOUT", "10"))
