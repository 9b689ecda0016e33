from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


class User(AbstractUser):
    """A staff member. Citizens do not log in (they track with a code).

    Agency staff have `agency`; region-wide users (overseer, auditor) have
    `region` and may also belong to an agency (the overseer of Kediri works in
    its Bagian Organisasi).
    """

    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    region = models.ForeignKey(
        "agencies.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    nip = models.CharField(_("NIP"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def __str__(self):
        return self.full_name or self.username

    @property
    def roles(self) -> set[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            # (role, unit) pairs: requests.access.positions_of reads the same list, so a staff page
            # that checks the role and then who holds a step asks the database once.
            self._positions_cache = list(self.positions.values_list("role", "unit_id"))
            cached = self._roles_cache = {role for role, _unit in self._positions_cache}
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def scope_region_id(self):
        """The region a region-wide user reads, if any."""
        if self.region_id:
            return self.region_id
        if self.agency_id:
            return self.agency.region_id
        return None


class Position(models.Model):
    """A staff member's post: a title in a unit, carrying one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="positions")
    unit = models.ForeignKey(
        "agencies.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField(_("jabatan"), max_length=200)
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("jabatan")
        verbose_name_plural = _("jabatan")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_position")
        ]

    def __str__(self):
        return f"{self.title} ({self.get_role_display()})"
