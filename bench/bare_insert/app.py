"""URLs and the one view: GET gives the CSRF cookie and token, POST inserts one row and redirects."""

from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path
from django.utils import timezone

from . import TABLE

FIELDS = ("subject", "description", "name", "phone", "email")


def insert(request):
    if request.method != "POST":
        return HttpResponse(
            '<form method="post" enctype="multipart/form-data">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
            '<input name="subject"><button>Kirim</button></form>')
    values = [request.POST.get(name, "") for name in FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (subject, description, name, phone, email, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id", [*values, timezone.now()])
        pk = cursor.fetchone()[0]
    return HttpResponseRedirect(f"/done/{pk}/")


urlpatterns = [path("insert/", insert)]
