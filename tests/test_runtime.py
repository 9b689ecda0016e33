"""The server process's garbage collector (core/runtime.py): set once the application is loaded."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from layanan.core.runtime import DEFAULT_GC_THRESHOLD, gc_threshold


def test_unset_means_the_default_and_three_numbers_are_taken_as_given():
    assert gc_threshold("") == gc_threshold("  ") == DEFAULT_GC_THRESHOLD
    assert gc_threshold("20000,10,10") == (20000, 10, 10)


@pytest.mark.parametrize("value", ["10000", "10000,50", "10000,50,50,50", "a,b,c", "0,10,10", "-1,10,10",
                                   "10000;50;50"])
def test_a_malformed_threshold_is_refused_in_both_languages(value):
    with pytest.raises(ImproperlyConfigured, match="GC_THRESHOLD harus.*GC_THRESHOLD must"):
        gc_threshold(value)


@given(st.text(max_size=30))
def test_any_text_gives_three_positive_numbers_or_a_clear_refusal(value):
    try:
        parsed = gc_threshold(value)
    except ImproperlyConfigured:
        return
    assert len(parsed) == 3 and all(isinstance(n, int) and n > 0 for n in parsed)


def load_wsgi(env: dict) -> subprocess.CompletedProcess:
    """A fresh server process loading layanan.wsgi, as gunicorn does; it prints its collector."""
    code = ("import gc, layanan.wsgi; "
            "print(gc.get_threshold(), gc.get_freeze_count() > 10000)")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def server_env():
    return {**os.environ, "LAYANAN_DEV": "1", "DJANGO_SETTINGS_MODULE": "layanan.settings"}


def test_a_loaded_server_freezes_its_start_up_objects_and_takes_the_threshold(server_env):
    assert load_wsgi(server_env).stdout.strip() == "(10000, 50, 50) True"
    assert load_wsgi({**server_env, "GC_THRESHOLD": "20000,20,20"}).stdout.strip() == "(20000, 20, 20) True"


def test_a_server_with_a_malformed_threshold_does_not_start(server_env):
    refused = load_wsgi({**server_env, "GC_THRESHOLD": "banyak"})
    assert refused.returncode != 0 and refused.stdout == ""  # it never got as far as serving
    assert "GC_THRESHOLD harus tiga bilangan bulat positif" in refused.stderr
