"""Agency admin screens: profile, units, staff, working calendar.

Every object is fetched through core.tenancy, so an admin of agency A gets a
404 for any unit, staff member or holiday of agency B. Staff accounts also go
through accounts.staffing: region-wide users and platform operators are listed
but are a 404 to edit, and the admin never sets anyone's password (a one-time
link instead).
"""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from layanan.accounts import staffing
from layanan.accounts.models import Position, User
from layanan.accounts.roles import MANAGE_AGENCY
from layanan.core.decorators import form_status, role_required
from layanan.core.tenancy import get_scoped_or_404, scoped
from layanan.standards.forms import ChannelFormSet, channels_from

from . import forms
from .models import Holiday, Unit
from .services import calendar_was_changed, seed_holidays

admin_required = role_required(*MANAGE_AGENCY)


def _agency(request):
    if request.user.agency is None:
        raise Http404
    return request.user.agency


@admin_required
def profile(request):
    agency = _agency(request)
    form = forms.AgencyProfileForm(request.POST or None, request.FILES or None, instance=agency)
    # The standards' channel rows (blank rows skipped, values normalised): the same public channels.
    channels = ChannelFormSet(request.POST or None, prefix="ch", initial=agency.channels)
    if request.method == "POST" and form.is_valid() and channels.is_valid():
        agency = form.save(commit=False)
        agency.channels = channels_from(channels)
        agency.save()
        calendar_was_changed(agency)
        messages.success(request, _("Profil instansi disimpan."))
        return redirect("agencies:profile")
    return render(request, "agencies/profile.html", {"form": form, "channels": channels},
                  status=form_status(request))


@admin_required
def units(request):
    agency = _agency(request)
    rows = scoped(Unit.objects.select_related("parent"), request.user, region_wide=False)
    return render(request, "agencies/units.html", {"agency": agency, "units": _tree(list(rows))})


def _tree(units):
    """Depth-first order with a depth, for an indented list without recursion in templates."""
    children = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered, stack = [], [(u, 0) for u in reversed(children.get(None, []))]
    while stack:
        unit, depth = stack.pop()
        unit.depth = depth
        ordered.append(unit)
        stack.extend((c, depth + 1) for c in reversed(children.get(unit.id, [])))
    return ordered


@admin_required
def unit_edit(request, pk=None):
    agency = _agency(request)
    unit = get_scoped_or_404(Unit.objects, request.user, region_wide=False, pk=pk) if pk else None
    form = forms.UnitForm(request.POST or None, instance=unit, agency=agency)
    if request.method == "POST" and form.is_valid():
        unit = form.save(commit=False)
        unit.agency = agency
        unit.save()
        messages.success(request, _("Unit %s disimpan.") % unit.name)
        return redirect("agencies:units")
    return render(request, "agencies/unit_form.html", {"form": form, "unit": unit},
                  status=form_status(request))


@admin_required
@require_POST
def unit_delete(request, pk):
    unit = get_scoped_or_404(Unit.objects, request.user, region_wide=False, pk=pk)
    try:
        unit.delete()
        messages.success(request, _("Unit %s dihapus.") % unit.name)
    except ProtectedError:
        messages.error(request, _("Unit %s masih memiliki sub-unit atau pegawai.") % unit.name)
    return redirect("agencies:units")


def _staff_or_404(request, pk):
    """A staff member this agency admin may manage (accounts.staffing), else 404."""
    return get_scoped_or_404(staffing.manageable(User.objects.all()), request.user, region_wide=False, pk=pk)


@admin_required
def staff(request):
    people = scoped(User.objects.prefetch_related("positions__unit"), request.user, region_wide=False)
    editable = set(staffing.manageable(people).values_list("pk", flat=True))
    people = list(people.order_by("full_name"))
    for person in people:
        person.editable = person.pk in editable
    return render(request, "agencies/staff.html", {"people": people})


@admin_required
def staff_new(request):
    agency = _agency(request)
    form = forms.NewStaffForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.agency = agency
            user.set_unusable_password()  # chosen by the staff member through the link
            user.save()
            Position.objects.create(user=user, unit=form.cleaned_data["unit"],
                                    title=form.cleaned_data["title"], role=form.cleaned_data["role"])
        messages.success(request, _("Pegawai %s ditambahkan.") % user)
        return _password_link_sent(request, user, new_account=True)
    return render(request, "agencies/staff_form.html", {"form": form},
                  status=form_status(request))


@admin_required
def staff_edit(request, pk):
    agency = _agency(request)
    person = _staff_or_404(request, pk)
    form = forms.StaffForm(request.POST or None, instance=person, prefix="u")
    position_form = forms.PositionForm(None, agency=agency, prefix="p")
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Data pegawai disimpan."))
        return redirect("agencies:staff_edit", pk=person.pk)
    return render(request, "agencies/staff_edit.html", {
        "person": person, "form": form, "position_form": position_form,
        "positions": person.positions.select_related("unit"),
    }, status=form_status(request))


@admin_required
@require_POST
def position_add(request, pk):
    agency = _agency(request)
    person = _staff_or_404(request, pk)
    form = forms.PositionForm(request.POST, agency=agency, prefix="p")
    if form.is_valid():
        try:
            with transaction.atomic():
                Position.objects.create(user=person, **form.cleaned_data)
            messages.success(request, _("Jabatan ditambahkan."))
        except IntegrityError:
            messages.error(request, _("Pegawai ini sudah memegang peran itu di unit tersebut."))
    else:
        messages.error(request, _("Jabatan tidak disimpan: periksa isian."))
    return redirect("agencies:staff_edit", pk=person.pk)


@admin_required
@require_POST
def position_delete(request, pk):
    position = get_scoped_or_404(Position.objects, request.user, region_wide=False, pk=pk)
    _staff_or_404(request, position.user_id)
    position.delete()
    messages.success(request, _("Jabatan dihapus."))
    return redirect("agencies:staff_edit", pk=position.user_id)


@admin_required
@require_POST
def staff_password(request, pk):
    """"Kirim tautan kata sandi": a one-time link for the staff member, never a password."""
    person = _staff_or_404(request, pk)
    return _password_link_sent(request, person, new_account=False)


def _password_link_sent(request, person, *, new_account):
    link = staffing.send_password_link(person, new_account=new_account)
    if link is None:
        messages.success(request, _("Tautan untuk memilih kata sandi dikirim ke %s.") % person.email)
        return redirect("agencies:staff_edit", pk=person.pk)
    # No e-mail address: the admin hands the link over in person. Shown once, never stored.
    return render(request, "agencies/staff_password_link.html", {"person": person, "link": link})


@admin_required
def calendar(request):
    agency = _agency(request)
    try:
        year = int(request.GET.get("tahun", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    days = scoped(Holiday.objects, request.user, region_wide=False).filter(date__year=year)
    return render(request, "agencies/calendar.html", {
        "agency": agency, "year": year, "days": days, "form": forms.HolidayForm(agency=agency),
    })


@admin_required
def holiday_edit(request, pk=None):
    agency = _agency(request)
    day = get_scoped_or_404(Holiday.objects, request.user, region_wide=False, pk=pk) if pk else None
    form = forms.HolidayForm(request.POST or None, instance=day, agency=agency)
    if request.method == "POST" and form.is_valid():
        day = form.save(commit=False)
        day.agency = agency
        day.save()  # moves deadlines: requests.receivers.holiday_changed (the Django admin too)
        messages.success(request, _("Kalender disimpan."))
        return redirect(f"{_calendar_url()}?tahun={day.date.year}")
    return render(request, "agencies/holiday_form.html", {"form": form, "day": day},
                  status=form_status(request))


@admin_required
@require_POST
def holiday_delete(request, pk):
    day = get_scoped_or_404(Holiday.objects, request.user, region_wide=False, pk=pk)
    day.delete()  # moves deadlines: requests.receivers.holiday_changed
    messages.success(request, _("Hari libur dihapus; tanggal itu kembali menjadi hari kerja."))
    return redirect(f"{_calendar_url()}?tahun={day.date.year}")


@admin_required
@require_POST
def calendar_seed(request):
    agency = _agency(request)
    try:
        year = int(request.POST.get("tahun", ""))
    except ValueError:
        year = timezone.localdate().year
    if not 2000 <= year <= 2100:
        messages.error(request, _("Tahun tidak sah."))
        return redirect("agencies:calendar")
    added = seed_holidays(agency, [year])
    messages.success(request, _("%(n)d hari libur nasional dan cuti bersama %(y)d ditambahkan.")
                     % {"n": added, "y": year})
    return redirect(f"{_calendar_url()}?tahun={year}")


def _calendar_url():
    return reverse("agencies:calendar")
