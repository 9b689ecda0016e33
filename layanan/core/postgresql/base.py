"""Django's PostgreSQL backend with a health check that costs no round trip when it need not.

With CONN_HEALTH_CHECKS Django asks a kept connection `SELECT 1` before its first use in every
request, so that a connection the server has closed since (a restart, pg_terminate_backend, an
idle timeout) is replaced instead of failing the request with a 500. That is one round trip to
PostgreSQL per request — on a web-form submission, one of the few left (issue 13).

A connection the server closed has something to read on its socket: the server's goodbye
(FATAL 57P01 "terminating connection due to administrator command") or the end of the stream.
An idle healthy connection has nothing. So `is_usable()` looks first, without waiting: nothing
to read on an idle connection → usable, no query; anything else → Django's `SELECT 1` decides, as
before. (A peer that vanished without a word — a cable pulled — is not seen by either before
TCP gives up; the proxy's and PostgreSQL's keepalives are what catch it, docs/operations.md.)

Selected by settings.py for every PostgreSQL DATABASE_URL: ENGINE "layanan.core.postgresql".
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            readable, _writable, _failed = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        if not readable and connection.info.transaction_status == pq.TransactionStatus.IDLE:
            return True
        return super().is_usable()
