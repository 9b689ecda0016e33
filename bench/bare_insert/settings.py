"""Settings of the bare reference project: the same database URL and connection reuse as
Layanan's settings, the middleware a form POST needs (CSRF), nothing else."""

import os

import dj_database_url

DEBUG = False
SECRET_KEY = "bench-bare-insert-not-secret"  # noqa: S105 — a throwaway benchmark server
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1").split(",") if h.strip()]
ROOT_URLCONF = "bench.bare_insert.app"
INSTALLED_APPS = []
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
DATABASES = {
    "default": dj_database_url.config(
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")), conn_health_checks=True)
}
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING_CONFIG = None
