from __future__ import annotations

import factory

from org.models import AITool, Customer, Department, Person, Team, User
from org.roles import Role
from org.services.people import person_roles_set


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password("a-good-password-1")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    department = factory.SubFactory(DepartmentFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    name = factory.Faker("name")
    team = factory.SubFactory(TeamFactory)
    job_title = "Specialist"

    @factory.post_generation
    def roles(
        self, create: bool, extracted: set[Role] | None, **kwargs: object
    ) -> None:
        if create:
            person_roles_set(person=self, roles=extracted or {Role.EMPLOYEE})


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@client.example")
    company = "Client Co"
    segment = "Enterprise"


class AIToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AITool

    name = factory.Sequence(lambda n: f"Tool {n}")
    kind = AITool.Kind.COPILOT
    status = AITool.Status.PILOT
    owner = factory.SubFactory(PersonFactory)
    purpose = "Drafts replies so people spend time on hard cases."
    acceptable_use = "Read every draft before sending it."
