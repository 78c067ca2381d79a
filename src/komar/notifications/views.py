from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from komar.core.access import signed_in
from komar.core.pagination import paginate
from komar.notifications import selectors, services


@signed_in
def inbox(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.notifications_for(user=request.user))
    return render(request, "notifications/inbox.html", {"page": page})


@require_POST
@signed_in
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("notifications")
