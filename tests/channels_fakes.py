"""A local server that speaks the WhatsApp Business Cloud API contract (the parts Layanan uses),
and helpers that build and sign webhook notifications as the platform does.

- `POST /{version}/{phone_number_id}/messages` (bearer token) → `{"messages": [{"id": "wamid…"}]}`;
  every payload is kept in `sent` for the test to read;
- `GET /{version}/{media_id}` (bearer token) → `{"url", "mime_type", "file_size", "id"}`;
- `GET /media/{media_id}` (bearer token) → the bytes.
A wrong or missing token is a 401 with a Graph-style error body.
"""

import io
import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

from layanan.channels.whatsapp import sign

TOKEN = "EAAG-test-access-token-0123456789"
APP_SECRET = "test-app-secret-9f8e7d6c5b4a"
VERIFY_TOKEN = "test-verify-token-abc"
PHONE_NUMBER_ID = "109876543210987"


class FakeGraph:
    def __init__(self):
        self.sent: list[dict] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.fail_next: list[tuple[int, dict]] = []
        self.lock = threading.Lock()
        self.counter = 0
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def add_media(self, media_id: str, data: bytes, mime: str):
        self.media[media_id] = (data, mime)

    def texts_to(self, wa_id: str) -> list[str]:
        with self.lock:
            return [p["text"]["body"] for p in self.sent if p.get("to") == wa_id and p.get("type") == "text"]

    def to(self, wa_id: str) -> list[dict]:
        with self.lock:
            return [p for p in self.sent if p.get("to") == wa_id]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self):
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._json(
                        401,
                        {
                            "error": {
                                "message": "Invalid OAuth access token.",
                                "type": "OAuthException",
                                "code": 190,
                            }
                        },
                    )
                    return False
                return True

            def do_POST(self):  # noqa: N802
                if not self._authorised():
                    return
                parts = self.path.strip("/").split("/")
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                if len(parts) != 3 or parts[2] != "messages" or parts[1] != PHONE_NUMBER_ID:
                    self._json(404, {"error": {"message": "Unknown path", "code": 100}})
                    return
                with fake.lock:
                    if fake.fail_next:
                        status, error = fake.fail_next.pop(0)
                        self._json(status, {"error": error})
                        return
                    fake.counter += 1
                    wamid = f"wamid.OUT{fake.counter:06d}"
                    payload["_wamid"] = wamid
                    fake.sent.append(payload)
                self._json(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
                        "messages": [{"id": wamid}],
                    },
                )

            def do_GET(self):  # noqa: N802
                if not self._authorised():
                    return
                parts = self.path.strip("/").split("/")
                if len(parts) == 2 and parts[0] == "media" and parts[1] in fake.media:
                    data, mime = fake.media[parts[1]]
                    self.send_response(200)
                    self.send_header("Content-Type", mime)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if len(parts) == 2 and parts[1] in fake.media:
                    data, mime = fake.media[parts[1]]
                    self._json(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "url": f"{fake.url}/media/{parts[1]}",
                            "mime_type": mime,
                            "sha256": "x",
                            "file_size": str(len(data)),
                            "id": parts[1],
                        },
                    )
                    return
                self._json(404, {"error": {"message": "Unsupported get request", "code": 100}})

        return Handler


@contextmanager
def fake_graph(settings):
    graph = FakeGraph()
    graph.start()
    settings.WHATSAPP_GRAPH_URL = graph.url
    settings.WHATSAPP_GRAPH_VERSION = "v21.0"
    settings.WHATSAPP_TIMEOUT = 5
    try:
        yield graph
    finally:
        graph.stop()


def connect(agency):
    """Give `agency` a WhatsApp number (as its admin would on /kelola/kanal/)."""
    from layanan.channels.models import WhatsAppAccount

    account, _ = WhatsAppAccount.objects.update_or_create(
        agency=agency,
        defaults={
            "phone_number_id": PHONE_NUMBER_ID,
            "waba_id": "555000111",
            "display_number": "+62 812 3866 945",
            "verify_token": VERIFY_TOKEN,
            "app_secret": APP_SECRET,
            "access_token": TOKEN,
            "active": True,
        },
    )
    return account


# ---------------------------------------------------------------- notifications as the platform sends them

_seq = [0]


def _next_id(prefix="IN") -> str:
    _seq[0] += 1
    return f"wamid.{prefix}{int(time.time() * 1000)}{_seq[0]:05d}"


def notification(*, messages=(), statuses=(), contacts=(), phone_number_id=PHONE_NUMBER_ID) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "628123866945", "phone_number_id": phone_number_id},
    }
    if contacts:
        value["contacts"] = list(contacts)
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "555000111", "changes": [{"value": value, "field": "messages"}]}],
        }
    ).encode()


def text_message(
    wa_id: str, text: str, *, name: str = "Warga Uji", context_id: str = "", message_id: str = ""
):
    message = {
        "from": wa_id,
        "id": message_id or _next_id(),
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    if context_id:
        message["context"] = {"from": "628123866945", "id": context_id}
    return notification(messages=[message], contacts=[{"profile": {"name": name}, "wa_id": wa_id}])


def media_message(
    wa_id: str,
    media_id: str,
    *,
    kind: str = "image",
    mime: str = "image/jpeg",
    caption: str = "",
    filename: str = "",
    name: str = "Warga Uji",
    message_id: str = "",
):
    media = {"id": media_id, "mime_type": mime, "sha256": "abc"}
    if caption:
        media["caption"] = caption
    if filename:
        media["filename"] = filename
    message = {
        "from": wa_id,
        "id": message_id or _next_id(),
        "timestamp": str(int(time.time())),
        "type": kind,
        kind: media,
    }
    return notification(messages=[message], contacts=[{"profile": {"name": name}, "wa_id": wa_id}])


def status_update(wamid: str, status: str, wa_id: str, *, reference: str = "", error_code: int = 0):
    item = {"id": wamid, "status": status, "timestamp": str(int(time.time())), "recipient_id": wa_id}
    if reference:
        item["biz_opaque_callback_data"] = reference
    if error_code:
        item["errors"] = [
            {
                "code": error_code,
                "title": "Message undeliverable",
                "error_data": {"details": "Message failed to send."},
            }
        ]
    return notification(statuses=[item])


def post(client, agency_code: str, body: bytes, *, secret: str = APP_SECRET, signature: str | None = None):
    headers = {}
    sig = signature if signature is not None else sign(secret, body)
    if sig:
        headers["HTTP_X_HUB_SIGNATURE_256"] = sig
    return client.post(
        f"/kanal/whatsapp/{agency_code}/", data=body, content_type="application/json", **headers
    )


def jpeg_bytes(size=(64, 48), color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes(text: str = "Surat keterangan") -> bytes:
    """A small real PDF (one page)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@contextmanager
def serve_site(workers: int = 16):
    """Layanan itself on a free port of 127.0.0.1 with a listen backlog of 512 (the platform opens many
    connections at once; Django's test server keeps only 10 waiting). Yields the base URL."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class Server(ThreadedWSGIServer):
        """At most `workers` requests at a time (each holds a database connection, as a gunicorn worker
        does); the others wait in the listen backlog, as they would in front of gunicorn."""

        request_queue_size = 512
        slots = threading.BoundedSemaphore(workers)

        def process_request(self, request, client_address):
            self.slots.acquire()
            super().process_request(request, client_address)

        def process_request_thread(self, request, client_address):
            try:
                super().process_request_thread(request, client_address)
            finally:
                self.slots.release()

    server = Server(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
