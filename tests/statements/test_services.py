"""The statement services: lifecycle, versions, endorsements, and refusals that store nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from komar.notifications.models import Notification
from komar.statements import selectors, services
from komar.statements.models import Endorsement, Statement, StatementVersion
from tests.commitments.helpers import make_item
from tests.conftest import World
from tests.statements.helpers import endorse, fresh, make_statement, org_with_admin, statement_data

pytestmark = pytest.mark.django_db
SEC = Role.SECRETARIAT_ADMIN
ORG_ADMIN = Role.ORG_ADMIN


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# Drafting ------------------------------------------------------------------------------------


def test_create_puts_the_drafters_organisation_on_the_committee(world: World) -> None:
    s = make_statement(world)
    assert s.status == Statement.Status.DRAFT and s.version == 0
    assert list(s.committee.values_list("pk", flat=True)) == [world.org_a.pk]
    assert s.slug == "joint-statement-of-civil-society"
    assert AuditEvent.objects.filter(action="statements.statement.create").count() == 1
    assert make_statement(world).slug == "joint-statement-of-civil-society-2"


def test_secretariat_may_create_for_the_coalition_without_a_committee(world: World) -> None:
    s = services.statement_create(actor=world.user(SEC), data=statement_data())
    assert s.committee.count() == 0


def test_create_refused_for_roles_without_drafting_or_for_another_organisation(
    world: World,
) -> None:
    before = Statement.objects.count()  # the 2021 statement is preloaded
    with pytest.raises(PermissionDenied):
        services.statement_create(actor=world.user(Role.MONITOR), data=statement_data())
    with pytest.raises(ValidationError) as exc:
        services.statement_create(
            actor=world.user(ORG_ADMIN), data=statement_data(), organisation_id=world.org_b.pk
        )
    assert "organisation" in _errors(exc)
    assert Statement.objects.count() == before


def test_draft_edited_by_committee_and_secretariat_not_by_others(world: World) -> None:
    s = make_statement(world)
    services.statement_update(actor=world.user(ORG_ADMIN), statement=s, data={"title_en": "A"})
    services.statement_update(actor=world.user(SEC), statement=s, data={"title_en": "B"})
    with pytest.raises(PermissionDenied):
        services.statement_update(actor=world.other_admin, statement=s, data={"title_en": "C"})
    with pytest.raises(PermissionDenied):
        services.statement_update(
            actor=world.user(Role.MONITOR), statement=s, data={"title_en": "C"}
        )
    assert fresh(s).title_en == "B"
    assert fresh(s).version == 0  # a draft has no locked version


def test_committee_add_lets_the_other_organisation_draft(world: World) -> None:
    s = make_statement(world)
    services.committee_add(actor=world.user(ORG_ADMIN), statement=s, organisation=world.org_b)
    services.statement_update(actor=world.other_admin, statement=s, data={"place_en": "Siem Reap"})
    assert fresh(s).place_en == "Siem Reap"
    with pytest.raises(ValidationError):
        services.committee_add(actor=world.user(SEC), statement=s, organisation=world.org_b)
    services.committee_remove(actor=world.user(SEC), statement=s, organisation=world.org_b)
    with pytest.raises(PermissionDenied):
        services.statement_update(actor=world.other_admin, statement=s, data={"place_en": "X"})


def test_role_order_must_list_each_role_once(world: World) -> None:
    s = make_statement(world)
    with pytest.raises(ValidationError) as exc:
        services.statement_update(
            actor=world.user(SEC), statement=s, data={"role_order": ["speaker", "speaker"]}
        )
    assert "role_order" in _errors(exc)
    order = ["network", "endorser", "speaker", "organising_committee"]
    services.statement_update(actor=world.user(SEC), statement=s, data={"role_order": order})
    assert fresh(s).role_order == order


# Lifecycle -----------------------------------------------------------------------------------


def test_open_locks_version_one(world: World) -> None:
    s = make_statement(world)
    s = services.statement_open(actor=world.user(ORG_ADMIN), statement=s)
    assert (s.status, s.version) == ("open", 1)
    v = StatementVersion.objects.get(statement=s)
    assert (v.number, v.title_km, v.text_en) == (1, s.title_km, s.text_en)
    with pytest.raises(ValidationError) as exc:
        services.statement_open(actor=world.user(SEC), statement=s)
    assert "status" in _errors(exc)
    assert StatementVersion.objects.filter(statement=s).count() == 1


def test_close_reopen_and_who_may(world: World) -> None:
    s = make_statement(world, "open")
    with pytest.raises(PermissionDenied):
        services.statement_close(actor=world.other_admin, statement=s)
    s = services.statement_close(actor=world.user(ORG_ADMIN), statement=s)
    assert s.status == "closed" and s.closed_at
    s = services.statement_reopen(actor=world.user(SEC), statement=s)
    assert s.status == "open" and s.closed_at is None


def test_publish_only_by_secretariat_and_not_from_draft(world: World) -> None:
    s = make_statement(world)
    with pytest.raises(ValidationError):
        services.statement_publish(actor=world.user(SEC), statement=s)
    services.statement_open(actor=world.user(SEC), statement=s)
    with pytest.raises(PermissionDenied):
        services.statement_publish(actor=world.user(ORG_ADMIN), statement=s)
    s = services.statement_publish(actor=world.user(SEC), statement=s)
    assert s.status == "published" and s.published_at


def test_publish_refused_while_endorsements_await_a_decision(world: World) -> None:
    s = make_statement(world, "open")
    org, user = org_with_admin("Child Advocate Network", "បណ្តាញអ្នកតស៊ូមតិកុមារ")
    endorse(s, org, user)
    with pytest.raises(ValidationError) as exc:
        services.statement_publish(actor=world.user(SEC), statement=s)
    assert "Child Advocate Network" in _errors(exc)["status"][0]
    assert fresh(s).status == "open"


def test_published_statement_cannot_be_edited(world: World) -> None:
    s = make_statement(world, "published")
    with pytest.raises(ValidationError):
        services.statement_update(actor=world.user(SEC), statement=s, data={"title_en": "X"})
    with pytest.raises(ValidationError):
        services.committee_add(actor=world.user(SEC), statement=s, organisation=world.org_b)
    assert fresh(s).title_en != "X"


# Versions ------------------------------------------------------------------------------------


def test_change_while_open_makes_version_two_and_tells_endorsers(world: World) -> None:
    s = make_statement(world, "open")
    org, user = org_with_admin("Chab Dai Coalition", "សម្ព័ន្ធចាប់ដៃ")
    user.preferred_language = "en"
    user.save()
    e = endorse(s, org, user)
    endorse(s, world.org_b, world.other_admin)
    withdrawn_org, withdrawn_user = org_with_admin("Gone", "ទៅ")
    services.endorsement_withdraw(
        actor=withdrawn_user, endorsement=endorse(s, withdrawn_org, withdrawn_user)
    )
    s = services.statement_update(
        actor=world.user(ORG_ADMIN), statement=s, data={"text_en": s.text_en + "\n\nAdded."}
    )
    assert (s.status, s.version) == ("open", 2)
    assert StatementVersion.objects.filter(statement=s).count() == 2
    told = set(
        Notification.objects.filter(key__startswith="statements.").values_list(
            "user__email", flat=True
        )
    )
    assert told == {user.email, world.other_admin.email}
    note = Notification.objects.get(user=user)
    assert "version 2" in note.body and "Chab Dai Coalition" in note.body
    in_khmer = Notification.objects.get(user=world.other_admin)  # rendered in their language
    assert world.org_b.name_km in in_khmer.body
    assert Endorsement.objects.get(pk=e.pk).version == 1
    # a change of something else (the contact) is no new version
    services.statement_update(actor=world.user(SEC), statement=s, data={"contact": "x@y.invalid"})
    assert fresh(s).version == 2


def test_change_while_closed_reopens_sign_on(world: World) -> None:
    s = make_statement(world, "closed")
    s = services.statement_update(actor=world.user(SEC), statement=s, data={"title_km": "ថ្មី"})
    assert (s.status, s.version, s.closed_at) == ("open", 2, None)


def test_reconfirm_takes_the_current_version(world: World) -> None:
    s = make_statement(world, "open")
    e = endorse(s, world.org_b, world.other_admin)
    with pytest.raises(ValidationError):
        services.endorsement_reconfirm(actor=world.other_admin, endorsement=e)
    services.statement_update(actor=world.user(SEC), statement=s, data={"text_km": "អត្ថបទថ្មី"})
    e = services.endorsement_reconfirm(actor=world.other_admin, endorsement=e)
    assert e.version == 2
    with pytest.raises(PermissionDenied):
        services.endorsement_reconfirm(actor=world.user(ORG_ADMIN), endorsement=e)


def test_version_history_diffs_paragraphs(world: World) -> None:
    s = make_statement(world, "open")
    text = s.text_en.replace("ten requests", "ten concrete requests") + "\n\nA new paragraph."
    services.statement_update(actor=world.user(SEC), statement=s, data={"text_en": text})
    newest, first = selectors.version_history(s)
    assert (newest.version.number, first.version.number) == (2, 1)
    kinds = [c.kind for c in newest.text_en]
    assert kinds == ["equal", "replace"]
    assert newest.text_en[1].old == ["We fully support the ten requests of the children."]
    assert newest.text_en[1].new[-1] == "A new paragraph."
    assert [c.kind for c in newest.text_km] == ["equal"]


# Endorsements --------------------------------------------------------------------------------


def test_endorse_records_role_note_and_version(world: World) -> None:
    s = make_statement(world, "open")
    e = endorse(
        s,
        world.org_b,
        world.other_admin,
        role="organising_committee",
        note_en="represented by Terre des hommes",
        note_km="តំណាងដោយ Terre des hommes",
    )
    assert (e.status, e.version, e.role, e.made_by) == (
        "pending",
        1,
        "organising_committee",
        world.other_admin,
    )


@pytest.mark.parametrize("status", ["draft", "closed", "published"])
def test_endorse_refused_unless_open(world: World, status: str) -> None:
    s = make_statement(world, status)
    with pytest.raises(ValidationError) as exc:
        endorse(s, world.org_b, world.other_admin)
    assert "not open" in _errors(exc)["statement"][0]
    assert s.endorsements.count() == 0


def test_endorse_twice_refused(world: World) -> None:
    s = make_statement(world, "open")
    endorse(s, world.org_b, world.other_admin)
    with pytest.raises(ValidationError) as exc:
        endorse(s, world.org_b, world.other_admin, role="speaker")
    assert "already endorsed" in _errors(exc)["organisation"][0]
    assert s.endorsements.count() == 1


def test_endorse_for_an_organisation_you_are_not_authorised_for(world: World) -> None:
    s = make_statement(world, "open")
    with pytest.raises(ValidationError) as exc:
        endorse(s, world.org_a, world.other_admin)
    assert _errors(exc)["organisation"] == ["You are not authorised for this organisation."]
    with pytest.raises(PermissionDenied):  # a monitor may endorse for no organisation
        endorse(s, world.org_a, world.user(Role.MONITOR))
    assert s.endorsements.count() == 0


def test_withdraw_then_endorse_again(world: World) -> None:
    s = make_statement(world, "open")
    e = endorse(s, world.org_b, world.other_admin)
    e = services.endorsement_withdraw(actor=world.other_admin, endorsement=e)
    assert e.status == "withdrawn" and e.withdrawn_at
    with pytest.raises(ValidationError):
        services.endorsement_withdraw(actor=world.other_admin, endorsement=e)
    again = endorse(s, world.org_b, world.other_admin, role="speaker")
    assert again.status == "pending"


def test_withdraw_after_publication_refused(world: World) -> None:
    s = make_statement(world, "open")
    e = endorse(s, world.org_b, world.other_admin)
    services.endorsement_decide(actor=world.user(SEC), endorsement=e, approve=True)
    services.statement_publish(actor=world.user(SEC), statement=s)
    with pytest.raises(ValidationError) as exc:
        services.endorsement_withdraw(actor=world.other_admin, endorsement=e)
    assert "published" in _errors(exc)["status"][0]
    assert Endorsement.objects.get(pk=e.pk).status == "approved"


def test_decide_only_by_secretariat_and_only_pending(world: World) -> None:
    s = make_statement(world, "open")
    e = endorse(s, world.org_b, world.other_admin)
    with pytest.raises(PermissionDenied):
        services.endorsement_decide(actor=world.user(ORG_ADMIN), endorsement=e, approve=True)
    e = services.endorsement_decide(actor=world.user(SEC), endorsement=e, approve=False)
    assert e.status == "rejected" and e.decided_by == world.user(SEC)
    with pytest.raises(ValidationError):
        services.endorsement_decide(actor=world.user(SEC), endorsement=e, approve=True)


# Signatories ---------------------------------------------------------------------------------


def _approve_all(world: World, s: Statement) -> None:
    for e in s.endorsements.filter(status="pending"):
        services.endorsement_decide(actor=world.user(SEC), endorsement=e, approve=True)


def test_signatories_grouped_in_role_order_named_in_order_anonymous_counted(world: World) -> None:
    s = make_statement(world, "open")
    zeta, zu = org_with_admin("Zeta", "ហ")
    alpha, au = org_with_admin("Alpha", "ក")
    hidden, hu = org_with_admin("Hidden", "លាក់")
    speaker, su = org_with_admin("Speaker Org", "អ្នកថ្លែង")
    endorse(s, zeta, zu)
    endorse(s, alpha, au)
    endorse(s, hidden, hu, anonymous=True)
    endorse(s, speaker, su, role="speaker")
    endorse(s, world.org_b, world.other_admin, role="organising_committee", note_en="note")
    _approve_all(world, s)
    groups = selectors.signatories(s)
    assert [g.role for g in groups] == ["organising_committee", "speaker", "endorser"]
    endorsers = groups[2]
    assert [e.organisation.name_en for e in endorsers.named] == ["Alpha", "Zeta"]
    assert endorsers.anonymous == 1 and endorsers.total == 3
    # the secretariat puts Zeta first
    ids = [e.pk for e in s.endorsements.filter(role="endorser").order_by("-organisation__name_en")]
    services.endorsement_reorder(
        actor=world.user(SEC), statement=s, role="endorser", endorsement_ids=ids
    )
    assert [e.organisation.name_en for e in selectors.signatories(s)[2].named] == ["Zeta", "Alpha"]
    # the statement's order of groups
    order = ["endorser", "speaker", "organising_committee", "network"]
    services.statement_update(actor=world.user(SEC), statement=s, data={"role_order": order})
    assert [g.role for g in selectors.signatories(fresh(s))] == order[:3]


def test_reorder_must_list_the_whole_group(world: World) -> None:
    s = make_statement(world, "open")
    e = endorse(s, world.org_b, world.other_admin)
    endorse(s, *org_with_admin("Other", "ផ្សេង"))
    with pytest.raises(ValidationError):
        services.endorsement_reorder(
            actor=world.user(SEC), statement=s, role="endorser", endorsement_ids=[e.pk]
        )


def test_pending_withdrawn_and_rejected_are_not_signatories(world: World) -> None:
    s = make_statement(world, "open")
    pending_org, pu = org_with_admin("Pending", "រង់ចាំ")
    endorse(s, pending_org, pu)
    e = endorse(s, world.org_b, world.other_admin)
    services.endorsement_withdraw(actor=world.other_admin, endorsement=e)
    assert selectors.signatories(s) == []


# Visibility ----------------------------------------------------------------------------------


def test_visibility(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    preloaded = set(Statement.objects.values_list("pk", flat=True))
    draft = make_statement(world, title_en="Draft one")
    opened = make_statement(world, "open", title_en="Open one")
    published = make_statement(world, "published", title_en="Published one")
    secretariat_draft = services.statement_create(
        actor=world.user(SEC), data=statement_data(title_en="Coalition draft")
    )

    def seen(user: object) -> set[str]:
        rows = selectors.statements_visible_to(user=user).exclude(pk__in=preloaded)
        return {s.title_en for s in rows}

    assert seen(AnonymousUser()) == {"Published one"}
    assert seen(world.other_admin) == {"Open one", "Published one"}
    assert seen(world.user(Role.MONITOR)) == {"Draft one", "Open one", "Published one"}
    assert seen(world.user(SEC)) == {
        "Draft one", "Open one", "Published one", "Coalition draft"
    }  # fmt: skip
    with pytest.raises(Http404):
        selectors.statement_get_for(user=world.other_admin, slug=draft.slug)
    with pytest.raises(Http404):
        selectors.statement_get_for(user=AnonymousUser(), slug=opened.slug)
    with pytest.raises(Http404):
        selectors.statement_get_for(user=world.other_admin, slug=secretariat_draft.slug)
    assert selectors.statement_get_for(user=AnonymousUser(), slug=published.slug) == published


def test_link_and_unlink_tracker_items(world: World) -> None:
    s = make_statement(world)
    item = make_item(world, reference="STMT/1")
    services.item_link(actor=world.user(ORG_ADMIN), statement=s, item=item)
    with pytest.raises(ValidationError):
        services.item_link(actor=world.user(ORG_ADMIN), statement=s, item=item)
    with pytest.raises(PermissionDenied):
        services.item_unlink(actor=world.other_admin, statement=s, item=item)
    assert list(s.commitment_items.all()) == [item]
    services.item_unlink(actor=world.user(SEC), statement=s, item=item)
    assert s.commitment_items.count() == 0
