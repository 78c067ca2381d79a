"""Forms of the statement pages. They validate input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from komar.commitments.models import Item
from komar.organisations.models import Organisation
from komar.statements.models import Endorsement, EndorsementRole, Statement

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_FIELDS = (
    "title_en", "title_km", "place_en", "place_km", "date", "text_en", "text_km", "text_km_note",
    "contact", "links",
)  # fmt: skip
ROLE_POSITIONS = [(str(n), str(n)) for n in range(1, len(EndorsementRole) + 1)]


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class StatementForm(forms.Form):
    """Title, place, date and texts in both languages, contact, links, and the order of the
    signatory groups; on creation, the organisation drafting it."""

    def __init__(
        self,
        *args: Any,
        statement: Statement | None = None,
        drafting_orgs: Any = None,
        **kwargs: Any,
    ) -> None:
        if statement is not None and "initial" not in kwargs:
            initial = {name: getattr(statement, name) for name in TEXT_FIELDS}
            for i, role in enumerate(statement.role_order, start=1):
                initial[f"order_{role}"] = str(i)
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if drafting_orgs is not None:
            self.fields["organisation"] = OrganisationChoiceField(
                label=_("Drafting organisation"),
                queryset=drafting_orgs,
                required=False,
                help_text=_("It joins the organising committee."),
            )
        self.fields.update(fields_for_model(Statement, fields=TEXT_FIELDS))
        self.fields["date"].widget = DATE
        self.fields["text_en"].widget.attrs["rows"] = 14
        self.fields["text_km"].widget.attrs["rows"] = 14
        self.fields["text_km"].widget.attrs["lang"] = "km"
        self.fields["title_km"].widget.attrs["lang"] = "km"
        self.fields["links"].widget.attrs["rows"] = 3
        for i, role in enumerate(EndorsementRole, start=1):
            self.fields[f"order_{role.value}"] = forms.ChoiceField(
                label=_("Place of the group “%(role)s”") % {"role": role.label},
                choices=ROLE_POSITIONS,
                initial=str(i),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        places = {role.value: data.get(f"order_{role.value}") for role in EndorsementRole}
        if None not in places.values() and len(set(places.values())) != len(places):
            raise forms.ValidationError(_("Give each group of signatories a different place."))
        return data

    def statement_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in TEXT_FIELDS}
        places = {
            role.value: int(self.cleaned_data[f"order_{role.value}"]) for role in EndorsementRole
        }
        data["role_order"] = sorted(places, key=lambda role: places[role])
        return data


class CommitteeForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True).order_by("name_en"),
    )


class ItemLinkForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference of the tracker item"),
        max_length=100,
        help_text=_("For example: A/HRC/WG.6/32/KHM/1 para 110.1"),
    )

    def clean_reference(self) -> Item:
        ref = self.cleaned_data["reference"].strip()
        item = Item.objects.filter(reference=ref, is_archived=False).first()
        if item is None:
            raise forms.ValidationError(_("No current item of the tracker has this reference."))
        return item


class EndorseForm(forms.Form):
    """The organisation list offers only those the user may endorse for; any other is refused
    by the service with its own message."""

    organisation = OrganisationChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all()
    )
    role = forms.ChoiceField(label=_("Role"), choices=EndorsementRole.choices)
    note_en = fields_for_model(Endorsement, fields=["note_en"])["note_en"]
    note_km = fields_for_model(Endorsement, fields=["note_km"])["note_km"]
    anonymous = fields_for_model(Endorsement, fields=["anonymous"])["anonymous"]

    def __init__(self, *args: Any, org_ids: set[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = Organisation.objects.filter(pk__in=org_ids).order_by("name_en")
        field = self.fields["organisation"]
        field.widget.choices = [("", "---------")] + [(o.pk, o.name) for o in offered]
        if len(org_ids) == 1 and not self.is_bound:
            self.initial.setdefault("organisation", next(iter(org_ids)))
        self.fields["role"].initial = EndorsementRole.ENDORSER.value
        self.fields["note_km"].widget.attrs["lang"] = "km"


class OrderForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
