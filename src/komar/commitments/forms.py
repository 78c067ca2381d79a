"""Forms of the tracker's pages. They validate input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komar.accounts.models import User
from komar.commitments.models import (
    Action,
    AffectedGroup,
    Assessment,
    Item,
    ItemActor,
    ItemKind,
    ItemLink,
    Perspective,
    Progress,
    SdgTarget,
    Source,
    StateResponse,
    Theme,
    Tier,
)
from komar.commitments.selectors import ItemFilters, sources_visible_to
from komar.organisations.models import Organisation
from komar.places.models import Situation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CATEGORY_FIELDS = ("themes", "situations", "affected_groups", "sdg_targets")


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "name", None) or getattr(obj, "title", None) or obj)


class NamedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, SdgTarget):
            return f"{obj.code} {obj.name}"
        return str(obj.name)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


def organisations() -> Any:
    return Organisation.objects.filter(is_active=True).order_by("name_en")


class ItemFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    source = NamedChoiceField(label=_("Source"), required=False, queryset=Source.objects.all())
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any")), *ItemKind.choices]
    )
    theme = NamedChoiceField(
        label=_("Theme"), required=False, queryset=Theme.objects.all(), to_field_name="code"
    )
    situation = NamedChoiceField(
        label=_("Situation"),
        required=False,
        queryset=Situation.objects.all(),
        to_field_name="code",
    )
    actor = NamedChoiceField(
        label=_("Responsible organisation"), required=False, queryset=organisations()
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Progress.choices]
    )
    perspective = forms.ChoiceField(
        label=_("Status as seen by"),
        required=False,
        choices=[("", _("Either view")), *Perspective.choices],
    )
    response = forms.ChoiceField(
        label=_("State's response"),
        required=False,
        choices=[("", _("Any")), *StateResponse.choices],
    )
    gap = forms.BooleanField(label=_("Government and coalition disagree"), required=False)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    archived = forms.BooleanField(label=_("The archive"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = organisations()  # type: ignore[attr-defined]

    def filters(self) -> ItemFilters:
        if not self.is_valid():
            return ItemFilters()
        d = self.cleaned_data
        picked = {name: d.get(name) for name in ("source", "theme", "situation", "actor")}
        return ItemFilters(
            q=d["q"],
            source=picked["source"].pk if picked["source"] else None,
            kind=d.get("kind", ""),
            theme=picked["theme"].code if picked["theme"] else "",
            situation=picked["situation"].code if picked["situation"] else "",
            actor=picked["actor"].pk if picked["actor"] else None,
            status=d["status"],
            perspective=d["perspective"],
            gap=d["gap"],
            response=d.get("response", ""),
            archived=d.get("archived", False),
            overdue=d.get("overdue", False),
        )


class PublicFilterForm(ItemFilterForm):
    """The public site's filters: the tracker's, less those about its internal work, and
    sources limited to those with published items."""

    INTERNAL = ("kind", "actor", "response", "overdue", "archived")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.INTERNAL:
            del self.fields[name]
        self.fields["source"].queryset = sources_visible_to(  # type: ignore[attr-defined]
            user=AnonymousUser(), public=True
        )


class SourceForm(forms.ModelForm):
    url = forms.URLField(label=_("link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Source
        fields = [
            "code", "type", "title_en", "title_km", "date", "issuing_body_en",
            "issuing_body_km", "symbol", "url", "citation",
        ]  # fmt: skip
        widgets = {"date": DATE}


class ItemForm(forms.ModelForm):
    """The item's own fields and categories. The instance given is a throwaway copy: the
    service loads, checks and saves."""

    source = NamedChoiceField(label=_("Source"), queryset=Source.objects.all())
    themes = NamedMultipleChoiceField(
        label=_("Themes"),
        required=False,
        queryset=Theme.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    situations = NamedMultipleChoiceField(
        label=_("Global Study situations"),
        required=False,
        queryset=Situation.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    affected_groups = NamedMultipleChoiceField(
        label=_("Affected groups"),
        required=False,
        queryset=AffectedGroup.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    sdg_targets = NamedMultipleChoiceField(
        label=_("SDG targets"),
        required=False,
        queryset=SdgTarget.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    focal_point = PersonChoiceField(
        label=_("Responsible focal point"),
        required=False,
        queryset=User.objects.filter(is_active=True, memberships__isnull=False)
        .distinct()
        .order_by("full_name", "email"),
    )

    class Meta:
        model = Item
        fields = [
            "source", "reference", "paragraph", "kind", "text_en", "text_km", "summary_en",
            "summary_km", "state_response", "state_response_on", "themes", "situations",
            "affected_groups", "sdg_targets", "due_on", "focal_point",
        ]  # fmt: skip
        widgets = {"state_response_on": DATE, "due_on": DATE}

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["source"]

    def validate_unique(self) -> None:
        """The service checks the reference (and says so in the tracker's words)."""

    def item_data(self) -> dict[str, Any]:
        skip = {"source", *CATEGORY_FIELDS}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}

    def categories(self) -> dict[str, Any]:
        return {name: list(self.cleaned_data[name]) for name in CATEGORY_FIELDS}


class ActorForm(forms.Form):
    organisation = NamedChoiceField(label=_("Organisation"), queryset=organisations())
    role = forms.ChoiceField(label=_("Role"), choices=ItemActor.Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "actor_%s")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations()  # type: ignore[attr-defined]


class LinkForm(forms.Form):
    to_item = forms.CharField(
        label=_("Reference of the other item"),
        max_length=120,
        help_text=_("For example A/74/136 R1."),
    )
    kind = forms.ChoiceField(label=_("This item…"), choices=ItemLink.Kind.choices)

    def clean_to_item(self) -> Item:
        reference = self.cleaned_data["to_item"].strip()
        found = Item.objects.filter(reference=reference).first()
        if found is None:
            raise forms.ValidationError(_("No item has this reference."))
        return found

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "link_%s")
        super().__init__(*args, **kwargs)


def _acting_orgs(field: forms.Field, org_ids: set[int]) -> None:
    field.queryset = Organisation.objects.filter(pk__in=org_ids).order_by("name_en")  # type: ignore[attr-defined]


class ActionForm(forms.Form):
    description = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    starts_on = forms.DateField(label=_("From"), required=False, widget=DATE)
    due_on = forms.DateField(label=_("Due by"), required=False, widget=DATE)
    organisation = NamedChoiceField(label=_("Who"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, org_ids: set[int], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "action_%s")
        super().__init__(*args, **kwargs)
        if len(org_ids) > 1:
            _acting_orgs(self.fields["organisation"], org_ids)
        else:
            del self.fields["organisation"]

    def organisation_id(self) -> int | None:
        org = self.cleaned_data.get("organisation")
        return org.pk if org else None


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "action_status_%s")
        super().__init__(*args, **kwargs)


class AssessmentForm(forms.Form):
    """A new assessment; `perspectives` are those the user may record."""

    perspective = forms.ChoiceField(label=_("Perspective"), choices=Perspective.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Progress.choices)
    assessed_on = forms.DateField(label=_("As of"), widget=DATE)
    summary_en = forms.CharField(
        label=_("Explanation (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_km = forms.CharField(
        label=_("Explanation (Khmer)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisation = NamedChoiceField(
        label=_("Recorded for organisation"), queryset=Organisation.objects.none()
    )

    def __init__(
        self, *args: Any, perspectives: list[str], org_ids: set[int], **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"assessed_on": timezone.localdate()})
        kwargs.setdefault("auto_id", "assess_%s")
        super().__init__(*args, **kwargs)
        self.fields["perspective"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Perspective.choices if value in perspectives
        ]
        if len(org_ids) > 1:
            _acting_orgs(self.fields["organisation"], org_ids)
            self.fields["organisation"].required = False
            self.fields["organisation"].help_text = _(
                "Leave empty to record for your own organisation."
            )
        else:
            del self.fields["organisation"]

    def organisation_id(self) -> int | None:
        org = self.cleaned_data.get("organisation")
        return org.pk if org else None


class AssessmentEditForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["status", "assessed_on", "summary_en", "summary_km"]
        widgets = {
            "assessed_on": DATE,
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "summary_km": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "edit_%s")
        super().__init__(*args, **kwargs)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(
        label=_("or a link"), required=False, max_length=500, assume_scheme="https"
    )
    tier = forms.ChoiceField(label=_("Who may see it"), choices=Tier.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("file")) == bool(data.get("url")):
            self.add_error("file", _("Give either a file or a link."))
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "evidence_%s")
        super().__init__(*args, **kwargs)


class MoveForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            ("submit", _("Submit")),
            ("return", _("Return to its authors")),
            ("validate", _("Validate")),
            ("publish", _("Publish")),
        ]
    )


class ChangesForm(forms.Form):
    since = forms.DateField(label=_("Changed since"), required=False, widget=DATE)
