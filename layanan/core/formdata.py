"""Small multipart forms without files, read by the `multipart` library instead of Django's parser.

Every form of the site that can take an upload is sent as multipart/form-data, files or not — the
citizen's web form above all, which a rush sends a hundred times a second (issue 13). Django's
`MultiPartParser` is written for files of any size: a stream, lazy unget buffers, header parsing
through `email.message`. On the web form's body without files (some 1.7 KB, a dozen fields) it
takes ~330 µs of CPU in a hot loop; the `multipart` library's push parser reads the same in ~50 µs.

So, before anything reads `request.POST`, `FormDataMiddleware` looks at a multipart POST of at
most SMALL_BODY bytes (and within DATA_UPLOAD_MAX_MEMORY_SIZE). When every part is a plain field —
exactly one header, `Content-Disposition: form-data` with a simple `name` and no file name — or
an empty file input (`filename=""`, no bytes: Django's parser reads it as a field holding ""), it
fills `request.POST` (and an empty `request.FILES`) with what Django's parser would have
produced: values decoded with the request's encoding, errors replaced; the same field and size
limits. Anything else — a file, a transfer encoding, an unusual
name, a part the library finds malformed, a limit reached — is left untouched, and Django's own
parser reads it as before (and refuses it as before). `tests/test_formdata.py` compares the two
parsers on generated forms (hypothesis).
"""

import re

from django.conf import settings
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import MultiValueDict
from django.utils.http import parse_header_parameters
from multipart import MultipartError, MultipartSegment, PushMultipartParser

SMALL_BODY = 64 * 1024  # a form without files; anything larger carries files: Django's parser
SIMPLE_NAME = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,200}")


class FormDataMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not hasattr(request, "_post"):
            parsed = parse_small_form(request)
            if parsed is not None:
                request._post, request._files = parsed, MultiValueDict()
        return self.get_response(request)


def parse_small_form(request) -> QueryDict | None:
    """request.POST as Django's parser would make it, or None to leave the body to Django."""
    meta = request.META
    content_type = meta.get("CONTENT_TYPE", "")
    if not content_type.startswith("multipart/form-data"):
        return None
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if not 0 < length <= min(SMALL_BODY, limit or SMALL_BODY) or not content_type.isascii():
        return None  # reading request.body past that limit would refuse a legitimate upload
    boundary = parse_header_parameters(content_type)[1].get("boundary")
    if not boundary or not MultiPartParser.boundary_re.fullmatch(boundary):
        return None
    fields = _fields(request.body, boundary)  # the body is read once and kept (request.body)
    if fields is None:
        return None
    encoding = request.encoding or settings.DEFAULT_CHARSET
    post = QueryDict(mutable=True, encoding=encoding)
    read = 0
    for name, raw in fields:
        read += len(raw) + len(name) + 2  # Django's count: the value and '&=' around the name
        post.appendlist(name, raw.decode(encoding, errors="replace"))
    if limit is not None and read > limit:  # cannot happen for a body within the limit; as Django
        return None
    post._mutable = False
    return post


def _fields(body: bytes, boundary: str) -> list[tuple[str, bytes]] | None:
    """[(name, raw value)] of a body of plain fields and empty file inputs; None otherwise."""
    fields = []
    segment, chunks = None, []
    try:
        with PushMultipartParser(boundary, len(body), strict=True) as parser:
            for event in parser.parse(body):
                if isinstance(event, MultipartSegment):
                    segment, chunks = event, []
                elif event is not None:
                    chunks.append(event)
                elif _plain(segment) or _empty_file(segment, chunks):
                    fields.append((segment.name, b"".join(chunks)))
                else:
                    return None
    except MultipartError:  # malformed, or unfinished (leaving the block checks the end)
        return None
    if not parser.closed or parser.error is not None:
        return None
    max_fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if max_fields is not None and len(fields) > max_fields:
        return None  # Django's parser refuses it with its own error
    return fields


def _plain(segment) -> bool:
    return (len(segment.headerlist) == 1 and segment.disposition == "form-data"
            and segment.filename is None and bool(SIMPLE_NAME.fullmatch(segment.name or "")))


def _empty_file(segment, chunks) -> bool:
    """A file input left empty: the browser sends `filename=""` and no bytes (a field to Django)."""
    return (segment.disposition == "form-data" and segment.filename == "" and not chunks
            and {name for name, _value in segment.headerlist} <= {"Content-Disposition", "Content-Type"}
            and bool(SIMPLE_NAME.fullmatch(segment.name or "")))
