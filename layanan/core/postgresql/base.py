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

`binding_cursor()` is a Django cursor (wrappers, debug log, error translation as any) whose
parameters psycopg sends beside the statement (server-side binding) instead of quoting them into
its text in Python: core/rows.py writes the submission's wide rows with it. Nothing is prepared
(Django's prepare_threshold stays None), so it works behind PgBouncer in transaction mode like
every other statement. The rest of the project keeps Django's client-side binding.

Selected by settings.py for every PostgreSQL DATABASE_URL: ENGINE "layanan.core.postgresql".
"""

import select

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.utils.asyncio import async_unsafe
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

    @async_unsafe
    def binding_cursor(self):
        """A cursor with server-side binding (see the module); otherwise as `cursor()`."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = base.ServerBindingCursor(self.connection)
            # As create_cursor(): the cursor reads timestamps in the connection's time zone.
            tzloader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, pq.Format.TEXT)
            if self.timezone != tzloader.timezone:
                register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)
