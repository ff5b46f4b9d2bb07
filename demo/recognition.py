"""A year of recognitions, given and seconded through the services at the moment they were given
(``demo.clock``), most of them about a review's escalation and given after it was published.
One was hidden by the governance owner, to show what that looks like. Idempotent."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from demo import clock
from demo import playbook as playbook_demo
from recognition import services
from recognition.models import Category as C
from recognition.models import Recognition
from reviews.models import Review
from teams.models import Team

# author, recipient ("team:<slug>" or a username), category, message, when, seconders.
# ``when`` is days after the publication of the review with that title, or days ago.
ITEMS = [
    (
        "lena",
        "team:site-reliability",
        C.CLEAR_OWNERSHIP,
        "During the Woodgrove Bank failover the SRE on-call lead took the investigation and the decision in the "
        "first six minutes, exactly as the revised database section says. Nobody had to ask who decides.",
        ("Woodgrove Bank online banking read-only during a night-time failover", 1),
        ["diego", "omar"],
    ),
    (
        "omar",
        "team:site-reliability",
        C.CONSTRUCTIVE_CONFLICT,
        "When Support and Site Reliability had both restarted Coho Winery's import, Priya got both teams into one "
        "channel and settled which restart to keep in ten minutes, without anyone being made to feel wrong.",
        ("Coho Winery's product import stuck before a price change", 2),
        ["diego", "sam"],
    ),
    (
        "tom",
        "team:customer-success",
        C.LEARNING_SHARED,
        "Fiona's customer handover note, written after the Margie's Travel refunds, is now used by every account "
        "team. Nobody has repeated a lapsed promise since.",
        ("Refunds stuck for Margie's Travel after an acquirer API change", 12),
        ["lena", "diego"],
    ),
    (
        "diego",
        "team:payments-platform",
        C.LEARNING_SHARED,
        "Mei wrote up the signing-key rotation lessons from Trey Research and shared them with every team that "
        "rotates keys.",
        ("Trey Research rejected webhooks after a signing key rotation", 3),
        ["lena"],
    ),
    (
        "priya",
        "team:support-operations",
        C.PROACTIVE_COMMUNICATION,
        "Sent Fourth Coffee an update every 30 minutes, **even when there was no news**, and they filed on time.",
        ("Fourth Coffee's sales export stalled before a tax filing", 1),
        ["tom"],
    ),
    (
        "tom",
        "team:support-operations",
        C.CLEAR_OWNERSHIP,
        "Diego opened one channel for the Fourth Coffee export stall and kept every restart discussion there: "
        "exactly what the stalled-job section asks for.",
        ("Fourth Coffee's sales export stalled before a tax filing", 2),
        ["priya"],
    ),
    (
        "gordon",
        "priya",
        C.CLEAN_HANDOVER,
        "Priya's handover note at the Proseware shift change had the cause, the plan and the next promised "
        "update. I picked it up without a single question.",
        ("Proseware users signed out every ten minutes after a session setting change", 1),
        ["lena"],
    ),
    (
        "mei",
        "team:account-management",
        C.PROACTIVE_COMMUNICATION,
        "Lena told Contoso their sale payments were slow, not failing, at minute 14 and every 20 minutes after. "
        "Their CTO thanked us for it.",
        ("Card authorisations slow during Contoso's holiday sale", 1),
        ["tom", "sam"],
    ),
    (
        "omar",
        "team:payments-platform",
        C.LEARNING_SHARED,
        "The write-up of the 3-D Secure outage taught Support how to spot a provider outage before the "
        "provider's status page does.",
        ("3-D Secure challenges failing for Alpine Ski House bookings", 4),
        ["diego"],
    ),
    (
        "sam",
        "team:account-management",
        C.CLEAR_OWNERSHIP,
        "Lena decided on credit notes for Woodgrove Bank ten minutes after the cause was known, and the customer "
        "heard the same thing from everyone.",
        ("Woodgrove Bank invoices charged the old VAT rate", 2),
        ["mei"],
    ),
    (
        "fiona",
        "sam",
        C.LEARNING_SHARED,
        "Sam turned the payment tabletop's findings into a playbook revision within the week.",
        ("Tabletop: payment outage while the payments on-call lead is unreachable", 5),
        ["gordon", "priya"],
    ),
    (
        "lena",
        "team:payments-platform",
        C.CLEAR_OWNERSHIP,
        "Mei took the investigation lead on the Globex authorisation timeouts at once and said so in the channel.",
        1,
        [],
    ),
]
HIDDEN = (
    "sam",
    "team:support-operations",
    C.CLEAN_HANDOVER,
    "Omar sorted out the mess the night shift left on the Margie's Travel refunds.",
    ("Refunds stuck for Margie's Travel after an acquirer API change", 3),
    "Names a colleague's shift as the cause: recognition praises what went well. Sam was asked to rephrase.",
)


def _moment(when, today):
    if isinstance(when, int):
        return timezone.make_aware(datetime.combine(today - timedelta(days=when), time(16, 0)))
    title, days = when
    review = Review.objects.filter(incident__title=title, published_at__isnull=False).first()
    return review.published_at + timedelta(days=days, hours=2) if review else None


def _give(author, recipient, category, message, when, today):
    review = Review.objects.filter(incident__title=when[0]).first() if isinstance(when, tuple) else None
    moment = _moment(when, today)
    if moment is None:
        return None
    who = playbook_demo.people()
    target = (
        {"team": Team.objects.get(slug=recipient.removeprefix("team:"))}
        if recipient.startswith("team:")
        else {"person": who[recipient]}
    )
    with clock.at(moment):
        return services.recognition_give(who[author], category=category, message=message, review=review, **target)


def seed(stdout=None):
    if Recognition.objects.exists():
        return 0
    today = timezone.localdate()
    who = playbook_demo.people()
    given = []
    for author, recipient, category, message, when, seconders in ITEMS:
        recognition = _give(author, recipient, category, message, when, today)
        if recognition is None:
            continue
        given.append(recognition)
        for hours, username in enumerate(seconders, start=1):
            with clock.at(min(recognition.created_at + timedelta(hours=3 * hours), clock.real_now())):
                services.recognition_second(who[username], recognition)
    author, recipient, category, message, when, reason = HIDDEN
    hidden = _give(author, recipient, category, message, when, today)
    if hidden is not None:
        given.append(hidden)
        with clock.at(hidden.created_at + timedelta(hours=5)):
            services.recognition_hide(who[playbook_demo.APPROVER], hidden, reason=reason)
    if stdout is not None and given:
        stdout.write(f"Demo recognitions: {len(given)}, one hidden.")
    return len(given)
