"""Sign-in, password change and the one-time password link; the login lockout page.

Failed logins are counted by django-axes (settings "Logins"); the helpers at the end are the
hooks axes calls: which address a request comes from and what a locked-out visitor sees.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"


class _RefusedIs400:
    """A refused form (weak password, wrong old password) comes back with status 400."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordChangeView(_RefusedIs400, SuccessMessageMixin, auth_views.PasswordChangeView):
    """Every staff member changes their own password (the old one is asked for)."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("console:home")
    success_message = gettext_lazy("Kata sandi Anda sudah diganti.")


class PasswordSetView(_RefusedIs400, SuccessMessageMixin, auth_views.PasswordResetConfirmView):
    """The one-time link an agency admin sends: the staff member chooses their own password."""

    template_name = "accounts/password_set.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:login")
    success_message = gettext_lazy("Kata sandi disimpan. Silakan masuk dengan kata sandi baru.")

    def render_to_response(self, context, **kwargs):
        if not context.get("validlink"):  # used, expired or mangled: say so, with a 4xx
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


# Hooks for django-axes (settings.AXES_*).


def client_ip(request) -> str:
    """The client's address, read like the rate limits read it (RATELIMIT_IP_META_KEY).

    Behind the proxy the header holds the address the proxy saw; of a list the last entry is the
    one our own proxy appended (earlier ones are whatever the client claimed).
    """
    key = settings.RATELIMIT_IP_META_KEY
    if isinstance(key, str) and key.startswith("HTTP_"):
        forwarded = request.META.get(key, "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def locked_out(request, original_response=None, credentials=None):
    """Too many failed logins: the login page again, with the reason, and status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Terlalu banyak percobaan masuk yang gagal. Untuk sementara tidak bisa masuk; "
                "coba lagi setelah %(minutes)d menit, atau hubungi admin instansi.") % {"minutes": minutes}
    form = AuthenticationForm(request)
    return render(request, "accounts/login.html", {
        "form": form, "locked_out": message, "next": request.POST.get("next", ""),
    }, status=429)
