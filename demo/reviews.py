"""Demo reviews in every state, created through the services (so through the rules).

Idempotent: a review whose incident title exists is left alone.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from playbook.models import Section
from reviews import services
from reviews.models import (
    ActionKind,
    ActionState,
    DimensionResult,
    EntryKind,
    Incident,
    OwnershipRole,
    Review,
    ReviewState,
    RoleAssignment,
)
from teams.models import Team

R = OwnershipRole

SCENARIOS = [
    {
        "title": "Card payments declined for Northwind during checkout peak",
        "customer": "Northwind Traders",
        "severity": "sev1",
        "team": "payments-platform",
        "pattern_name": "Payment outage reported by an enterprise customer",
        "section": "payment-outage-enterprise",
        "days_ago": 40,
        "summary": "Roughly 18% of card payments were declined for 2 h 10 min after a certificate rotation on the "
        "acquirer connection. Northwind's account team escalated within minutes.",
        "milestones": {"acknowledged_at": 6, "first_customer_update_at": 38, "resolved_at": 190},
        "satisfaction": 4,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 9, None, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 12, 70, ""),
            (
                R.COMMUNICATIONS_OWNER,
                "lena",
                70,
                None,
                "Customer thread, last promise (update at :30), open questions.",
            ),
            (R.DECISION_OWNER, "tom", 25, None, ""),
            (R.CUSTOMER_CONTACT, "lena", 10, None, ""),
            (R.INTERNAL_LIAISON, "omar", 15, None, ""),
        ],
        "entries": [
            (-4, EntryKind.DETECTION, "Monitoring", "Decline-rate alert fired on the acquirer dashboard."),
            (30, EntryKind.DECISION, "Tom Okafor", "Roll back the certificate rotation rather than patch forward."),
            (
                45,
                EntryKind.INTERNAL_UPDATE,
                "Priya Raman",
                "Rollback started; declines expected to fall within 20 min.",
            ),
            (120, EntryKind.CUSTOMER_UPDATE, "Lena Hofmann", "Told Northwind declines have stopped; monitoring."),
        ],
        "participants": {"priya": [5, 4, 4, 3, 5, 4], "tom": [4, 4, 5, 2, 5, 4], "diego": [5, 3, 4, 3, 4, 4]},
        "narrative": "A scheduled certificate rotation on the acquirer connection used an intermediate chain the "
        "acquirer did not yet trust. Monitoring caught the decline spike within four minutes, and the incident "
        "trio was named within 25 minutes. The rollback decision was made quickly because the playbook named the "
        "decision owner. The communications hand-over at 70 minutes carried the customer thread and the promised "
        "update time, and the customer received one narrative throughout.",
        "findings": [
            "The rotation runbook did not include a check of the acquirer's trusted chain.",
            "The communications hand-over worked because the handover note template was used.",
        ],
        "actions": [
            ("Add an acquirer chain check to the rotation runbook", "priya", 14, ActionKind.INCIDENT_TEMPLATE, None),
            (
                "Page the decision owner automatically for SEV1 payment incidents",
                "tom",
                -3,
                ActionKind.OWNERSHIP_MAP,
                None,
            ),
        ],
        "state": "published",
    },
    {
        "title": "Data export stuck for Contoso quarterly audit",
        "customer": "Contoso Ltd",
        "severity": "sev2",
        "team": "support-operations",
        "pattern_name": "Customer-facing job stalled before a deadline",
        "section": "stalled-customer-job",
        "days_ago": 25,
        "summary": "A quarterly audit export for Contoso stalled for a day; two teams worked on it in parallel "
        "without knowing of each other.",
        "milestones": {"acknowledged_at": 50, "first_customer_update_at": 240, "resolved_at": 1500},
        "satisfaction": 2,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 60, None, ""),
            (R.CUSTOMER_CONTACT, "diego", 55, None, ""),
            (R.DECISION_OWNER, "tom", 600, None, ""),
        ],
        "entries": [
            (
                100,
                EntryKind.INTERNAL_UPDATE,
                "Site Reliability",
                "Restarted the export worker; second team also restarted it.",
            ),
            (400, EntryKind.NOTE, "Diego Alvarez", "Customer asked who is in charge of the fix."),
        ],
        "participants": {"priya": [2, 2, 3, 2, 1, 2], "diego": [4, 2, 3, 3, 4, 2], "omar": [2, 1, 2, 2, 2, 1]},
        "narrative": "The export stalled on a lock held by a maintenance job. Support and Site Reliability both "
        "began investigating, and neither knew the other had. No communications owner was named, so the customer "
        "heard two different explanations. A decision owner was named only after ten hours. The engineer on call "
        "should have paged the decision owner earlier.",
        "findings": [
            "No communications owner was named: the customer received two explanations.",
            "Two teams restarted the same worker because the incident log was not shared.",
        ],
        "actions": [
            (
                "Name a communications owner in the first triage call template",
                "fiona",
                7,
                ActionKind.INCIDENT_TEMPLATE,
                None,
            ),
            ("Shared incident channel created automatically for SEV2+", "omar", -5, ActionKind.MONITORING, None),
        ],
        "state": "amended",
        "amendment": (
            "The export stalled on a lock held by a maintenance job. Support and Site Reliability both began "
            "investigating, and neither knew the other had. No communications owner was named, so the customer "
            "heard two different explanations. A decision owner was named only after ten hours, because the "
            "escalation path for export jobs did not say who decides.",
            "Rewrote the last sentence to describe the escalation path rather than the on-call engineer.",
        ),
    },
    {
        "title": "Login failures for Fabrikam single sign-on",
        "customer": "Fabrikam Inc",
        "severity": "sev2",
        "team": "site-reliability",
        "pattern_name": "Identity provider integration failure",
        "section": "identity-provider-failure",
        "days_ago": 6,
        "summary": "Fabrikam's users could not sign in through SSO for 55 minutes after an IdP metadata change.",
        "milestones": {"acknowledged_at": 8, "first_customer_update_at": 20, "resolved_at": 55},
        "satisfaction": 4,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 10, None, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 12, None, ""),
            (R.DECISION_OWNER, "tom", 15, None, ""),
            (R.CUSTOMER_CONTACT, "lena", 12, None, ""),
        ],
        "entries": [(30, EntryKind.DECISION, "Tom Okafor", "Pin the previous IdP metadata until Fabrikam confirms.")],
        "participants": {"priya": [5, 5, 4, 4, 5, 5], "lena": None, "sam": None},
        "narrative": "",
        "findings": [],
        "actions": [],
        "state": "in_review",
    },
    {
        "title": "Webhook deliveries delayed for Litware",
        "customer": "Litware",
        "severity": "sev3",
        "team": "payments-platform",
        "pattern_name": "",
        "days_ago": 2,
        "summary": "Webhook deliveries queued for up to 40 minutes.",
        "milestones": {"acknowledged_at": 15},
        "satisfaction": None,
        "roles": [(R.INVESTIGATION_LEAD, "mei", 20, None, "")],
        "entries": [],
        "participants": {},
        "narrative": "",
        "findings": [],
        "actions": [],
        "state": "draft",
    },
    {
        "title": "Tabletop: who decides on a database failover?",
        "customer": "Internal exercise",
        "severity": "sev1",
        "team": "site-reliability",
        "pattern_name": "Primary database unavailable",
        "section": "primary-database-unavailable",
        "days_ago": 15,
        "summary": "A tabletop exercise with deliberate ambiguity about who may authorise a failover.",
        "milestones": {"acknowledged_at": 3, "first_customer_update_at": 30, "resolved_at": 90},
        "satisfaction": None,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 5, None, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 8, None, ""),
            (R.DECISION_OWNER, "gordon", 40, None, ""),
        ],
        "entries": [(20, EntryKind.NOTE, "Facilitator", "Three people believed they could authorise the failover.")],
        "participants": {"priya": [3, 3, 2, 4, 1, 3], "diego": [3, 4, 3, 4, 2, 3], "gordon": [4, 3, 3, 4, 3, 4]},
        "narrative": "The exercise showed that the failover authority was unclear: the playbook named a role that "
        "no longer exists. Once the governance owner took the decision, the rest of the path ran as designed.",
        "findings": ["The failover authority in the playbook names a role that no longer exists."],
        "actions": [
            ("Update the failover decision criteria in the playbook", "gordon", 20, ActionKind.PLAYBOOK_CHANGE, None)
        ],
        "state": "published",
        "exercise": True,
    },
]


def seed(stdout=None):
    User = get_user_model()
    people = {user.username: user for user in User.objects.all()}
    facilitator = people.get("fiona")
    if facilitator is None:
        return 0
    created = 0
    now = timezone.now().replace(second=0, microsecond=0)
    for s in SCENARIOS:
        if Incident.objects.filter(title=s["title"]).exists():
            continue
        escalated = now - timedelta(days=s["days_ago"])

        def at(minutes, escalated=escalated):
            return escalated + timedelta(minutes=minutes)

        review = services.review_create(
            facilitator,
            title=s["title"],
            customer=s["customer"],
            severity=s["severity"],
            summary=s["summary"],
            team=Team.objects.filter(slug=s["team"]).first(),
            pattern_name=s["pattern_name"],
            playbook_section=Section.objects.filter(slug=s.get("section", "")).first(),
            escalated_at=escalated,
            satisfaction=s["satisfaction"],
            is_exercise=s.get("exercise", False),
            narrative=s["narrative"],
            **{field: at(minutes) for field, minutes in s["milestones"].items()},
        )
        incident = review.incident
        for role, username, start, end, note in s["roles"]:
            services.role_assign(
                facilitator,
                incident,
                role=role,
                person=people[username],
                started_at=at(start),
                ended_at=at(end) if end else None,
                handover_note=note,
            )
        for minutes, kind, who, what in s["entries"]:
            services.timeline_entry_add(facilitator, incident, at=at(minutes), kind=kind, who=who, what=what)
        for text in s["findings"]:
            services.finding_add(facilitator, review, text=text)
        for username in s["participants"]:
            services.participant_invite(facilitator, review, invitee=people[username])
        if s["state"] != "draft":
            services.review_start(facilitator, review)
            for username, values in s["participants"].items():
                if values:
                    scores = {d: (v, "") for d, v in enumerate(values, start=1)}
                    services.scores_save(people[username], review, scores=scores, submit=True)
        findings = list(review.findings.all())
        for title, owner, due_in, kind, _ in s["actions"]:
            services.action_item_add(
                facilitator,
                review,
                title=title,
                owner=people[owner],
                due_on=timezone.localdate() + timedelta(days=max(due_in, 0)),
                kind=kind,
                finding=findings[0] if findings else None,
            )
        if s["state"] in ("published", "amended"):
            services.review_publish(facilitator, review)
            # Overdue items in the demo: due dates in the past are set after the fact.
            for title, _owner, due_in, _kind, _ in s["actions"]:
                if due_in < 0:
                    review.action_items.filter(title=title).update(due_on=timezone.localdate() + timedelta(days=due_in))
        if s["state"] == "amended":
            narrative, reason = s["amendment"]
            services.review_amend(facilitator, review, narrative=narrative, reason=reason)
        if s["state"] == "published" and s["actions"]:
            first = review.action_items.order_by("pk").first()
            if first and first.due_on > timezone.localdate() + timedelta(days=10):
                services.action_item_set_state(facilitator, first, state=ActionState.DONE)
        created += 1
    if stdout is not None and created:
        stdout.write(f"Demo reviews: {created} created.")
    return created


HISTORY_TITLES = [
    "Refunds stuck for {c}",
    "Dashboard timeouts for {c}",
    "Invoice emails delayed for {c}",
    "API rate limits hit by {c}",
    "Card declines for {c}",
    "Data sync lag for {c}",
    "SSO login loop for {c}",
    "Report export failing for {c}",
]
HISTORY_CUSTOMERS = ["Northwind Traders", "Contoso Ltd", "Fabrikam Inc", "Litware", "Adventure Works", "Tailspin Toys"]


def seed_history(stdout=None, quarters=3, per_quarter=8):
    """Published reviews over the past quarters, so Insights tells a story: ownership is
    established faster and more clearly quarter by quarter. Deterministic; idempotent."""
    if Incident.objects.filter(title__startswith="[history]").exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 - demo data, deterministic on purpose
    people = list(get_user_model().objects.filter(is_superuser=False).order_by("username"))
    facilitator = get_user_model().objects.filter(username="fiona").first()
    teams = list(Team.objects.order_by("slug"))
    sections = list(Section.objects.filter(current__isnull=False).select_related("current").order_by("slug"))
    if not (people and facilitator and teams and sections):
        return 0
    today = timezone.localdate()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    created = 0
    for back in range(quarters, 0, -1):
        month = quarter_start.month - 3 * back
        year = quarter_start.year + (month - 1) // 12
        start = date(year, (month - 1) % 12 + 1, 1)
        improvement = quarters - back  # later quarters do better
        for i in range(per_quarter):
            section = sections[i % len(sections)]
            escalated = timezone.make_aware(datetime.combine(start + timedelta(days=5 + i * 10), time(9 + i % 6)))
            tto = rng.randint(40, 60) - improvement * 12
            incident = Incident.objects.create(
                title="[history] " + HISTORY_TITLES[i % len(HISTORY_TITLES)].format(c=HISTORY_CUSTOMERS[i % 6]),
                customer=HISTORY_CUSTOMERS[i % 6],
                severity=["sev1", "sev2", "sev3"][i % 3],
                team=teams[i % len(teams)],
                playbook_section=section,
                playbook_version=section.current,
                pattern_name=section.current.pattern,
                escalated_at=escalated,
                acknowledged_at=escalated + timedelta(minutes=5),
                first_customer_update_at=escalated + timedelta(minutes=rng.randint(15, 60) - improvement * 8),
                resolved_at=escalated + timedelta(minutes=rng.randint(90, 600) - improvement * 40),
                satisfaction=min(5, max(1, rng.randint(2, 4) + (improvement > 1))),
                created_by=facilitator,
            )
            for offset, role in zip(
                (max(tto, 5), 3, 6), (R.INVESTIGATION_LEAD, R.COMMUNICATIONS_OWNER, R.DECISION_OWNER), strict=True
            ):
                RoleAssignment.objects.create(
                    incident=incident,
                    role=role,
                    person=people[(i + offset) % len(people)],
                    started_at=escalated + timedelta(minutes=min(offset, max(tto, 5))),
                    created_by=facilitator,
                )
            medians = [min(5.0, max(1.0, rng.choice([2, 3, 3, 4]) + improvement * 0.5 - (d == 4))) for d in range(1, 7)]
            review = Review.objects.create(
                incident=incident,
                facilitator=facilitator,
                state=ReviewState.PUBLISHED,
                published_at=escalated + timedelta(days=3),
                narrative="A review from an earlier quarter.",
                clarity_score=round((sum(medians) / 6 - 1) / 4 * 100, 1),
            )
            DimensionResult.objects.bulk_create(
                DimensionResult(review=review, dimension=d, median=m, spread=1, count=3)
                for d, m in enumerate(medians, start=1)
            )
            created += 1
    if stdout is not None:
        stdout.write(f"Demo history: {created} published reviews over {quarters} past quarters.")
    return created
