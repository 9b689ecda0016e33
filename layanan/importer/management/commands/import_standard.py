"""manage.py import_standard FILE… [--agency CODE] [--dry-run] [--format json]

Reads published standards (text, markdown, HTML, DOCX, PDF) and creates draft
standards for an agency, or with --dry-run only shows what was understood, as
the standard interchange JSON (docs/interchange.md) with --format json.
Every file is read before anything is written; the import is one transaction.
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from layanan.agencies.models import Agency
from layanan.importer.formats import ImportDocumentError, read_document
from layanan.importer.parser import parse_document, to_interchange
from layanan.importer.services import save_drafts
from layanan.standards.interchange import to_interchange as standard_to_interchange


class Command(BaseCommand):
    help = "Impor standar pelayanan yang sudah terbit (teks, markdown, HTML, DOCX, PDF) sebagai draf."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="dokumen standar pelayanan")
        parser.add_argument("--agency", metavar="CODE", help="kode instansi tujuan (wajib tanpa --dry-run)")
        parser.add_argument("--dry-run", action="store_true",
                            help="hanya tampilkan hasil baca, tanpa menyimpan")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="bentuk keluaran")

    def handle(self, *args, files, agency=None, dry_run=False, format="text", **options):
        target = None if dry_run else self._agency(agency)
        services = [service for path in files for service in self._parse(Path(path))]
        if dry_run:
            self._show([to_interchange(service) for service in services], format)
            return
        try:
            drafts = save_drafts(target, services)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self._show([standard_to_interchange(std) for std in drafts], format, saved=True)

    def _agency(self, code: str | None) -> Agency:
        if not code:
            raise CommandError("--agency wajib diisi untuk menyimpan draf (atau pakai --dry-run).")
        try:
            return Agency.objects.get(code=code)
        except Agency.DoesNotExist:
            raise CommandError(f"Instansi dengan kode {code} tidak ditemukan.") from None

    def _parse(self, path: Path) -> list[dict]:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: berkas tidak dapat dibuka ({exc.strerror}).") from exc
        try:
            text = read_document(path.name, data)
        except ImportDocumentError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        result = parse_document(text)
        if not result.services:
            raise CommandError(f"{path}: {' '.join(result.warnings)}")
        return result.services

    def _show(self, services: list[dict], format: str, *, saved: bool = False) -> None:
        if format == "json":
            self.stdout.write(json.dumps({"services": services}, ensure_ascii=False, indent=2))
            return
        for service in services:
            duration = (service.get("duration") or {}).get("text") or "—"
            self.stdout.write(
                f"{service['name']}: {len(service['requirements'])} persyaratan, "
                f"{len(service['steps'])} langkah, jangka waktu {duration}"
            )
            for warning in service["warnings"]:
                self.stdout.write(f"  ! {warning}")
        verb = "disimpan sebagai draf" if saved else "terbaca (tidak disimpan)"
        self.stdout.write(self.style.SUCCESS(f"{len(services)} layanan {verb}."))
