"""Load Baton's demo organisation. Idempotent: a second run changes nothing."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from core.roles import FACILITATORS, GOVERNANCE
from demo import integrations as integrations_demo
from demo import recognition as recognition_demo
from demo import story
from teams.models import Membership, Team

DEMO_PASSWORD = "baton-demo"  # noqa: S105 - demo data only, printed by `make run`

TEAMS = [
    (
        "Customer Success",
        "customer-success",
        "Owns the relationship with enterprise customers during and after escalations.",
    ),
    ("Payments Platform", "payments-platform", "Builds and runs card processing, payouts and billing."),
    ("Site Reliability", "site-reliability", "Runs production, on-call and incident command."),
    ("Support Operations", "support-operations", "Front-line support: first contact for every customer escalation."),
    ("Account Management", "account-management", "Account managers for strategic customers."),
]

# username, first, last, role groups, team slug, is_lead, superuser (README.md lists each of them)
PEOPLE = [
    ("admin", "Ada", "Lindqvist", [], None, False, True),
    ("fiona", "Fiona", "Walsh", [FACILITATORS], "customer-success", True, False),
    ("tom", "Tom", "Okafor", [FACILITATORS], "payments-platform", True, False),
    ("gordon", "Gordon", "Mensah", [GOVERNANCE], "site-reliability", False, False),
    ("sam", "Sam", "Novak", [], "payments-platform", False, False),
    ("priya", "Priya", "Raman", [], "site-reliability", True, False),
    ("diego", "Diego", "Alvarez", [], "support-operations", True, False),
    ("lena", "Lena", "Hofmann", [], "account-management", True, False),
    ("mei", "Mei", "Chen", [], "payments-platform", False, False),
    ("omar", "Omar", "Haddad", [], "support-operations", False, False),
]
ROLE_NAMES = {FACILITATORS: "facilitator", GOVERNANCE: "governance owner"}


def role_of(groups, superuser):
    return "admin" if superuser else ", ".join(ROLE_NAMES[group] for group in groups) or "staff"


class Command(BaseCommand):
    help = "Create the demo organisation: teams, ten people (password 'baton-demo') and a year of escalations."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo sign-ins.")

    @transaction.atomic
    def handle(self, *args, quiet=False, **options):
        User = get_user_model()
        teams = {}
        for name, slug, description in TEAMS:
            teams[slug], _ = Team.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
        created_users = 0
        for username, first, last, groups, team_slug, is_lead, superuser in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                    "is_staff": superuser,
                    "is_superuser": superuser,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                created_users += 1
            for group_name in groups:
                user.groups.add(Group.objects.get_or_create(name=group_name)[0])
            if team_slug:
                Membership.objects.get_or_create(team=teams[team_slug], user=user, defaults={"is_lead": is_lead})

        story.seed(None if quiet else self.stdout)
        recognition_demo.seed(None if quiet else self.stdout)
        integrations_demo.seed(None if quiet else self.stdout)

        if not quiet:
            self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created_users} new users)."))
            self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
            for username, first, last, groups, *_, superuser in PEOPLE:
                self.stdout.write(f"  {username:<8} {first} {last}, {role_of(groups, superuser)}")
            self.stdout.write("README.md, “Demo walkthrough”, says what each of them shows.")
