import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_tasks_db.models import DBTaskResult

from komar.accounts.models import ApiToken, Membership, User
from komar.accounts.roles import Role
from komar.audit.models import AuditEvent
from tests.conftest import World, login, query_count
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_org_admin_invites_a_person_who_gets_an_email_from_the_worker(world: World) -> None:
    client = Client(headers={"accept-language": "en"})
    admin = world.user(Role.ORG_ADMIN)
    login(client, admin)
    response = client.post(
        f"/directory/{world.org_a.slug}/members/",
        {"email": "New.Person@Example.invalid", "full_name": "New Person", "role": "caseworker"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.invalid")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == "caseworker"
    assert AuditEvent.objects.filter(action="membership.create", actor=admin).exists()
    assert DBTaskResult.objects.filter(task_path__endswith="send_invitation").count() == 1
    assert mail.outbox == []
    # The real worker command; it closes database connections as it goes, which is only safe
    # outside the per-test transaction, hence transaction=True for this test.
    call_command("worker", "--batch", "--no-startup-delay", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.invalid"]
    assert re.search(r"/account/password/reset/key/\S+", mail.outbox[0].body)
    assert DBTaskResult.objects.get(task_path__endswith="send_invitation").status == "SUCCESSFUL"


def test_inviting_an_existing_member_is_a_field_error_and_adds_nothing(
    client: Client, world: World
) -> None:
    login(client, world.user(Role.ORG_ADMIN))
    before = Membership.objects.count()
    response = client.post(
        f"/directory/{world.org_a.slug}/members/",
        {"email": world.user(Role.MONITOR).email, "full_name": "X", "role": "analyst"},
    )
    assert response.status_code == 200
    assert b"already a member" in response.content
    assert Membership.objects.count() == before


def test_invalid_invitation_shows_field_errors(client: Client, world: World) -> None:
    login(client, world.user(Role.ORG_ADMIN))
    response = client.post(
        f"/directory/{world.org_a.slug}/members/", {"email": "not-an-email", "role": "king"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_email_error"' in body and "valid email" in body
    assert 'id="id_full_name_error"' in body
    assert 'id="id_role_error"' in body


def test_role_change_is_audited_with_old_and_new_values(client: Client, world: World) -> None:
    admin = world.user(Role.ORG_ADMIN)
    membership = Membership.objects.get(user=world.user(Role.MONITOR))
    login(client, admin)
    client.post(
        f"/directory/{world.org_a.slug}/members/{membership.pk}/",
        {"action": "change", "role": "analyst"},
    )
    membership.refresh_from_db()
    assert membership.role == "analyst"
    event = AuditEvent.objects.get(action="membership.update")
    assert event.changes == {"role": {"old": "monitor", "new": "analyst"}}


def test_admins_cannot_change_their_own_role(client: Client, world: World) -> None:
    admin = world.user(Role.ORG_ADMIN)
    own = Membership.objects.get(user=admin)
    login(client, admin)
    response = client.post(
        f"/directory/{world.org_a.slug}/members/{own.pk}/",
        {"action": "change", "role": "monitor"},
        follow=True,
    )
    assert b"cannot change your own role" in response.content
    own.refresh_from_db()
    assert own.role == Role.ORG_ADMIN


def test_member_removal(client: Client, world: World) -> None:
    membership = Membership.objects.get(user=world.user(Role.ANALYST))
    login(client, world.user(Role.ORG_ADMIN))
    client.post(f"/directory/{world.org_a.slug}/members/{membership.pk}/", {"action": "remove"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.delete").exists()


def test_members_list_query_count_does_not_grow(client: Client, world: World) -> None:
    login(client, world.user(Role.ORG_ADMIN))
    path = f"/directory/{world.org_a.slug}/members/"
    client.get(path)
    few = query_count(lambda: client.get(path))
    MembershipFactory.create_batch(15, organisation=world.org_a)
    assert query_count(lambda: client.get(path)) == few <= 15
    assert client.get(path).content.count(b"<tr>") >= 15 + 8


def test_createtoken_prints_a_token_that_works_and_is_stored_hashed(world: World) -> None:
    out = StringIO()
    call_command("createtoken", world.user(Role.ANALYST).email, stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("kmr_") and len(secret) > 30
    token = ApiToken.objects.get(user=world.user(Role.ANALYST))
    assert secret not in (token.key_hash, token.prefix)
    api = Client()
    response = api.get("/api/v1/me", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["email"] == world.user(Role.ANALYST).email
    assert "directory.view" in response.json()["permissions"]


def test_createtoken_for_unknown_user_fails() -> None:
    with pytest.raises(CommandError):
        call_command("createtoken", "nobody@example.invalid", stdout=StringIO())


def test_revoked_and_wrong_tokens_are_refused(client: Client, world: World) -> None:
    user = world.user(Role.MONITOR)
    login(client, user)
    page = client.post("/account/tokens/", {"name": "script"})
    secret = re.search(rb"(kmr_[A-Za-z0-9_\-]+)", page.content).group(1).decode()
    api = Client()
    assert api.get("/api/v1/me", headers={"authorization": f"Bearer {secret}"}).status_code == 200
    token = ApiToken.objects.get(user=user)
    client.post(f"/account/tokens/{token.pk}/revoke/")
    refused = api.get("/api/v1/me", headers={"authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_authenticated"
    wrong = api.get("/api/v1/me", headers={"authorization": "Bearer kmr_not-a-real-token"})
    assert wrong.status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=user).exists()


def test_a_token_name_is_required(client: Client, world: World) -> None:
    login(client, world.user(Role.MONITOR))
    response = client.post("/account/tokens/", {"name": ""})
    assert response.status_code == 200
    assert b'id="id_name_error"' in response.content
    assert not ApiToken.objects.exists()


def test_a_user_without_membership_sees_only_public_things(client: Client) -> None:
    loner = UserFactory()
    login(client, loner)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/directory/").status_code == 200
