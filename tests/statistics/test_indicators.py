import re
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from komar.geo.models import Province
from komar.statistics.models import ChildPopulation, Indicator, IndicatorUnit, LegalStatus, Measure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
KHMER = re.compile(r"[\u1780-\u17FF]")
OPERANDS = {*Measure.values, "population", "capacity"}


def test_the_registry_holds_the_required_indicators_with_sources() -> None:
    codes = list(Indicator.objects.values_list("code", flat=True))
    assert {"jj2", "jj3", "jj6", "jj7", "jj8", "unsentenced_share", "occupancy",
            "with_caregiver", "held_by_situation"} <= set(codes)  # fmt: skip
    for indicator in Indicator.objects.all():
        assert indicator.source and indicator.definition_en
        assert KHMER.search(indicator.name_km) and KHMER.search(indicator.definition_km)
        assert indicator.unit in IndicatorUnit.values


def test_numerators_and_denominators_name_real_measures() -> None:
    for indicator in Indicator.objects.all():
        for part in filter(None, (indicator.numerator, indicator.denominator)):
            assert part["measure"] in OPERANDS, indicator.code
            assert set(part.get("legal_status", [])) <= set(LegalStatus.values), indicator.code
        if indicator.unit != IndicatorUnit.COUNT:
            assert indicator.denominator, indicator.code


def test_unsentenced_share_counts_a_non_final_decision_as_sentenced() -> None:
    share = Indicator.objects.get(code="unsentenced_share")
    assert share.numerator == {"measure": "held", "legal_status": ["police_custody", "pre_trial"]}
    assert "awaiting_final" not in share.numerator["legal_status"]


def test_one_child_population_per_province_and_year() -> None:
    user = UserFactory()
    province = Province.objects.get(code="12")
    ChildPopulation.objects.create(province=province, year=2026, population=700_000,
                                   source="test", entered_by=user)  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildPopulation.objects.create(province=province, year=2026, population=1,
                                       source="test", entered_by=user)  # fmt: skip


def test_population_figures_are_entered_with_a_source_and_audited(world: Any) -> None:
    from django.test import Client

    from komar.accounts.roles import Role
    from komar.audit.models import AuditEvent
    from tests.conftest import login

    client = login(Client(headers={"accept-language": "en"}), world.user(Role.ANALYST))
    province = Province.objects.get(code="08")
    missing = client.post("/statistics/population/", {"province": province.pk, "year": "2026",
                                                      "population": "10", "source": " "})  # fmt: skip
    assert missing.status_code == 200 and "source" in missing.context["form"].errors
    for value in ("500000", "510000"):
        client.post("/statistics/population/", {"province": province.pk, "year": "2026",
                                                "population": value, "source": "NIS projection"})  # fmt: skip
    figure = ChildPopulation.objects.get(province=province, year=2026)
    assert figure.population == 510000
    event = AuditEvent.objects.filter(action="child_population.save").order_by("-seq").first()
    assert event.changes["population"] == {"old": 500000, "new": 510000}
