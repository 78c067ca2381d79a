"""The children's feedback form (/voices/): Khmer first, anonymous, light enough for a cheap
phone on a slow connection — its own small template, inline CSS, no JavaScript, no images, no
web fonts.

Language: the form speaks Khmer unless the child picks English (?lang=en); the site's language
does not change it. The published themes page follows the site's language like other pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from csp.constants import NONCE
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation

from komar.audit.context import current_ip
from komar.audit.middleware import client_ip
from komar.core.access import public
from komar.core.forms import save_with
from komar.participation import selectors, services, throttle
from komar.participation.forms import FeedbackForm

LANGUAGES = ("km", "en")
CSP = {"style-src": [NONCE]}


def without_client_address(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Nothing the view does may record the client's address: the audit context's address is
    cleared while it runs."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = current_ip.set(None)
        try:
            return view(request, *args, **kwargs)
        finally:
            current_ip.reset(token)

    return wrapper


def form_language(request: HttpRequest) -> str:
    lang = request.POST.get("lang") or request.GET.get("lang") or "km"
    return lang if lang in LANGUAGES else "km"


def _page(
    request: HttpRequest, template: str, lang: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    with translation.override(lang):
        response = render(
            request,
            template,
            {**context, "lang": lang, "other_lang": "en" if lang == "km" else "km"},
            status=status,
        )
    response["Content-Language"] = lang
    response._csp_update = CSP  # type: ignore[attr-defined]  # the page's inline <style>
    response["Cache-Control"] = "no-store"
    return response


@public
@without_client_address
def feedback_form(request: HttpRequest) -> HttpResponse:
    lang = form_language(request)
    if request.method != "POST":
        form = FeedbackForm(initial={"token": throttle.make_token()})
        return _page(request, "participation/voices/form.html", lang, {"form": form})
    if not throttle.allow(client_ip(request)):
        return _page(request, "participation/voices/throttled.html", lang, {}, status=429)
    if request.POST.get("website"):  # the honeypot: a bot; it is told nothing
        return redirect(f"{reverse('participation_voices_thanks')}?lang={lang}")
    with translation.override(lang):
        form = FeedbackForm(request.POST)
        problem = throttle.token_problem(request.POST.get("token", ""))
        if problem is not None:
            form.is_valid()
            form.add_error(None, _token_message(problem))
            saved = None
        else:
            saved = save_with(
                form,
                lambda: services.feedback_submit(
                    worries=form.cleaned_data["worries"],
                    change=form.cleaned_data["change"],
                    age_band=form.cleaned_data["age_band"] or "",
                    province=form.cleaned_data["province"],
                    language=lang,
                ),
            )
    if saved is not None:
        return redirect(f"{reverse('participation_voices_thanks')}?lang={lang}")
    # A fresh token: the child's words stay in the boxes and they can send again.
    data = request.POST.copy()
    data["token"] = throttle.make_token()
    form.data = data
    return _page(request, "participation/voices/form.html", lang, {"form": form}, status=400)


def _token_message(problem: str) -> str:
    from django.utils.translation import gettext as _

    if problem == "too_fast":
        return _("That was very quick! Please check your message and press Send again.")
    if problem == "expired":
        return _("This page was open for a long time. Please press Send again.")
    return _("Something went wrong. Please press Send again.")


@public
@without_client_address
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    return _page(request, "participation/voices/thanks.html", form_language(request), {})


@public
def published_themes(request: HttpRequest) -> HttpResponse:
    """What children told us: each published quarter's themes, suppressed."""
    periods = [selectors.published_themes(p) for p in selectors.published_theme_periods()[:8]]
    return render(request, "participation/themes_public.html", {"periods": periods})
