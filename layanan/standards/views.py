"""Staff screens for standards: the agency admin's editor and the overseer's table."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from layanan.accounts.roles import EDIT_STANDARDS, ENACT_STANDARDS, REGION_WIDE, Role
from layanan.agencies.models import Region
from layanan.core.decorators import form_status, role_required
from layanan.core.tenancy import get_scoped_or_404, scoped

from . import forms, services
from .completeness import check_components, completeness_score, missing_for_publishing
from .models import Service, ServiceStandard, Step
from .presentation import component_sections

editor_required = role_required(*EDIT_STANDARDS)
Status = ServiceStandard.Status


def _standard(request, pk, *, region_wide=True):
    qs = ServiceStandard.objects.select_related("service", "service__agency", "service__agency__region",
                                                "enacted_by")
    return get_scoped_or_404(qs, request.user, region_wide=region_wide, pk=pk)


def _standard_to_decide(request, pk):
    """A standard to enact or return: any of the region's for the overseer, else the user's agency's."""
    std = _standard(request, pk)
    if not request.user.has_role(*ENACT_STANDARDS) and request.user.agency_id != std.service.agency_id:
        raise Http404
    return std


def _locked(request, std):
    messages.error(request, _("Standar yang sudah ditetapkan tidak dapat diubah; buat versi baru."))
    return redirect("standards:detail", pk=std.pk)


@login_required
def service_list(request):
    """The agency's services, each with its public and in-progress version."""
    if request.user.agency is None:
        return redirect("standards:league")
    services_qs = scoped(Service.objects, request.user, region_wide=False).prefetch_related(
        Prefetch("standards", queryset=ServiceStandard.objects.order_by("-version"))
    )
    return render(request, "standards/service_list.html", {
        "services": services_qs, "can_edit": request.user.has_role(*EDIT_STANDARDS),
    })


@editor_required
def service_new(request):
    agency = request.user.agency
    if agency is None:
        raise Http404
    form = forms.ServiceForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            service = form.save(commit=False)
            service.agency = agency
            service.position = agency.services.count() + 1
            service.save()
            std = ServiceStandard.objects.create(service=service, version=1)
        messages.success(request, _("Layanan dibuat. Lengkapi komponen standarnya."))
        return redirect("standards:edit", pk=std.pk)
    return render(request, "standards/service_form.html", {"form": form},
                  status=form_status(request))


@login_required
def detail(request, pk):
    std = _standard(request, pk)
    requirements = list(std.requirements.all())
    steps = list(std.steps.select_related("unit"))
    checks = check_components(std, requirements, steps)
    user = request.user
    own_agency = user.is_superuser or user.agency_id == std.service.agency_id
    can_edit = own_agency and user.has_role(*EDIT_STANDARDS)
    score = completeness_score(checks)
    awaiting = std.status in {Status.DISCUSSED, Status.ENACTED}
    can_enact = std.status == Status.DISCUSSED and (
        (own_agency and user.has_role(Role.HEAD, Role.AGENCY_ADMIN)) or user.has_role(*ENACT_STANDARDS))
    return render(request, "standards/detail.html", {
        "std": std, "service": std.service, "checks": checks, "score": score,
        "low": services.below_threshold(std, score) if awaiting else None,
        "can_return": awaiting and (
            user.has_role(*ENACT_STANDARDS) or (own_agency and user.has_role(Role.HEAD))),
        "return_form": forms.ReturnForm(),
        "sections": component_sections(std, requirements, steps),
        "missing": missing_for_publishing(std, steps) if std.status == Status.ENACTED else [],
        "can_edit": can_edit and std.is_editable,
        "can_discuss": can_edit and std.status == Status.DRAFT,
        "can_enact": can_enact,
        "can_publish": can_edit and std.status == Status.ENACTED,
        "can_new_version": can_edit and std.status == Status.PUBLISHED,
        "discussed_form": forms.DiscussedForm(), "enact_form": forms.EnactForm(),
        "versions": std.service.standards.order_by("-version"),
    })


@editor_required
def edit(request, pk):
    std = _standard(request, pk, region_wide=False)
    if not std.is_editable:
        return _locked(request, std)
    form = forms.StandardForm(request.POST or None, instance=std, prefix="s")
    channels = forms.ChannelFormSet(request.POST or None, prefix="ch", initial=std.channels)
    if request.method == "POST" and form.is_valid() and channels.is_valid():
        std = form.save(commit=False)
        std.channels = forms.channels_from(channels)
        std.save()
        messages.success(request, _("Komponen standar disimpan."))
        return redirect("standards:detail", pk=std.pk)
    return render(request, "standards/edit.html", {"std": std, "form": form, "channels": channels},
                  status=form_status(request))


def _ordered(formset):
    """Rows in the order the admin set (ORDER field), deleted rows dropped."""
    rows = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    return sorted(rows, key=lambda f: (f.cleaned_data.get("ORDER") or 10**6, rows.index(f)))


@editor_required
def requirements(request, pk):
    std = _standard(request, pk, region_wide=False)
    if not std.is_editable:
        return _locked(request, std)
    formset = forms.RequirementFormSet(request.POST or None, instance=std, prefix="r")
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            for form in formset.deleted_forms:
                if form.instance.pk:
                    form.instance.delete()
            std.requirements.update(position=0)
            for position, form in enumerate(_ordered(formset), start=1):
                req = form.save(commit=False)
                req.standard, req.position = std, position
                req.save()
        messages.success(request, _("Persyaratan disimpan."))
        return redirect("standards:detail", pk=std.pk)
    return render(request, "standards/requirements.html", {"std": std, "formset": formset},
                  status=form_status(request))


def _moved(rows, move: str):
    """`naik-3` / `turun-3`: row 3 (0-based, in the order shown) one up or down."""
    direction, _sep, index = move.partition("-")
    try:
        index = int(index)
    except ValueError:
        return rows
    other = index - 1 if direction == "naik" else index + 1 if direction == "turun" else -1
    if not (0 <= index < len(rows) and 0 <= other < len(rows)):
        return rows
    rows = list(rows)
    rows[index], rows[other] = rows[other], rows[index]
    return rows


@editor_required
def steps(request, pk):
    std = _standard(request, pk, region_wide=False)
    if not std.is_editable:
        return _locked(request, std)
    formset = forms.StepFormSet(request.POST or None, instance=std, prefix="st",
                                agency=std.service.agency,
                                queryset=Step.objects.filter(standard=std).order_by("position"))
    if request.method == "POST" and formset.is_valid():
        rows = _moved(_ordered(formset), request.POST.get("geser", ""))
        # The steps' references name steps by their position as listed now; they follow the steps.
        renumber = {form.instance.position: position for position, form in enumerate(rows, start=1)
                    if form.instance.pk}
        with transaction.atomic():
            for form in formset.deleted_forms:
                if form.instance.pk:
                    form.instance.delete()
            # Positions are unique per standard: park them before renumbering.
            for step in std.steps.all():
                Step.objects.filter(pk=step.pk).update(position=step.position + 100000)
            for position, form in enumerate(rows, start=1):
                step = form.save(commit=False)
                step.standard, step.position = std, position
                for field in ("on_done", "on_cannot_resolve"):
                    target = getattr(step, field)
                    if target:
                        setattr(step, field, renumber.get(target, target))
                step.save()
        if request.POST.get("geser"):
            messages.success(request, _("Urutan langkah diubah."))
            return redirect("standards:steps", pk=std.pk)
        messages.success(request, _("Prosedur disimpan."))
        return redirect("standards:detail", pk=std.pk)
    return render(request, "standards/steps.html", {"std": std, "formset": formset},
                  status=form_status(request))


def _run(request, std, action, **kwargs):
    try:
        action(std, request.user, **kwargs)
        return True
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
        return False


@editor_required
@require_POST
def mark_discussed(request, pk):
    std = _standard(request, pk, region_wide=False)
    form = forms.DiscussedForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    elif _run(request, std, services.mark_discussed, discussed_on=form.cleaned_data["discussed_on"],
              notes=form.cleaned_data["notes"], minutes_file=form.cleaned_data["minutes"]):
        messages.success(request, _("Pembahasan dicatat."))
    return redirect("standards:detail", pk=std.pk)


@role_required(*services.ENACTORS)
@require_POST
def enact(request, pk):
    std = _standard_to_decide(request, pk)
    form = forms.EnactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Isi nomor dan tanggal keputusan."))
    elif _low_and_unconfirmed(request, std):
        pass
    elif _run(request, std, services.enact, **form.cleaned_data):
        messages.success(request, _("Standar ditetapkan."))
    return redirect("standards:detail", pk=std.pk)


def _low_and_unconfirmed(request, std) -> bool:
    """Below the region's completeness threshold: enacting or publishing needs the tick."""
    low = services.below_threshold(std)
    if low and request.POST.get("confirm_low") != "1":
        messages.error(request, _("Kelengkapan standar ini %(score)s, di bawah ambang daerah %(min)s. "
                                  "Centang konfirmasi bila tetap ingin melanjutkan, atau kembalikan untuk "
                                  "diperbaiki.") % {"score": low[0], "min": low[1]})
        return True
    return False


@role_required(*services.RETURNERS)
@require_POST
def return_for_revision(request, pk):
    std = _standard_to_decide(request, pk)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tuliskan apa yang perlu diperbaiki."))
    elif _run(request, std, services.return_for_revision, note=form.cleaned_data["note"]):
        messages.success(request, _("Standar dikembalikan kepada instansi untuk diperbaiki."))
    return redirect("standards:detail", pk=std.pk)


@role_required(*ENACT_STANDARDS)
@require_POST
def threshold(request):
    """The region's overseer sets the completeness threshold below which enacting asks twice."""
    region = Region.objects.filter(pk=request.user.scope_region_id).first()
    if region is None:
        raise Http404
    form = forms.ThresholdForm(request.POST, instance=region)
    if form.is_valid():
        form.save()
        messages.success(request, _("Ambang kelengkapan disimpan: %(n)s.") % {"n": region.min_completeness})
    else:
        messages.error(request, _("Ambang harus angka 0–100."))
    return redirect("standards:league")


@editor_required
@require_POST
def publish(request, pk):
    std = _standard(request, pk, region_wide=False)
    if _low_and_unconfirmed(request, std):
        return redirect("standards:detail", pk=std.pk)
    if _run(request, std, services.publish):
        messages.success(request, _("Standar dipublikasikan; versi sebelumnya digantikan."))
    return redirect("standards:detail", pk=std.pk)


@editor_required
@require_POST
def new_version(request, pk):
    std = _standard(request, pk, region_wide=False)
    try:
        draft = services.new_version(std, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("standards:detail", pk=std.pk)
    messages.success(request, _("Versi %d dibuat sebagai draf.") % draft.version)
    return redirect("standards:edit", pk=draft.pk)


@login_required
def minutes(request, pk):
    """The berita acara file, only to staff who may see the standard."""
    std = _standard(request, pk)
    if not std.discussion_minutes:
        raise Http404
    response = FileResponse(std.discussion_minutes.open("rb"), as_attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*REGION_WIDE, Role.AGENCY_ADMIN, Role.HEAD)
def league(request):
    """Every agency's standards of the region, scored for completeness."""
    standards = (
        scoped(ServiceStandard.objects, request.user)
        .exclude(status=Status.SUPERSEDED)
        .select_related("service", "service__agency")
        .prefetch_related("requirements", "steps")
    )
    agency_code = request.GET.get("instansi", "")
    if agency_code:
        standards = standards.filter(service__agency__code=agency_code)
    rows = []
    for std in standards:
        checks = check_components(std, list(std.requirements.all()), list(std.steps.all()))
        rows.append({"std": std, "score": completeness_score(checks),
                     "missing": [c.label for c in checks if not c.present],
                     "vague": [f"{c.label}: {c.note}" if c.note else c.label
                               for c in checks if c.present and not c.specific]})
    rows.sort(key=lambda r: (-r["score"], r["std"].service.agency.name, r["std"].service.position))
    agencies = {}
    for row in rows:
        agencies.setdefault(row["std"].service.agency, []).append(row["score"])
    table = sorted(((a, round(sum(s) / len(s), 1), len(s)) for a, s in agencies.items()),
                   key=lambda t: -t[1])
    region = Region.objects.filter(pk=request.user.scope_region_id).first()
    threshold = region.min_completeness if region else None
    for row in rows:
        row["low"] = threshold is not None and row["score"] < threshold
    return render(request, "standards/league.html", {
        "rows": rows, "agencies": table, "agency_code": agency_code,
        "pending": [r for r in rows if r["std"].status == Status.DISCUSSED],
        "region": region, "threshold": threshold,
        "threshold_form": forms.ThresholdForm(instance=region) if region and request.user.has_role(
            *ENACT_STANDARDS) else None,
    })
