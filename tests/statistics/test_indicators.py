import re

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
