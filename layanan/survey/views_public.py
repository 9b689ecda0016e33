"""Citizen pages of the survey: the link after delivery, the kiosk, the agency's public IKM page.
No login; no JavaScript needed to answer (radio buttons and a submit button)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from layanan.core.decorators import form_status
from layanan.portal.queries import agency_or_404

from . import presentation, queries, services
from .forms import AnswerForm
from .periods import last, period_of
from .questionnaire import ELEMENTS, PROFILE

KIOSK_RESET_SECONDS = 6
# Answers one kiosk takes at most (a leaked kiosk address cannot flood the index).
KIOSK_RATE = "120/h"
TREND_PERIODS = 6


def _answers(response, order):
    """The respondent's own answers, to show them again (question, chosen label)."""
    lines = []
    for element in (ELEMENTS[code] for code in order):
        score = getattr(response, element.field)
        lines.append((element.question, str(element.labels[score - 1]) if score else "—"))
    for name, label, _choices in PROFILE:
        lines.append((label, getattr(response, f"get_{name}_display")() or "—"))
    return lines


# ---------------------------------------------------------------- the link after delivery


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request, token):
    found = services.request_from_token(token)
    if found is None:
        raise Http404
    order = services.element_order(found.agency)
    context = {"req": found, "agency": found.agency, "service": found.service}
    existing = services.answer_of(found)
    if existing is not None:
        # Answerable once: a second visit or a second submit shows the first answers.
        return render(
            request,
            "survey/public/answered.html",
            {
                **context,
                "answers": _answers(existing, order),
                "response": existing,
                "again": request.method == "POST",
            },
        )
    try:
        services.check_open(found)
    except services.SurveyClosed as closed:
        return render(
            request, "survey/public/closed.html", {**context, "message": closed.message}, status=closed.status
        )
    form = AnswerForm(request.POST or None, order=order)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_request(
                found,
                scores=form.scores(),
                profile=form.profile_data(),
                suggestion=form.cleaned_data["suggestion"],
                form_token=form.cleaned_data["form_token"],
            )
            return redirect("survey_public:respond", token)
        except services.SurveyClosed as closed:
            return render(
                request,
                "survey/public/closed.html",
                {**context, "message": closed.message},
                status=closed.status,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.method == "POST" and "form_token" in form.errors:
        form = _keep_answers_with_new_token(form, order)
    return render(
        request,
        "survey/public/form.html",
        {**context, "form": form, "error": error},
        status=400 if error else form_status(request),
    )


def _keep_answers_with_new_token(form, order):
    """An expired form token: the same answers on the screen with a fresh token, one click to resend."""
    data = form.data.copy()
    data["form_token"] = services.new_form_token()
    fresh = AnswerForm(data, order=order)
    fresh.is_valid()
    fresh.add_error(None, list(form.errors["form_token"]))
    return fresh


# ---------------------------------------------------------------- kiosk


def _kiosk_or_gone(request, token):
    session = services.kiosk_from_token(token)
    if session is None:
        return None, render(request, "survey/kiosk/ended.html", status=410)
    return session, None


def _kiosk_key(group, request):
    """Answers are counted per kiosk (its token): a tablet takes a respondent every few minutes."""
    return request.resolver_match.kwargs.get("token", "") if request.resolver_match else ""


def _kiosk_rate(group, request):
    return getattr(settings, "SURVEY_KIOSK_RATE", KIOSK_RATE)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key=_kiosk_key, rate=_kiosk_rate, method="POST", block=False)
def kiosk(request, token):
    session, gone = _kiosk_or_gone(request, token)
    if gone:
        return gone
    if getattr(request, "limited", False):
        response = render(request, "survey/kiosk/too_many.html", {"agency": session.agency}, status=429)
        response["Retry-After"] = "300"
        return response
    order = services.element_order(session.agency)
    form = AnswerForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            services.kiosk_answer(
                session,
                scores=form.scores(),
                profile=form.profile_data(),
                suggestion=form.cleaned_data["suggestion"],
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return redirect("survey_public:kiosk_thanks", token)
    if request.method == "POST" and "form_token" in form.errors:
        form = _keep_answers_with_new_token(form, order)
    return render(
        request,
        "survey/kiosk/form.html",
        {
            "session": session,
            "agency": session.agency,
            "service": session.service,
            "form": form,
        },
        status=form_status(request),
    )


@never_cache
@require_GET
def kiosk_thanks(request, token):
    session, gone = _kiosk_or_gone(request, token)
    if gone:
        return gone
    return render(
        request,
        "survey/kiosk/thanks.html",
        {
            "session": session,
            "agency": session.agency,
            "service": session.service,
            "seconds": KIOSK_RESET_SECONDS,
            "next": services.kiosk_path(session),
        },
    )


# ---------------------------------------------------------------- public IKM page


@require_GET
@cache_control(public=True, max_age=300)
def ikm_page(request, code):
    agency = agency_or_404(code)
    config = services.config_of(agency)
    today = services.local_date(agency, timezone.now())
    current = period_of(config.period_kind, today)
    previous = current.previous()
    periods = last(config.period_kind, today, TREND_PERIODS)
    points = queries.trend(periods, agency_id=agency.pk)
    order = services.element_order(agency)
    shown = []
    for period in (current, previous):
        summary = queries.ikm_summary(agency_id=agency.pk, start=period.start, end=period.end)
        shown.append(
            {
                "period": period,
                "summary": summary,
                "numbers": presentation.numbers(summary),
                "elements": presentation.element_lines(summary, order),
                "adequacy": presentation.adequacy_text(summary),
            }
        )
    return render(
        request,
        "survey/public/ikm.html",
        {
            "agency": agency,
            "results": shown,
            "points": points,
            "chart": presentation.trend_chart(points),
            "services": queries.service_rows(agency, current),
            "ranges": [
                (code, label, presentation.CATEGORY_RANGES[code])
                for code, label in (
                    ("A", _("Sangat Baik")),
                    ("B", _("Baik")),
                    ("C", _("Kurang Baik")),
                    ("D", _("Tidak Baik")),
                )
            ],
        },
    )
