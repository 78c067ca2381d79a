from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from komar.accounts.models import User
from komar.geo.models import Province
from komar.organisations.models import Organisation
from komar.participation.models import (
    TEXT_LIMIT,
    AgeBand,
    ChildRequest,
    Event,
    FeedbackTheme,
    ParticipantGroup,
    SafeguardingReferral,
)
from komar.participation.services import EVENT_FIELDS
from komar.participation.validation import check_child_text

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EventForm(forms.ModelForm):
    organisers = forms.ModelMultipleChoiceField(
        label=_("Organisers"),
        queryset=Organisation.objects.order_by("name_en"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Event
        fields = EVENT_FIELDS  # what services.event_save writes
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "description_km": forms.Textarea(attrs={"rows": 4}),
            "citation": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title_en"].required = False
        self.fields["title_km"].required = False
        if self.instance.pk:
            self.fields["organisers"].initial = list(
                self.instance.organisers.values_list("pk", flat=True)
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("title_en") or "").strip() and not (data.get("title_km") or "").strip():
            self.add_error("title_en", _("Give a title in Khmer or English."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return data


class ParticipantsForm(forms.Form):
    """For each group: did it take part, and how many (blank: not known)."""

    def __init__(self, *args: Any, rows: dict[str, int | None] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        rows = rows or {}
        for value, label in ParticipantGroup.choices:
            self.fields[f"{value}_present"] = forms.BooleanField(
                label=label, required=False, initial=value in rows
            )
            self.fields[f"{value}_count"] = forms.IntegerField(
                label=_("Number of %(group)s") % {"group": label},
                required=False,
                min_value=0,
                max_value=1_000_000,
                initial=rows.get(value),
            )

    def pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{g}_present"], self[f"{g}_count"]) for g in ParticipantGroup.values]

    def groups(self) -> dict[str, int | None]:
        found: dict[str, int | None] = {}
        for g in ParticipantGroup.values:
            count = self.cleaned_data.get(f"{g}_count")
            if self.cleaned_data.get(f"{g}_present") or count is not None:
                found[g] = count
        return found


def _item_label(item: Any) -> str:
    return f"{item.reference} — {item.summary or item.text}"[:120]


class RequestForm(forms.ModelForm):
    items = forms.ModelMultipleChoiceField(
        label=_("Items in the commitments tracker"),
        queryset=FeedbackTheme.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = ChildRequest
        fields = ["number", "kind", "text_km", "text_en", "source_note"]
        widgets = {
            "text_km": forms.Textarea(attrs={"rows": 3}),
            "text_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["items"])
        field.queryset = items
        field.label_from_instance = _item_label  # type: ignore[method-assign,assignment]
        self.fields["number"].widget.attrs["min"] = 1
        if self.instance.pk:
            self.fields["items"].initial = list(self.instance.items.values_list("pk", flat=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text_en") or "").strip() and not (data.get("text_km") or "").strip():
            self.add_error("text_km", _("Write the request in Khmer or English."))
        return data


# Children's feedback ---------------------------------------------------------------------------


class ChildText(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            strip=True,
            widget=forms.Textarea(attrs={"rows": 5, "maxlength": TEXT_LIMIT}),
            **kwargs,
        )

    def validate(self, value: Any) -> None:
        super().validate(value)
        check_child_text(value or "")


class FeedbackForm(forms.Form):
    worries = ChildText(label=_("What worries you?"))
    change = ChildText(label=_("What should change?"))
    age_band = forms.ChoiceField(
        label=_("How old are you? (you can skip this)"),
        choices=AgeBand.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    province = forms.ModelChoiceField(
        label=_("Where do you live? (you can skip this)"),
        queryset=Province.objects.order_by("code"),
        required=False,
        empty_label=_("I prefer not to say"),
    )
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label="Website")
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("worries") and not data.get("change"):
            raise ValidationError(_("Please write something in at least one of the boxes."))
        return data


class AcceptForm(forms.Form):
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=FeedbackTheme.objects.order_by("sort_order", "code"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one theme.")},
    )


class ReferralEntryForm(forms.Form):
    acted_on = forms.DateField(label=_("Date of the action"), widget=DATE)
    action = forms.CharField(
        label=_("What was done"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(
        label=_("Status afterwards"), choices=SafeguardingReferral.Status.choices
    )
    closing_note = forms.CharField(
        label=_("Closing note (to close the referral)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FocalPointForm(forms.Form):
    focal_point = forms.ModelChoiceField(
        label=_("Safeguarding focal point"),
        queryset=User.objects.filter(is_active=True, memberships__isnull=False)
        .distinct()
        .order_by("full_name", "email"),
        required=False,
        empty_label=_("Nobody named: alert the whole secretariat"),
    )


class PublishForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        choices=[(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")],
    )
