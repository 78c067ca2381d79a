from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest
from ninja import Router, Schema

from komar.accounts.permissions import perms_of
from komar.accounts.selectors import memberships_of

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation: str
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    preferred_language: str
    two_factor_enabled: bool
    memberships: list[MembershipOut]
    permissions: list[str]


@router.get("", response=MeOut, summary="The signed-in user, their roles and permissions")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        email=user.email,  # type: ignore[union-attr]
        full_name=user.full_name,  # type: ignore[union-attr]
        preferred_language=user.preferred_language,  # type: ignore[union-attr]
        two_factor_enabled=is_mfa_enabled(user, ["totp"]),
        memberships=[
            MembershipOut(organisation=m.organisation.slug, role=m.role)
            for m in memberships_of(user)  # type: ignore[arg-type]
        ],
        permissions=sorted(perms_of(user)),
    )
