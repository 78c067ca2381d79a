from __future__ import annotations

import functools

import factory
from django.contrib.auth.hashers import make_password

from komar.accounts.models import Membership, User
from komar.organisations.models import Organisation

PASSWORD = "correct horse battery staple 42"


@functools.cache
def password_hash() -> str:
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.invalid")
    full_name = factory.Faker("name")
    # Hashed once with the real (Argon2) hasher; hashing per user would dominate the suite's time.
    password = factory.LazyFunction(lambda: password_hash())


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"test-organisation-{n}")
    name_en = factory.Sequence(lambda n: f"Test Organisation {n}")
    name_km = factory.Sequence(lambda n: f"អង្គការសាកល្បង {n}")
    kind = Organisation.Kind.NGO


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "monitor"
