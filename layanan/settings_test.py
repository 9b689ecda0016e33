"""Settings of the test suite (pyproject.toml: DJANGO_SETTINGS_MODULE).

The project's settings in development mode: no SECRET_KEY or FIELD_ENCRYPTION_KEYS needed, plain
HTTP (the test client and the live server). Production refuses to start without those secrets
(tests/test_production_settings.py runs `manage.py check` with the real settings to show it).
"""

import os

os.environ["LAYANAN_DEV"] = "1"

from layanan.settings import *  # noqa: E402,F403
