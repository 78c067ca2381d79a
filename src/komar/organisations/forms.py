from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from komar.geo.models import Province
from komar.organisations.models import Organisation, ThematicArea
from komar.organisations.selectors import thematic_areas
from komar.organisations.services import EDITABLE_FIELDS


class LocalisedChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class OrganisationForm(forms.ModelForm):
    thematic_areas = LocalisedChoiceField(
        queryset=ThematicArea.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    provinces = LocalisedChoiceField(
        queryset=Province.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    website = forms.URLField(
        label=_("website"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta:
        model = Organisation
        fields = [*EDITABLE_FIELDS, "is_verified"]
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "description_km": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, can_verify: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelMultipleChoiceField, self.fields["thematic_areas"]
        ).queryset = thematic_areas()
        cast(
            forms.ModelMultipleChoiceField, self.fields["provinces"]
        ).queryset = Province.objects.order_by("code")
        if not can_verify:
            del self.fields["is_verified"]
        if self.instance.pk:
            self.initial["thematic_areas"] = list(self.instance.thematic_areas.all())
            self.initial["provinces"] = list(self.instance.provinces.all())

    def service_data(self) -> dict[str, Any]:
        return {
            k: v for k, v in self.cleaned_data.items() if k not in {"thematic_areas", "provinces"}
        }


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    thematic_area = forms.ChoiceField(required=False)
    province = forms.ChoiceField(required=False)
    kind = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Search")
        self.fields["thematic_area"].label = _("Thematic area")
        self.fields["province"].label = _("Province")
        self.fields["kind"].label = _("Type")
        any_choice: list[tuple[str, str]] = [("", str(_("Any")))]
        choices: dict[str, list[tuple[str, str]]] = {
            "thematic_area": [(a.code, a.name) for a in thematic_areas()],
            "province": [(p.code, p.name) for p in Province.objects.order_by("code")],
            "kind": [(value, str(label)) for value, label in Organisation.Kind.choices],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = any_choice + options
