"""Lookups shared by the apps' API modules: organisations named by slug or id, as clients
send them, and the short form in which answers show them. (No `from __future__ import
annotations`: ninja reads these annotations at runtime.)"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Schema

from komar.organisations.models import Organisation

Ref = int | str


class OrganisationBrief(Schema):
    id: int
    slug: str
    name_en: str
    name_km: str


def organisations_by_ref(field: str, refs: list[Ref]) -> list[Organisation]:
    """Active organisations by slug or id, in the order given; a ValidationError on `field`
    names every one not found (the API answers 422)."""
    qs = Organisation.objects.filter(is_active=True)
    found, missing = [], []
    for ref in refs:
        text = str(ref).strip()
        org = qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(slug=text).first()
        if org is None:
            missing.append(text)
        else:
            found.append(org)
    if missing:
        raise ValidationError(
            {field: _("No such organisation: %(ref)s") % {"ref": ", ".join(missing)}}
        )
    return found


def organisation_by_ref(field: str, ref: Ref) -> Organisation:
    return organisations_by_ref(field, [ref])[0]
