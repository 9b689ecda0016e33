"""gunicorn settings for Layanan (docs/operations.md "Web workers").

    gunicorn -c deploy/gunicorn.conf.py layanan.wsgi:application

The access log goes through layanan.core.logging.RedactingGunicornLogger: the tracking secret in
/lacak/<code>/<secret>/…, the token of a password link and ?token=-like query values are written
as [redacted]. Environment variables override the defaults below (GUNICORN_BIND, WEB_CONCURRENCY).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
max_requests = 2000
max_requests_jitter = 200
timeout = 30
# Only our own proxy talks to gunicorn; it sets X-Forwarded-Proto (settings: BEHIND_TLS_PROXY=1).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
logger_class = "layanan.core.logging.RedactingGunicornLogger"
# The combined format plus the duration; the Referer is redacted like the request line.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
