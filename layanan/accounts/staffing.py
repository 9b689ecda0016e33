"""What an agency admin may do to staff accounts, and the one-time password link.

- Region-wide users (overseer, auditor — roles.REGION_WIDE — or anyone with `region` set) and the
  platform's operators (superusers, Django-admin staff) are not the agency admin's to manage: they
  are listed, but editing them, their positions or their password is a 404, as for another
  agency's staff. Otherwise an agency admin could take over the region's overseer.
- The agency admin never learns or chooses a staff member's password: new staff get no usable
  password, and "Kirim tautan kata sandi" sends (or shows once) a one-time link where the staff
  member chooses it (Django's PasswordResetTokenGenerator: the link dies when the password is
  set, when the user logs in, and after settings.PASSWORD_RESET_TIMEOUT).
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .roles import REGION_WIDE

PROTECTED = Q(positions__role__in=REGION_WIDE) | Q(region__isnull=False) | Q(is_superuser=True) | Q(
    is_staff=True)


def manageable(queryset: QuerySet) -> QuerySet:
    """The users of `queryset` an agency admin may edit (already scoped to the agency)."""
    protected_ids = queryset.model.objects.filter(PROTECTED).values("pk")
    return queryset.exclude(pk__in=protected_ids)


def password_link(user) -> str:
    """The absolute one-time link where `user` sets their password."""
    path = reverse("accounts:password_set", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })
    from layanan.core.site import site_url

    return site_url() + path


def send_password_link(user, *, new_account: bool) -> str | None:
    """E-mails the link to `user`; returns the link instead when they have no e-mail address
    (the admin then hands it over in person — it is shown once, never stored)."""
    link = password_link(user)
    if not user.email:
        return link
    context = {"user": user, "link": link, "new_account": new_account,
               "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
               "agency": user.agency.name if user.agency_id else ""}
    subject = render_to_string("accounts/password_link_subject.txt", context).strip()
    body = render_to_string("accounts/password_link_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return None
