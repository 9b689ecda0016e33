from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from layanan.accounts.roles import EDIT_STANDARDS, ENACT_STANDARDS, MANAGE_AGENCY, REGION_WIDE
from layanan.core.templatetags.layanan_nav import staff_links


@login_required
def home(request):
    """The staff landing page: what this user can open, by role."""
    user = request.user
    links = staff_links(user)
    return render(request, "console/home.html", {
        "can_manage_agency": user.is_superuser or user.has_role(*MANAGE_AGENCY),
        "can_edit_standards": user.is_superuser or user.has_role(*EDIT_STANDARDS),
        "region_wide": user.has_role(*REGION_WIDE),
        "can_enact": user.has_role(*ENACT_STANDARDS),
        "uses_desk": links.get("inbox", False),
        "uses_counter": links.get("counter", False),
    })
