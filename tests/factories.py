"""factory_boy factories shared by the tests. Services are used where a rule matters
(consent, audit); factories build plain rows for the rest."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from stdnum import luhn
from stdnum.fr import siret as stdnum_siret

from passeport.core.enums import OrganisationKind, Role
from passeport.core.models import Membership, Organisation, User
from passeport.paths.enums import ActionStatus, PathStatus
from passeport.paths.models import Action, Path
from passeport.people.enums import ConsentMethod, ConsentScope
from passeport.people.models import Consent, Person


def make_siret(n: int) -> str:
    """A valid SIRET (Luhn-checked SIREN and SIRET) built from a number."""
    siren = f"{n:08d}"
    siren += luhn.calc_check_digit(siren)
    base = siren + "0001"
    siret = base + luhn.calc_check_digit(base)
    assert stdnum_siret.is_valid(siret)
    return siret


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.SelfAttribute("email")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-test-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = OrganisationKind.ASSOCIATION
    siret = factory.Sequence(lambda n: make_siret(10_000 + n))
    commune_insee = "29019"
    commune_name = "Brest"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.REFERENT


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = factory.LazyFunction(lambda: dt.date(1990, 5, 17))
    commune_insee = "29019"
    commune_name = "Brest"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    scope = ConsentScope.PATH
    purpose = "Accompagnement"
    method = ConsentMethod.WRITTEN
    valid_from = factory.LazyFunction(timezone.localdate)


class PathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Path

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = PathStatus.ACTIVE
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    path = factory.SubFactory(PathFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    status = ActionStatus.TODO
