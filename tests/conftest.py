"""Shared fixtures. The five seed agencies are the test data (SEEDS.md)."""

import pytest
from django.test import Client

from layanan.accounts.models import User
from layanan.agencies.models import Agency
from layanan.demo.loader import load_all


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_all()


@pytest.fixture
def demo(db):
    """The five seed agencies, loaded (again) if a transactional test flushed them."""
    if not Agency.objects.exists():
        load_all()
    return {a.code: a for a in Agency.objects.all()}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # MD5 for speed; PBKDF2 too, so the demo accounts hashed at session start still log in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def client_for(demo):
    """client_for("dinsos.admin") → a logged-in test client."""
    return login


@pytest.fixture(autouse=True)
def tasks_run_inline():
    """Background tasks run inline in tests, except where a test starts a real worker."""
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = previous


@pytest.fixture
def seeded(transactional_db, demo, settings, tmp_path):
    """The seed agencies in a transactional test (live server, threads, a worker);
    uploads go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return demo


@pytest.fixture(autouse=True)
def fresh_cache():
    """The cache (agency calendars, rate limits) is not rolled back with a test's data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
