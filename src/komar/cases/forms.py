"""Forms of the case pages. They validate input; the services decide and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from komar.accounts.models import Membership, User
from komar.accounts.roles import Role
from komar.cases.deadlines import Band
from komar.cases.models import (
    Case,
    ChildIdentity,
    Consent,
    LegalRule,
    LegalStatus,
    OffenceClass,
    ServiceProvided,
    TimelineEvent,
)
from komar.organisations.models import Organisation
from komar.places.models import Place

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})
YES_NO_UNKNOWN = [("", _("Not known")), ("true", _("Yes")), ("false", _("No"))]
CASE_WORKER_ROLES = [Role.CASEWORKER, Role.ORG_ADMIN]

BAND_CHOICES = [
    ("", _("Any deadline")),
    (Band.PAST, _("Past the limit")),
    (Band.WITHIN_7, _("Within 7 days")),
    (Band.WITHIN_30, _("Within 30 days")),
    (Band.LATER, _("Later")),
]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def staff_of(organisation_id: int) -> Any:
    """People of an organisation who work on cases (caseworkers and admins)."""
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            organisation_id=organisation_id, role__in=CASE_WORKER_ROLES
        ).values("user_id"),
    ).order_by("full_name", "email")


class VersionedForm(forms.Form):
    """Carries the version of the case the user saw, so a concurrent save is caught."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Case code or external ID"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Case status"),
        required=False,
        choices=[("", _("Open and closed")), *Case.Status.choices],
    )
    legal_status = forms.ChoiceField(
        label=_("Legal status"), required=False, choices=[("", _("Any")), *LegalStatus.choices]
    )
    band = forms.ChoiceField(label=_("Next deadline"), required=False, choices=BAND_CHOICES)
    mine = forms.BooleanField(label=_("Only my cases"), required=False)


class IdentityFields(forms.Form):
    name_km = forms.CharField(label=_("Full name (Khmer script)"), max_length=200, required=False)
    name_latin = forms.CharField(
        label=_("Full name (Latin script)"), max_length=200, required=False
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    estimated_age = forms.IntegerField(
        label=_("Or estimated age (years)"), required=False, min_value=0, max_value=29
    )
    estimated_on = forms.DateField(
        label=_("Age estimated on"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty for today."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), required=False, choices=[("", "—"), *ChildIdentity.Sex.choices]
    )
    guardian_name = forms.CharField(label=_("Parent or guardian"), max_length=200, required=False)
    guardian_contact = forms.CharField(
        label=_("Guardian's contact"), max_length=200, required=False
    )
    home_village_code = forms.CharField(
        label=_("Home village code"),
        max_length=20,
        required=False,
        help_text=_("The village code of the national gazetteer."),
    )

    def identity(self) -> dict[str, Any]:
        data = {f: self.cleaned_data.get(f) for f in IdentityFields.base_fields}
        if data.get("estimated_age") is not None:
            data["estimated_age"] = str(data["estimated_age"])
        return data


class CaseFields(forms.Form):
    offence_date = forms.DateField(
        label=_("Date of the alleged offence"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty if it is the date of arrest."),
    )
    lawyer = PersonChoiceField(label=_("Lawyer"), queryset=User.objects.none(), required=False)
    social_worker = PersonChoiceField(
        label=_("Social worker"), queryset=User.objects.none(), required=False
    )
    primero_case_id = forms.CharField(label=_("Primero case ID"), max_length=64, required=False)
    mosvy_number = forms.CharField(label=_("MoSVY number"), max_length=64, required=False)
    oscar_global_id = forms.CharField(label=_("OSCaR global ID"), max_length=64, required=False)

    def set_staff(self, organisation_id: int) -> None:
        for name in ("lawyer", "social_worker"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = staff_of(organisation_id)

    def case_data(self) -> dict[str, Any]:
        return {f: self.cleaned_data.get(f) for f in CaseFields.base_fields}


class CaseOpenForm(IdentityFields, CaseFields):
    organisation = NamedChoiceField(
        label=_("Owning organisation"), queryset=Organisation.objects.none()
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("I checked: this is a different child"), required=False
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organisation"])
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = organisations.first()
            field.widget = forms.HiddenInput()
        org_id = self.data.get("organisation") or (field.initial.pk if field.initial else None)
        if str(org_id or "").isdigit():
            self.set_staff(int(str(org_id)))
        self.order_fields(
            [
                "organisation",
                *IdentityFields.base_fields,
                *CaseFields.base_fields,
                "confirm_not_duplicate",
            ]
        )


class CaseEditForm(VersionedForm, CaseFields):
    pass


class IdentityEditForm(VersionedForm, IdentityFields):
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG or PNG, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )


class RevealForm(forms.Form):
    purpose = forms.CharField(
        label=_("Why do you need the child's identity?"),
        max_length=200,
        help_text=_("Written to the case's access log."),
    )


class EventForm(VersionedForm):
    kind = forms.ChoiceField(label=_("What happened"), choices=TimelineEvent.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE)
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=TIME,
        help_text=_("Needed for police custody hours."),
    )
    place = NamedChoiceField(label=_("Place"), queryset=Place.objects.none(), required=False)
    place_text = forms.CharField(
        label=_("Place (if not in the registry)"), max_length=255, required=False
    )
    held_with_adults = forms.NullBooleanField(
        label=_("Held with adults"), required=False, widget=forms.Select(choices=YES_NO_UNKNOWN)
    )
    offence = forms.CharField(label=_("Offence"), max_length=255, required=False)
    offence_class = forms.ChoiceField(
        label=_("Offence class"), required=False, choices=[("", "—"), *OffenceClass.choices]
    )
    extension_of = forms.ChoiceField(
        label=_("Extension of"),
        required=False,
        choices=[("", "—"), *TimelineEvent.ExtensionOf.choices],
    )
    outcome = forms.ChoiceField(
        label=_("Verdict"), required=False, choices=[("", "—"), *TimelineEvent.Outcome.choices]
    )
    sentence_months = forms.IntegerField(
        label=_("Sentence (months)"), required=False, min_value=0, max_value=600
    )
    sentence_days = forms.IntegerField(
        label=_("and days"), required=False, min_value=0, max_value=366
    )
    custodial = forms.NullBooleanField(
        label=_("Time in detention"), required=False, widget=forms.Select(choices=YES_NO_UNKNOWN)
    )
    measure = forms.CharField(label=_("Measure"), max_length=255, required=False)
    document = forms.CharField(label=_("Reference document"), max_length=255, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["place"]).queryset = Place.objects.order_by(
            "name_en"
        )

    def event_data(self) -> dict[str, Any]:
        return {f: v for f, v in self.cleaned_data.items() if f != "version"}


class EventDeleteForm(VersionedForm):
    reason = forms.CharField(label=_("Why remove this event?"), max_length=500)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Confidential note"), widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Consent.Kind.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    given_by = forms.CharField(
        label=_("Given by"),
        max_length=200,
        required=False,
        help_text=_("Name of the parent or representative (not needed for the child's assent)."),
    )
    relationship = forms.CharField(
        label=_("Relationship to the child"), max_length=100, required=False
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE)


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ServiceForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), choices=ServiceProvided.Service.choices)
    provided_on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


def _consent_label(obj: Any) -> str:
    return f"{obj.get_kind_display()} · {obj.given_on}"


class ReferralForm(forms.Form):
    to_organisation = NamedChoiceField(label=_("Refer to"), queryset=Organisation.objects.none())
    reason = forms.CharField(
        label=_("What the child needs"), widget=forms.Textarea(attrs={"rows": 2})
    )
    consent = forms.ModelChoiceField(
        label=_("Consent to referral"),
        queryset=Consent.objects.none(),
        required=False,
        empty_label=_("No consent recorded"),
    )
    override_reason = forms.CharField(
        label=_("Reason for referring without consent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only organisation admins may do this; it is written to the audit log."),
    )
    share_identity = forms.BooleanField(label=_("Share the child's identity"), required=False)
    share_timeline = forms.BooleanField(
        label=_("Share the legal timeline"), required=False, initial=True
    )
    share_notes = forms.BooleanField(label=_("Share confidential notes"), required=False)
    share_services = forms.BooleanField(
        label=_("Share services provided"), required=False, initial=True
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["to_organisation"]
        ).queryset = Organisation.objects.exclude(pk=case.organisation_id).order_by("name_en")
        consent = cast(forms.ModelChoiceField, self.fields["consent"])
        consent.queryset = case.consents.filter(
            purpose=Consent.Purpose.REFERRAL, withdrawn_on__isnull=True
        )
        consent.label_from_instance = _consent_label  # type: ignore[method-assign]


class ReferralAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"), choices=[("accept", _("Accept")), ("decline", _("Decline"))]
    )
    answer_note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(label=_("Reason for closing"), choices=Case.CloseReason.choices)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("Why reopen the case?"), max_length=500)


class ExportForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose of this export"),
        max_length=200,
        help_text=_("Written to the access log with the export."),
    )
    identifiable = forms.BooleanField(
        label=_("Include children's identities"),
        required=False,
        help_text=_("Needs the separate permission to export identities."),
    )


class RuleForm(forms.ModelForm):
    source_url = forms.URLField(label=_("Source"), required=False, assume_scheme="https")

    class Meta:
        model = LegalRule
        fields = [
            "limit_value",
            "limit_unit",
            "extension_value",
            "extension_unit",
            "max_extensions",
            "age_value",
            "citation_en",
            "citation_km",
            "source_url",
            "note_en",
            "note_km",
            "verified",
        ]
        widgets = {
            "note_en": forms.Textarea(attrs={"rows": 2}),
            "note_km": forms.Textarea(attrs={"rows": 2}),
        }
