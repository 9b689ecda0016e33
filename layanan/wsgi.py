import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from layanan.core.runtime import gc_threshold, tune_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layanan.settings")
application = get_wsgi_application()
tune_garbage_collector(gc_threshold(settings.GC_THRESHOLD))  # loaded: see core/runtime.py
