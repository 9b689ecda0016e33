"""core/formdata.py: a small multipart form without files reads exactly as Django's parser reads it;
everything else is left to Django's parser.

The fast path serves every POST of the site (the citizen's form above all), so it is compared with
Django's own `MultiPartParser` on generated forms, and the shapes it must not take are listed."""

import io

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from layanan.core import formdata

BOUNDARY = "----LayananBoundary7MA4YWxkTrZu0gW"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def body_of(parts) -> bytes:
    """parts: [(headers bytes, value bytes)] → a multipart body as a browser writes it."""
    out = b""
    for headers, value in parts:
        out += b"--" + BOUNDARY.encode() + b"\r\n" + headers + b"\r\n\r\n" + value + b"\r\n"
    return out + b"--" + BOUNDARY.encode() + b"--\r\n"


def field(name: str, value: bytes):
    return (f'Content-Disposition: form-data; name="{name}"'.encode(), value)


def empty_file_input(name: str):
    return (f'Content-Disposition: form-data; name="{name}"; filename=""\r\n'
            "Content-Type: application/octet-stream".encode(), b"")


def request_with(body: bytes, content_type: str = CONTENT_TYPE):
    return RequestFactory().generic("POST", "/", data=body, content_type=content_type)


def django_reads(body: bytes, content_type: str = CONTENT_TYPE):
    meta = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body))}
    handlers = [MemoryFileUploadHandler(), TemporaryFileUploadHandler()]
    post, files = MultiPartParser(meta, io.BytesIO(body), handlers, "utf-8").parse()
    return post, files


NAMES = st.from_regex(r"[A-Za-z0-9_.\-\[\]]{1,30}", fullmatch=True)
VALUES = st.one_of(
    st.text(max_size=200).map(lambda text: text.encode("utf-8")),
    st.binary(max_size=200),  # not UTF-8: replaced as Django replaces it
    st.sampled_from([b"", b"\r\n", b"--", b"--" + BOUNDARY.encode()[:-1], b"a\r\n\r\nb", b"\x00"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(NAMES, VALUES, st.booleans()), max_size=25))
def test_a_small_form_without_files_reads_as_django_reads_it(parts):
    body = body_of([empty_file_input(name) if empty else field(name, value) for name, value, empty in parts])
    ours = formdata.parse_small_form(request_with(body))
    theirs, files = django_reads(body)
    assert ours is not None
    assert list(ours.lists()) == list(theirs.lists())
    assert not files and not ours._mutable


@pytest.mark.parametrize("parts", [
    # a file: Django's parser stores it with its upload handlers
    [field("nama", b"Sari"), (b'Content-Disposition: form-data; name="doc"; filename="ktp.pdf"\r\n'
                               b"Content-Type: application/pdf", b"%PDF-1.4")],
    # a transfer encoding, a charset, an extra header
    [(b'Content-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64', b"U2FyaQ==")],
    [(b'Content-Disposition: form-data; name="a"\r\nContent-Type: text/plain; charset=iso-8859-1', b"\xe9")],
    # a name Django and the library might read differently: quoted, encoded, spaced, empty
    [(b'Content-Disposition: form-data; name="a\\"b"', b"x")],
    [(b"Content-Disposition: form-data; name*=utf-8''%C3%A9", b"x")],
    [(b'Content-Disposition: form-data; name=" a "', b"x")],
    [(b'Content-Disposition: form-data; name=""', b"x")],
    [(b'Content-Disposition: attachment; name="a"', b"x")],
    # an "empty" file input that is not empty
    [(b'Content-Disposition: form-data; name="doc"; filename=""', b"data")],
])
def test_anything_but_plain_fields_is_left_to_django_s_parser(parts):
    assert formdata.parse_small_form(request_with(body_of(parts))) is None


@pytest.mark.parametrize("body", [
    b"",
    b"not multipart at all",
    body_of([field("a", b"1")])[:-10],  # cut short
    body_of([field("a", b"1")]).replace(b"\r\n", b"\n"),
])
def test_a_malformed_body_is_left_to_django_s_parser(body):
    assert formdata.parse_small_form(request_with(body)) is None


def test_a_preamble_and_an_epilogue_read_as_django_reads_them():
    body = b"preamble\r\n" + body_of([field("a", b"1")]) + b"epilogue"
    ours = formdata.parse_small_form(request_with(body))  # both parsers skip what lies outside
    assert ours is not None and list(ours.lists()) == list(django_reads(body)[0].lists())


def test_limits_are_django_s_own(settings):
    """Past a limit the fast path steps aside, and Django's parser answers as it always did."""
    body = body_of([field(f"f{i}", b"x") for i in range(5)])
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 4
    assert formdata.parse_small_form(request_with(body)) is None
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body) - 1  # not even read: Django's parser decides
    assert formdata.parse_small_form(request_with(body)) is None
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2621440
    assert formdata.parse_small_form(request_with(body)) is not None
    big = body_of([field("a", b"x" * (formdata.SMALL_BODY + 1))])
    assert formdata.parse_small_form(request_with(big)) is None  # larger bodies carry files
    other = body_of([field("a", b"1")])
    assert formdata.parse_small_form(request_with(other, "multipart/form-data; boundary=\"\"")) is None


def test_the_citizen_s_form_is_read_by_the_fast_path_and_registers_the_request(demo, client, monkeypatch):
    """Through the real site: the middleware fills request.POST before CSRF and the input guard
    read it, and the complaint is registered as before."""
    from django.urls import reverse

    from layanan.requests.models import Request

    from .test_intake_rush import bangli, complaint, fetch_form, form_url

    svc = bangli()
    # A complaint without attachments (its documents are optional): plain fields only.
    data = {name: value for name, value in complaint(svc, fetch_form(client, svc), 1).items()
            if not name.startswith("doc_")}
    seen = []
    original = formdata.parse_small_form

    def spy(request):
        result = original(request)
        seen.append(result is not None)
        return result

    monkeypatch.setattr(formdata, "parse_small_form", spy)
    response = client.post(form_url(svc), data)  # the test client sends multipart, as a browser
    assert seen == [True]
    assert response.status_code == 302 and reverse("public_requests:apply", args=[
        svc.agency.code, svc.code]) not in response["Location"]
    assert Request.objects.filter(subject=data["subject"]).count() == 1
    # With its attachment the same form goes through Django's parser, and the file is kept.
    seen.clear()
    with_file = complaint(svc, fetch_form(client, svc), 2)
    assert client.post(form_url(svc), with_file).status_code == 302
    assert seen == [False]
    assert Request.objects.get(subject=with_file["subject"]).attachments.count() == 1
