"""Mail servers on loopback for tests: a real SMTP server (aiosmtpd) that keeps what it
receives, and a black hole that accepts connections and never answers."""

import email
import socket
import threading
import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(settings):
    """Start an SMTP server on 127.0.0.1 and point Django's e-mail at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BlackHole:
    """A mail server that accepts TCP connections and never says a word (a hung SMTP server)."""

    def __init__(self, lifetime: float):
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._lifetime = lifetime
        self._thread = threading.Thread(target=self._serve, name="black-hole-smtp", daemon=True)

    def _serve(self):
        deadline = time.monotonic() + self._lifetime  # bounded: stops itself even if a test forgets
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                try:
                    conn, _ = self.listener.accept()
                except TimeoutError:
                    continue
                self._held.append(conn)  # keep it open, never answer
                self.accepted += 1
        finally:
            for conn in self._held:
                conn.close()
            self.listener.close()

    def start(self):
        self._thread.start()

    def stop(self):
        """Hang up on everyone: waiting clients fail at once, new ones are refused."""
        self._stop.set()
        self._thread.join()


@contextmanager
def black_hole_smtp(settings, timeout: int = 2, lifetime: float = 120):
    """Point Django's e-mail at a server that accepts and never answers; EMAIL_TIMEOUT=`timeout`."""
    hole = BlackHole(lifetime)
    hole.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", hole.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, timeout
    try:
        yield hole
    finally:
        hole.stop()
