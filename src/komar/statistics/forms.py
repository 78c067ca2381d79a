from __future__ import annotations

import itertools
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from komar.geo.models import Province
from komar.places.models import Place
from komar.statistics.checks import CellKey, cell_name
from komar.statistics.models import (
    AgeBand,
    CaregiverAge,
    CountReturn,
    LegalStatus,
    Measure,
    ReturnStatus,
    Sex,
)

HELD_KEYS: list[CellKey] = [
    (Measure.HELD.value, s, a, ls)
    for s, a, ls in itertools.product(Sex.values, AgeBand.values, LegalStatus.values)
]
CAREGIVER_KEYS: list[CellKey] = [
    (Measure.WITH_CAREGIVER.value, "", age, "") for age in CaregiverAge.values
]
SINGLE_KEYS: list[CellKey] = [
    (m.value, "", "", "") for m in Measure if m not in (Measure.HELD, Measure.WITH_CAREGIVER)
]
ALL_KEYS = HELD_KEYS + CAREGIVER_KEYS + SINGLE_KEYS


def cell_label(key: CellKey) -> str:
    """A cell's name for people, in the active language."""
    measure, sex, age, legal = key
    if measure == Measure.HELD:
        return f"{Sex(sex).label}, {AgeBand(age).label}, {LegalStatus(legal).label}"
    if measure == Measure.WITH_CAREGIVER:
        return f"{Measure(measure).label}: {CaregiverAge(age).label}"
    return str(Measure(measure).label)


def field_name(key: CellKey) -> str:
    return "c__" + cell_name(key).replace("/", "__")


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class ReturnCreateForm(forms.ModelForm):
    place = NamedChoiceField(queryset=Place.objects.none(), label=_("place"))

    class Meta:
        model = CountReturn
        fields = ["place", "reference_date", "period_start", "period_end", "source"]
        widgets = {
            "reference_date": forms.DateInput(attrs={"type": "date"}),
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["place"]).queryset = Place.objects.order_by("code")


class ReturnNumbersForm(forms.Form):
    """Totals and every cell. Blank cells are simply not reported."""

    total_held = forms.IntegerField(label=_("total children held"), min_value=0, required=False)
    total_with_caregiver = forms.IntegerField(
        label=_("total children living with a caregiver"), min_value=0, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in ALL_KEYS:
            self.fields[field_name(key)] = forms.IntegerField(
                min_value=0,
                required=False,
                label=cell_label(key),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "cell"}),
            )

    def cells(self) -> dict[CellKey, int]:
        return {
            key: self.cleaned_data[field_name(key)]
            for key in ALL_KEYS
            if self.cleaned_data.get(field_name(key)) is not None
        }

    def field_for_issue(self, issue_field: str) -> str | None:
        if issue_field in self.fields:
            return issue_field
        name = "c__" + issue_field.replace("/", "__")
        return name if name in self.fields else None


class ReturnFilterForm(forms.Form):
    place = forms.CharField(label=_("Place code"), required=False, max_length=40)
    province = forms.ChoiceField(label=_("Province"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice: list[tuple[str, str]] = [("", str(_("Any")))]
        cast(forms.ChoiceField, self.fields["province"]).choices = any_choice + [
            (p.code, p.name) for p in Province.objects.order_by("code")
        ]
        cast(forms.ChoiceField, self.fields["status"]).choices = any_choice + [
            (value, str(label)) for value, label in ReturnStatus.choices
        ]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Use the template: one row per return, one column per cell. At most 50 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than 50 MB. Split it into smaller files.")
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class PopulationForm(forms.Form):
    """A plain form: saving a province and year that already have a figure corrects it."""

    province = NamedChoiceField(queryset=Province.objects.none(), label=_("province"))
    year = forms.IntegerField(label=_("year"), min_value=1990, max_value=2100)
    population = forms.IntegerField(label=_("children under 18"), min_value=0)
    source = forms.CharField(label=_("source"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["province"]).queryset = Province.objects.order_by(
            "code"
        )
