"""The roles of DESIGN §1 and what each may do.

Kept as plain constants so that views, services and templates ask one place
("may this user edit standards?") instead of repeating role lists.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", _("Petugas layanan")
    OPERATOR = "operator", _("Operator IT")
    HANDLER = "handler", _("Pelaksana")
    UNIT_HEAD = "unit_head", _("Kepala unit")
    SECRETARY = "secretary", _("Sekretaris")
    HEAD = "head", _("Kepala instansi")
    AGENCY_ADMIN = "agency_admin", _("Admin instansi")
    OVERSEER = "overseer", _("Pengawas daerah (Bagian Organisasi)")
    AUDITOR = "auditor", _("Auditor")


# Who may edit the agency's own units, staff, calendar and standards.
MANAGE_AGENCY = {Role.AGENCY_ADMIN}
EDIT_STANDARDS = {Role.AGENCY_ADMIN}
# Region-wide roles: they read every agency of their region.
REGION_WIDE = {Role.OVERSEER, Role.AUDITOR}
# Enactment (pengesahan) of standards is the overseer's (seed 002, service 14).
ENACT_STANDARDS = {Role.OVERSEER}
