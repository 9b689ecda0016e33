"""The buku tamu over a date range: the list, the printable page and the XLSX export.

Dates are the agency's own (a visitor at 07:45 WITA belongs to that day in Bangli). The identity
number is personal data: masked on the list, the print-out and the export (DESIGN §3).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layanan.core.crypto import mask

from .models import GuestBookEntry

MAX_DAYS = 366
LIMIT = 5000


@dataclass
class Range:
    start: date
    end: date
    error: str = ""


def _parse(value: str):
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def read_range(agency, params) -> Range:
    """`dari` / `sampai` (YYYY-MM-DD) from the query string; today when absent; a bad or too long
    range falls back to today with a message (never a 500)."""
    today = timezone.localtime(timezone.now(), ZoneInfo(agency.timezone)).date()
    start, end = _parse(params.get("dari", "")), _parse(params.get("sampai", ""))
    if not params.get("dari") and not params.get("sampai"):
        return Range(today, today)
    if start is None and end is None:
        return Range(today, today, _("Tanggal tidak dapat dibaca; ditampilkan hari ini."))
    start, end = start or end, end or start
    if end < start:
        start, end = end, start
    if (end - start).days >= MAX_DAYS:
        return Range(end - timedelta(days=MAX_DAYS - 1), end,
                     _("Paling panjang %(n)d hari sekaligus.") % {"n": MAX_DAYS})
    return Range(start, end)


def entries(agency, span: Range):
    tz = ZoneInfo(agency.timezone)
    since = datetime.combine(span.start, time.min, tzinfo=tz)
    until = datetime.combine(span.end + timedelta(days=1), time.min, tzinfo=tz)
    rows = list(GuestBookEntry.objects.filter(agency=agency, time_in__gte=since, time_in__lt=until)
                .select_related("request").order_by("time_in", "id")[:LIMIT])
    for row in rows:
        row.masked_identity = mask(row.identity_number)
    return rows


HEADER = [gettext_lazy("Tanggal"), gettext_lazy("Datang"), gettext_lazy("Pulang"), gettext_lazy("Nama"),
          gettext_lazy("Nomor identitas"), gettext_lazy("Instansi / alamat"), gettext_lazy("Keperluan"),
          gettext_lazy("Kode lacak")]


def export_rows(agency, rows) -> list[list]:
    tz = ZoneInfo(agency.timezone)
    out = []
    for row in rows:
        time_in = timezone.localtime(row.time_in, tz)
        time_out = timezone.localtime(row.time_out, tz) if row.time_out else None
        out.append([time_in.date(), time_in.strftime("%H:%M"), time_out.strftime("%H:%M") if time_out else "",
                    row.name, row.masked_identity, row.organisation, row.purpose,
                    row.request.tracking_code if row.request_id else ""])
    return out
