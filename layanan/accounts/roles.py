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

# ---------------------------------------------------------------- the desk's role groups
# Who acts on requests is decided in layanan/requests/access.py; these are its vocabulary.

# Roles that work at the desk (region-wide roles never do: no citizens' personal data).
DESK_ROLES = frozenset({Role.FRONT_DESK, Role.OPERATOR, Role.HANDLER, Role.UNIT_HEAD, Role.SECRETARY,
                        Role.HEAD, Role.AGENCY_ADMIN})
# Registering requests at the counter (guest book, checklist, receipt).
COUNTER_ROLES = frozenset({Role.FRONT_DESK, Role.OPERATOR, Role.HANDLER, Role.UNIT_HEAD,
                           Role.AGENCY_ADMIN})
# The inbox's "whole agency" scope.
AGENCY_WIDE = frozenset({Role.HEAD, Role.SECRETARY, Role.AGENCY_ADMIN})
# A procedure step of these roles is held wherever the request is (there is one Kadis, one Sekdis).
AGENCY_WIDE_STEP_ROLES = frozenset({Role.HEAD, Role.SECRETARY})
# See every request's personal data whole (the head answers for the agency; the admin administers it).
SEE_ALL_PERSONAL_DATA = frozenset({Role.HEAD, Role.AGENCY_ADMIN})
# Take complaints in; the only ones who see a confidential complainant's identity (seed 003:
# petugas pengaduan at the counter, operator IT online).
COMPLAINT_HANDLERS = frozenset({Role.FRONT_DESK, Role.OPERATOR})
# Record a step done by the applicant or an outside party (a letter arrived, the OPD sent its draft).
RECORDERS = frozenset({Role.FRONT_DESK, Role.OPERATOR, Role.HANDLER, Role.UNIT_HEAD, Role.AGENCY_ADMIN})
# Pass a request down with an instruction (disposisi): heads of the units it is in, and the leadership.
SUPERVISORS = frozenset({Role.UNIT_HEAD, Role.SECRETARY, Role.HEAD})
# Receive what the applicant brings (missing documents) and reopen at the applicant's return.
INTAKE_ROLES = frozenset({Role.FRONT_DESK, Role.OPERATOR})
# Close a request as withdrawn at the applicant's request, when the standard names no roles:
# the agency head and the unit head holding the request.
WITHDRAW_DEFAULT = frozenset({Role.HEAD, Role.UNIT_HEAD})
