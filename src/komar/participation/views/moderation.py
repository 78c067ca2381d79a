"""The secretariat's moderation queue and the publication of themes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from komar.accounts.access import permission_required
from komar.accounts.roles import Perm
from komar.core.forms import save_with
from komar.core.htmx import partial_or_page
from komar.core.pagination import paginate
from komar.participation import selectors, services, themes
from komar.participation.forms import AcceptForm, PublishForm
from komar.participation.models import Feedback, ThemePublication

MODERATE = Perm.FEEDBACK_MODERATE


@permission_required(MODERATE)
def feedback_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", Feedback.Status.NEW)
    if status not in Feedback.Status.values:
        status = Feedback.Status.NEW
    context = {
        "page": paginate(request, selectors.feedback_queue(status=status)),
        "status": status,
        "statuses": Feedback.Status.choices,
        "can_read_referrals": selectors.can_read_referrals_for(request.user),
    }
    return render(request, partial_or_page(request, "participation/queue.html", "rows"), context)


def _detail(
    request: HttpRequest,
    feedback: Feedback,
    form: AcceptForm | None = None,
    status: int = 200,
    problems: list[str] | None = None,
) -> HttpResponse:
    context = {
        "problems": problems or [],
        "feedback": feedback,
        "accept_form": form or AcceptForm(initial={"themes": list(feedback.themes.all())}),
        "can_read_referrals": selectors.can_read_referrals_for(request.user),
    }
    return render(request, "participation/feedback_detail.html", context, status=status)


@permission_required(MODERATE)
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.feedback_get(pk=pk))


@require_POST
@permission_required(MODERATE)
def feedback_accept(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get(pk=pk)
    form = AcceptForm(request.POST)
    saved = save_with(
        form,
        lambda: services.feedback_accept(
            actor=request.user, feedback=feedback, themes=form.cleaned_data["themes"]
        ),
    )
    if saved is None:
        return _detail(request, feedback, form, status=400)
    messages.success(request, _("Message accepted."))
    return redirect("participation_feedback_queue")


@require_POST
@permission_required(MODERATE)
def feedback_reject(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get(pk=pk)
    try:
        services.feedback_reject(actor=request.user, feedback=feedback)
    except ValidationError as exc:
        return _detail(request, feedback, status=400, problems=exc.messages)
    messages.success(request, _("Message rejected as spam."))
    return redirect("participation_feedback_queue")


@require_POST
@permission_required(MODERATE)
def feedback_at_risk(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get(pk=pk)
    try:
        services.feedback_mark_at_risk(actor=request.user, feedback=feedback)
    except ValidationError as exc:
        return _detail(request, feedback, status=400, problems=exc.messages)
    messages.success(request, _("Safeguarding referral opened; the focal point has been alerted."))
    return redirect("participation_feedback", pk=pk)


@permission_required(MODERATE)
def theme_publications(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year, quarter = themes.quarter_of(today)
    last = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    form = PublishForm(request.POST or None, initial={"year": last[0], "quarter": last[1]})
    if request.method == "POST":
        saved = save_with(
            form,
            lambda: services.themes_publish(
                actor=request.user,
                year=form.cleaned_data["year"],
                quarter=form.cleaned_data["quarter"],
            ),
        )
        if saved is not None:
            messages.success(request, _("Published."))
            return redirect("participation_themes_manage")
    published = list(selectors.published_theme_periods())
    names = {t.code: t.name for t in selectors.feedback_themes()}
    context = {
        "form": form,
        "publications": [(p, selectors.published_themes(p)) for p in published],
        "pending_rows": [
            (names.get(code, code), n) for code, n in themes.raw_counts(*last)["themes"].items()
        ],
        "pending_period": last,
    }
    return render(
        request, "participation/themes_manage.html", context, status=400 if form.errors else 200
    )


@require_POST
@permission_required(MODERATE)
def theme_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    publication = get_object_or_404(ThemePublication, pk=pk)
    services.themes_withdraw(actor=request.user, publication=publication)
    messages.success(request, _("Withdrawn."))
    return redirect("participation_themes_manage")
