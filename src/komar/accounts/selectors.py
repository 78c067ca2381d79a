from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from komar.accounts.models import ApiToken, Membership, User
from komar.organisations.models import Organisation


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name_en")
    )


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    """Members with whether each has two-factor sign-in turned on (one query)."""
    totp = Authenticator.objects.filter(user_id=OuterRef("user_id"), type=Authenticator.Type.TOTP)
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(has_two_factor=Exists(totp))
        .order_by("user__email")
    )


def membership_get(organisation: Organisation, membership_id: int) -> Membership:
    try:
        return Membership.objects.select_related("user", "organisation").get(
            pk=membership_id, organisation=organisation
        )
    except Membership.DoesNotExist as exc:
        raise Http404 from exc


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def token_get_for(user: User, token_id: int) -> ApiToken:
    try:
        return ApiToken.objects.get(pk=token_id, user=user)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
