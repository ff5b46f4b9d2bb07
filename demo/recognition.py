"""A quarter's worth of realistic recognitions, given through the services. Idempotent."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from recognition import services
from recognition.models import Category as C
from recognition.models import Recognition
from teams.models import Team

# author, team slug, category, message, days ago, seconders
ITEMS = [
    (
        "lena",
        "site-reliability",
        C.CLEAR_OWNERSHIP,
        "Named the incident trio in the first five minutes of the Northwind payments escalation. Everyone knew who decided.",
        40,
        ["diego", "omar"],
    ),
    (
        "priya",
        "customer-success",
        C.PROACTIVE_COMMUNICATION,
        "Sent Northwind an update every 30 minutes, **even when there was no news**. Their CTO thanked us for it.",
        39,
        ["tom"],
    ),
    (
        "tom",
        "account-management",
        C.CLEAN_HANDOVER,
        "Lena's handover note carried the customer thread, the last promise and the open questions. Nothing was asked twice.",
        38,
        ["priya", "mei"],
    ),
    (
        "diego",
        "payments-platform",
        C.LEARNING_SHARED,
        "Wrote up the certificate-chain check and shared it with every team that rotates certificates.",
        33,
        ["lena"],
    ),
    (
        "omar",
        "site-reliability",
        C.CONSTRUCTIVE_CONFLICT,
        "When two teams disagreed about the rollback, Priya got both decision owners on one call and settled it in ten minutes.",
        30,
        ["diego", "sam"],
    ),
    (
        "mei",
        "support-operations",
        C.PROACTIVE_COMMUNICATION,
        "Told Contoso honestly what we did not know yet, and when they would hear from us next.",
        24,
        [],
    ),
    (
        "sam",
        "site-reliability",
        C.LEARNING_SHARED,
        "Ran the failover tabletop and turned its findings into a playbook revision the same week.",
        15,
        ["gordon", "mei"],
    ),
    (
        "lena",
        "payments-platform",
        C.CLEAR_OWNERSHIP,
        "Webhook delays: Mei took the investigation lead at once and said so in the channel.",
        2,
        [],
    ),
    (
        "priya",
        "account-management",
        C.CLEAN_HANDOVER,
        "Clean handover of the Fabrikam SSO customer thread at shift change.",
        6,
        ["tom"],
    ),
    (
        "gordon",
        "support-operations",
        C.CLEAR_OWNERSHIP,
        "Diego named himself customer contact for Contoso and held it until resolution.",
        20,
        ["omar"],
    ),
    (
        "diego",
        "site-reliability",
        C.PROACTIVE_COMMUNICATION,
        "Status page updated before the first customer asked.",
        55,
        [],
    ),
    (
        "tom",
        "customer-success",
        C.LEARNING_SHARED,
        "Shared the customer-script improvements from the Northwind review with all account teams.",
        70,
        ["lena"],
    ),
]


def seed(stdout=None):
    if Recognition.objects.exists():
        return 0
    people = {u.username: u for u in get_user_model().objects.all()}
    teams = {t.slug: t for t in Team.objects.all()}
    now = timezone.now()
    created = 0
    for author, team, category, message, days, seconders in ITEMS:
        if author not in people or team not in teams:
            continue
        recognition = services.recognition_give(people[author], category=category, message=message, team=teams[team])
        for username in seconders:
            if username in people and username != author:
                services.recognition_second(people[username], recognition)
        Recognition.objects.filter(pk=recognition.pk).update(created_at=now - timedelta(days=days, hours=created))
        created += 1
    if stdout is not None and created:
        stdout.write(f"Demo recognitions: {created}.")
    return created
