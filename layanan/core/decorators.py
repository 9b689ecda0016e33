"""Role checks for staff views (tenancy itself lives in core.tenancy)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def role_required(*roles):
    """Allow the view to users holding one of `roles` (superusers always).

    Others get a 404, like staff of another agency: a screen one may not use
    is not advertised.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not (user.is_superuser or user.has_role(*roles)):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def form_status(request) -> int:
    """Status for a form page: 400 when it is shown again after a rejected POST."""
    return 400 if request.method == "POST" else 200
