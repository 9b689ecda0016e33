import os

from django.core.wsgi import get_wsgi_application

from layanan.core.runtime import DEFAULT_GC_THRESHOLD, tune_garbage_collector

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_insert.settings"
application = get_wsgi_application()
tune_garbage_collector(DEFAULT_GC_THRESHOLD)  # the floor runs as the application does (core/runtime.py)
