"""Refuse control characters before they reach a view (and so the database).

PostgreSQL cannot store NUL in text (every lookup with one is a 500), and no
form of this site has a use for the other C0 control characters or DEL. The
middleware looks at the decoded path, the query string and the POST form
values (names too), and at the strings of a JSON body; uploaded files'
contents are not text and are not looked at (their names are cleaned where
they are stored). Tab, line feed and carriage return stay allowed: text
areas send them.

Refused requests get a 400 with a short message in Bahasa Indonesia and
English (JSON under /api/). A cookie with a control character is dropped
instead: the visitor did not type it and could not fix it.
"""

import json
import re

from django.http import JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bodies up to the largest form post (the web form: ten 10 MB photos + 1 MB, requests.intake.MAX_POST_BYTES)
# are inspected; a larger one is left unread for the view to refuse (413) without reading it.
MAX_INSPECTED_BODY = 101 * 1024 * 1024
MESSAGE_EN = "The input contains characters that are not allowed."


def has_forbidden(value: str) -> bool:
    return bool(FORBIDDEN.search(value))


def without_forbidden(value):
    """A decoded JSON value with the forbidden characters stripped from every string, keys too (for
    input a machine sends us and nobody could correct: a 400 would only make the sender deliver it
    again and again)."""
    if isinstance(value, str):
        return FORBIDDEN.sub("", value)
    if isinstance(value, dict):
        return {without_forbidden(k): without_forbidden(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_forbidden(v) for v in value]
    return value


def cleans_its_own_input(view):
    """Mark a view whose body the guard must not refuse: it strips forbidden characters itself
    (the WhatsApp webhook: the platform redelivers anything not answered with 200). The path and
    the query string are still checked."""
    view.input_guard_cleans_itself = True
    return view


def _querydict_bad(data) -> bool:
    return any(has_forbidden(key) or any(has_forbidden(v) for v in values) for key, values in data.lists())


def _json_bad(value) -> bool:
    if isinstance(value, str):
        return has_forbidden(value)
    if isinstance(value, dict):
        return any(has_forbidden(k) or _json_bad(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_bad(v) for v in value)
    return False


def address_is_bad(request) -> bool:
    """True when the path or the query string carries a forbidden character."""
    return has_forbidden(request.path) or _querydict_bad(request.GET)  # path: script prefix + path_info


def body_is_bad(request) -> bool:
    """True when the form or JSON body carries a forbidden character (a body larger than the
    largest form post is not read: the view refuses it unread)."""
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_INSPECTED_BODY:
            return False
    except ValueError:
        return False
    if request.content_type == "application/json":
        try:
            return _json_bad(json.loads(request.body or b"null"))
        except (ValueError, UnreadablePostError):  # not JSON: the view answers that
            return False
    try:
        return _querydict_bad(request.POST)
    except (MultiPartParserError, UnreadablePostError):  # the view or CSRF check answers that
        return False


def refusal(request):
    """The 400 answer: Indonesian first, English after; JSON for the API."""
    with translation.override(translation.get_language_from_request(request)):
        message = _("Masukan berisi karakter yang tidak diizinkan.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"error": {"message": message, "message_en": MESSAGE_EN}}, status=400)
        else:
            response = render(request, "core/bad_input.html",
                              {"message": message, "message_en": MESSAGE_EN}, status=400)
    patch_cache_control(response, no_store=True)
    return response


class InputGuardMiddleware:
    """In settings.MIDDLEWARE after static files and before sessions (a bad session cookie is
    dropped before it is looked up).

    The path and query are checked first, before anything looks them up. The body is checked
    in `process_view`: once the address has resolved to a view, before any view (or the CSRF
    check, further down the list) reads it. A POST to an address without a view gets its 404
    without its body being parsed: nobody can make the site parse 100 MB uploads by posting
    them to made-up addresses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [name for name, value in request.COOKIES.items()
                     if has_forbidden(name) or has_forbidden(value)]:
            del request.COOKIES[name]
        if address_is_bad(request):
            return refusal(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "input_guard_cleans_itself", False):
            return None
        if body_is_bad(request):
            return refusal(request)
        return None
