"""The legal rule sets, read by all and confirmed or corrected by the secretariat."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from komar.accounts.roles import Perm
from komar.cases import services
from komar.cases.api.common import (
    RuleBriefOut,
    _require,
)
from komar.cases.models import (
    LegalRule,
)
from komar.cases.selectors import (
    active_ruleset,
    rules_of,
)

rules_router = Router(tags=["legal rules"])

# Rules ------------------------------------------------------------------------------------------


class RuleOut(RuleBriefOut):
    id: int
    kind: str
    offence_class: str
    age_from: int | None
    age_to: int | None
    limit_value: int | None
    limit_unit: str
    extension_value: int | None
    extension_unit: str
    max_extensions: int
    age_value: int | None
    source_url: str
    note_en: str
    note_km: str
    verified_by: str | None
    verified_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_verified_by(obj: LegalRule) -> str | None:
        user = obj.verified_by
        return (user.full_name or user.email) if user else None


Unit = Literal["hours", "days", "months", ""]


class RulePatch(Schema):
    limit_value: int | None = Field(None, ge=0)
    limit_unit: Unit | None = None
    extension_value: int | None = Field(None, ge=0)
    extension_unit: Unit | None = None
    max_extensions: int = Field(0, ge=0, le=100)
    age_value: int | None = Field(None, ge=0, le=30)
    citation_en: str | None = Field(None, max_length=300)
    citation_km: str | None = Field(None, max_length=300)
    source_url: str | None = Field(None, max_length=200)
    note_en: str | None = None
    note_km: str | None = None
    verified: bool | None = Field(None, description="Confirm (true) or unconfirm (false)")


def _rules() -> Any:
    return rules_of(active_ruleset())


@rules_router.get(
    "", response=list[RuleOut], summary="The legal rules deadlines are watched against"
)
def list_rules(request: HttpRequest) -> list[LegalRule]:
    _require(request, Perm.RULES_VIEW)
    return list(_rules())


@rules_router.patch(
    "/{rule_id}",
    response=RuleOut,
    summary="Correct or confirm a legal rule (secretariat); open cases are recomputed",
)
def patch_rule(request: HttpRequest, rule_id: int, payload: RulePatch) -> LegalRule:
    _require(request, Perm.REFERENCE_CONFIRM)
    rule = _rules().filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    data = payload.dict(exclude_unset=True)
    verified = data.pop("verified", None)
    services.rule_update(
        actor=request.user,
        rule=rule,
        data=data,
        verified=rule.verified if verified is None else verified,
    )
    return _rules().get(pk=rule_id)
