"""LaporClient: the seam to SP4N-LAPOR!'s integration API (the contract we assume: docs/lapor.md).

LAPOR!'s API is documented only inside its admin for agency developers; this adapter speaks the
contract written in docs/lapor.md, so that the day an agency gets the real documentation only
this file changes. Switched off by default (LaporSettings.enabled), configured per agency
(base URL, token, timeout). Plain HTTP with urllib and a timeout; every failure is a LaporUnavailable
with a message, never an unhandled exception in a view or the worker.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LaporSettings, LaporStatus, LaporType, Source
from .services import ReportData, register

MAX_RESPONSE_BYTES = 5 * 1024 * 1024


class LaporDisabled(Exception):
    """The agency has not switched the LAPOR! integration on."""


class LaporUnavailable(Exception):
    """LAPOR! did not answer as the contract says (network, status, body)."""


class LaporClient:
    def __init__(self, settings: LaporSettings):
        if settings is None or not settings.enabled or not settings.base_url:
            raise LaporDisabled(_("Integrasi SP4N-LAPOR! belum diaktifkan untuk instansi ini."))
        self.settings = settings
        self.base = settings.base_url.rstrip("/")

    @classmethod
    def for_agency(cls, agency) -> LaporClient:
        return cls(LaporSettings.objects.filter(agency=agency).first())

    # ---------------------------------------------------------------- HTTP

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.settings.token}",
                "Accept": "application/json",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_seconds) as response:  # noqa: S310
                raw = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise LaporUnavailable(_("SP4N-LAPOR! menjawab %(status)s.") % {"status": exc.code}) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise LaporUnavailable(
                _("SP4N-LAPOR! tidak dapat dihubungi: %(reason)s") % {"reason": getattr(exc, "reason", exc)}
            ) from None
        if len(raw) > MAX_RESPONSE_BYTES:
            raise LaporUnavailable(_("Jawaban SP4N-LAPOR! terlalu besar."))
        try:
            payload = json.loads(raw or b"{}")
        except ValueError:
            raise LaporUnavailable(_("Jawaban SP4N-LAPOR! bukan JSON.")) from None
        if not isinstance(payload, dict):
            raise LaporUnavailable(_("Jawaban SP4N-LAPOR! tidak sesuai kontrak."))
        return payload

    # ---------------------------------------------------------------- the operations

    def pull_reports(self, since: datetime | None = None) -> list[ReportData]:
        """Reports forwarded to the agency (since a moment), as ReportData."""
        query = f"?{urllib.parse.urlencode({'since': since.isoformat()})}" if since else ""
        payload = self._call("GET", f"/reports{query}")
        reports = payload.get("reports")
        if not isinstance(reports, list):
            raise LaporUnavailable(_("Jawaban SP4N-LAPOR! tidak sesuai kontrak."))
        return [self._report(item) for item in reports if isinstance(item, dict)]

    def push_followup(self, tracking_id: str, text: str) -> str:
        """Send the follow-up; returns LAPOR!'s status afterwards."""
        payload = self._call("POST", f"/reports/{urllib.parse.quote(tracking_id)}/followups", {"text": text})
        return self._status(payload.get("status"))

    def get_status(self, tracking_id: str) -> str:
        payload = self._call("GET", f"/reports/{urllib.parse.quote(tracking_id)}")
        return self._status(payload.get("status"))

    # ---------------------------------------------------------------- shapes

    @staticmethod
    def _status(value) -> str:
        if value not in LaporStatus.values:
            raise LaporUnavailable(
                _("Status SP4N-LAPOR! tidak dikenal: %(value)s") % {"value": str(value)[:40]}
            )
        return value

    @staticmethod
    def _when(value):
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise LaporUnavailable(_("Tanggal SP4N-LAPOR! tidak dapat dibaca.")) from None
        return parsed if parsed.tzinfo else timezone.make_aware(parsed)

    def _report(self, item: dict) -> ReportData:
        kind = item.get("type") or LaporType.PENGADUAN
        if kind not in LaporType.values:
            raise LaporUnavailable(_("Jenis laporan SP4N-LAPOR! tidak dikenal."))
        reporter = item.get("reporter") if isinstance(item.get("reporter"), dict) else {}
        return ReportData(
            tracking_id=str(item.get("tracking_id") or ""),
            content=str(item.get("content") or ""),
            topic=str(item.get("title") or ""),
            report_type=kind,
            anonymous=bool(item.get("anonymous")),
            confidential=bool(item.get("confidential")),
            reporter_name=str(reporter.get("name") or ""),
            reporter_phone=str(reporter.get("phone") or ""),
            reporter_email=str(reporter.get("email") or ""),
            location_text=str(item.get("location") or ""),
            reported_at=self._when(item.get("reported_at")),
            forwarded_at=self._when(item.get("forwarded_at")),
            status=self._status(item.get("status")),
        )


def pull(agency, *, now=None) -> tuple[int, int, list[str]]:
    """Pull the agency's new reports into requests (the worker or an admin runs it).
    Returns (created, updated, problems)."""
    client = LaporClient.for_agency(agency)
    now = now or timezone.now()
    created = updated = 0
    problems = []
    for data in client.pull_reports(client.settings.last_pulled_at):
        try:
            _report, new = register(agency, data, actor=None, source=Source.PULL)
        except Exception as exc:  # noqa: BLE001 — one bad report must not stop the others
            problems.append(f"{data.tracking_id}: {exc}")
            continue
        created, updated = created + new, updated + (not new)
    LaporSettings.objects.filter(pk=client.settings.pk).update(last_pulled_at=now)
    return created, updated, problems


def push(report, *, now=None):
    """Send a written follow-up to LAPOR! and keep the status it answers."""
    from .services import followup_for_lapor

    if not report.followup_written_at:
        raise LaporUnavailable(_("Tindak lanjut belum ditulis."))
    client = LaporClient.for_agency(report.agency)
    status = client.push_followup(report.tracking_id, followup_for_lapor(report))
    report.status = status
    report.followup_pushed_at = now or timezone.now()
    report.save(update_fields=["status", "followup_pushed_at", "updated_at"])
    return report
