import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from teams.models import Membership, Team

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    description = "A team."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)


def make_review(facilitator, *, hours_ago=48, **overrides):
    """A draft review of an incident escalated ``hours_ago``, through the service."""
    from datetime import timedelta

    from django.utils import timezone

    from reviews import services

    values = {
        "title": "Checkout failing for Acme",
        "customer": "Acme Corp",
        "severity": "sev2",
        "escalated_at": timezone.now().replace(microsecond=0) - timedelta(hours=hours_ago),
    }
    values.update(overrides)
    return services.review_create(facilitator, **values)
