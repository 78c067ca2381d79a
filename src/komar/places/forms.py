from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from komar.geo.models import Province
from komar.places.models import Place, PlaceType, Situation
from komar.places.services import EDITABLE_FIELDS

UNKNOWN_YES_NO = [("", _("Not known")), ("true", _("Yes")), ("false", _("No"))]


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PlaceForm(forms.ModelForm):
    place_type = NamedChoiceField(queryset=PlaceType.objects.none(), label=_("type"))
    situation_override = NamedChoiceField(
        queryset=Situation.objects.none(),
        required=False,
        label=_("situation (if not the type's usual one)"),
    )
    province = NamedChoiceField(queryset=Province.objects.none(), label=_("province"))
    has_child_section = forms.NullBooleanField(
        label=_("has a separate section for children"),
        required=False,
        widget=forms.Select(choices=UNKNOWN_YES_NO),
    )
    admits_children_with_caregiver = forms.NullBooleanField(
        label=_("admits children living with a caregiver"),
        required=False,
        widget=forms.Select(choices=UNKNOWN_YES_NO),
    )

    class Meta:
        model = Place
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}),
            "closed_on": forms.DateInput(attrs={"type": "date"}),
            "note_en": forms.Textarea(attrs={"rows": 3}),
            "note_km": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        querysets = {
            "place_type": PlaceType.objects.order_by("sort_order"),
            "situation_override": Situation.objects.order_by("number"),
            "province": Province.objects.order_by("code"),
        }
        for name, queryset in querysets.items():
            cast(forms.ModelChoiceField, self.fields[name]).queryset = queryset


class PlaceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    place_type = forms.ChoiceField(label=_("Type"), required=False)
    situation = forms.ChoiceField(label=_("Situation"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    status = forms.ChoiceField(
        label=_("Open or closed"),
        required=False,
        choices=[("", _("Any")), ("open", _("Open")), ("closed", _("Closed"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice: list[tuple[str, str]] = [("", str(_("Any")))]
        options: dict[str, list[tuple[str, str]]] = {
            "place_type": [(t.code, t.name) for t in PlaceType.objects.order_by("sort_order")],
            "situation": [(s.code, s.name) for s in Situation.objects.order_by("number")],
            "province": [(p.code, p.name) for p in Province.objects.order_by("code")],
        }
        for name, choices in options.items():
            cast(forms.ChoiceField, self.fields[name]).choices = any_choice + choices
