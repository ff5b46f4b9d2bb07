"""Build a large, realistic organisation fast, for benchmarks and scale tests.

Unlike ``seed_demo`` (which goes through the services and their rules), this
writes rows directly: COPY on PostgreSQL, batched INSERTs elsewhere, ids
assigned here, in chunks of incidents so memory stays flat. The data is
deterministic given ``--seed`` and ``--end`` (the last day of the history).

It refuses a database that already holds incidents: it is a tool for an empty
benchmark or test database, never for real data.
"""

import random
import time as clock
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from core.roles import FACILITATORS, GOVERNANCE
from playbook.models import Revision, RevisionState, Section, SectionVersion
from recognition.models import Category, Recognition, Second
from reviews.metrics import clarity_score, consolidate
from reviews.models import (
    CORE_ROLES,
    ActionItem,
    ActionKind,
    ActionState,
    Dimension,
    DimensionResult,
    EntryKind,
    Finding,
    Incident,
    OwnershipRole,
    Participant,
    Review,
    ReviewState,
    ReviewText,
    RoleAssignment,
    Score,
    Severity,
    TimelineEntry,
)
from teams.models import Membership, Team

SECTIONS = 50
VERSIONS_PER_SECTION = 20
ENTRIES_PER_INCIDENT = 20
PARTICIPANTS_PER_REVIEW = 3
QUARTERS = 8
CHUNK = 2000  # incidents generated and written at a time

FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Luca",
    "Maya",
    "Nils",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Xiu",
    "Yara",
    "Zane",
]
LAST = [
    "Abara",
    "Berg",
    "Costa",
    "Dubois",
    "Eze",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
]
TEAM_AREAS = [
    "Payments",
    "Identity",
    "Search",
    "Billing",
    "Checkout",
    "Messaging",
    "Storage",
    "Data Platform",
    "Mobile",
    "Networking",
    "Support",
    "Customer Success",
    "Account Management",
    "Site Reliability",
    "Security",
    "Integrations",
    "Reporting",
    "Onboarding",
    "Fraud",
    "Logistics",
]
CUSTOMER_WORDS = (
    [
        "Northwind",
        "Contoso",
        "Fabrikam",
        "Tailspin",
        "Wingtip",
        "Adventure",
        "Litware",
        "Proseware",
        "Lucerne",
        "Woodgrove",
        "Alpine",
        "Coho",
        "Fourth",
        "Graphic",
        "Humongous",
        "Margie",
    ],
    ["Traders", "Bank", "Retail", "Airlines", "Foods", "Insurance", "Logistics", "Health", "Media", "Energy"],
)
SYSTEMS = [
    "card payments",
    "login",
    "search results",
    "invoice export",
    "checkout",
    "push notifications",
    "file uploads",
    "the reporting API",
    "SSO",
    "webhooks",
    "payouts",
    "the mobile app",
    "DNS",
    "email delivery",
]
SYMPTOMS = [
    "failing for",
    "slow for",
    "intermittently unavailable to",
    "returning errors to",
    "delayed for",
    "degraded for",
]
CAUSES = [
    "a certificate rotation",
    "a database failover",
    "a configuration push",
    "an expired token",
    "a dependency upgrade",
    "a capacity limit",
    "a network partition",
    "a cache stampede",
    "a schema migration",
    "a third-party outage",
]
ENTRY_TEXTS = {
    EntryKind.DETECTION: "Alert fired on {system}; error rate above threshold.",
    EntryKind.ESCALATION: "{customer} escalated through their account team.",
    EntryKind.DECISION: "Decided to roll back {cause} rather than patch forward.",
    EntryKind.INTERNAL_UPDATE: "Status: mitigation in progress on {system}; next check in 15 minutes.",
    EntryKind.CUSTOMER_UPDATE: "Told {customer} what is known, what is not yet known, and the next update time.",
    EntryKind.NOTE: "Checked dashboards for {system}; no other customers affected so far.",
    EntryKind.HANDOVER: "Handover notes shared: open questions, last promise to the customer.",
    EntryKind.RESOLUTION: "{customer} confirmed {system} works again.",
}
ENTRY_KINDS = [EntryKind.DETECTION, EntryKind.ESCALATION] + [
    EntryKind.INTERNAL_UPDATE,
    EntryKind.NOTE,
    EntryKind.CUSTOMER_UPDATE,
    EntryKind.DECISION,
    EntryKind.INTERNAL_UPDATE,
    EntryKind.HANDOVER,
] * 3
FINDINGS = [
    "The runbook for {system} did not say who owns the customer update.",
    "The decision owner was named late because the on-call rota was out of date.",
    "The handover note carried the last promise to the customer, which kept one narrative.",
    "Monitoring on {system} caught the problem before the customer did.",
    "Two teams worked the same hypothesis without knowing it: no investigation lead for the first hour.",
]
ACTIONS = [
    ("Add an ownership checklist to the {system} runbook", ActionKind.INCIDENT_TEMPLATE),
    ("Name a decision owner for {system} incidents in the ownership map", ActionKind.OWNERSHIP_MAP),
    ("Alert on {system} error rate per customer", ActionKind.MONITORING),
    ("Update the playbook section for {system}", ActionKind.PLAYBOOK_CHANGE),
    ("Run a tabletop exercise on {system} handovers", ActionKind.TRAINING),
]
RECOGNITION_TEXTS = [
    "Named the incident trio within ten minutes and kept the customer informed every half hour.",
    "A clean handover at the shift change: open questions, promises made and the next update time.",
    "Shared what we learned from the {system} incident with three other teams.",
    "Disagreed openly about the rollback and settled it with the decision owner, fast.",
]


@dataclass
class Ids:
    """The next free primary key per model (rows get their ids here, not from the database)."""

    next: dict = field(default_factory=dict)

    def take(self, model, count=1):
        if model not in self.next:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            self.next[model] = last + 1
        first = self.next[model]
        self.next[model] += count
        return first


class Writer:
    """Writes rows (dicts of attribute name → value) of one model at a time: COPY on PostgreSQL."""

    def __init__(self):
        self.counts = {}

    def write(self, model, rows):
        if not rows:
            return
        fields = [model._meta.get_field(name) for name in rows[0]]
        # Columns the generator does not set take the field's default ("" or NULL), as the ORM would.
        given = {f.name for f in fields}
        defaults = [f for f in model._meta.concrete_fields if f.name not in given and not f.primary_key]
        if defaults:
            rows = [row | {f.name: f.get_default() for f in defaults} for row in rows]
            fields += defaults
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([f.get_db_prep_save(row[f.name], connection) for f in fields])
            else:
                marks = ", ".join(["%s"] * len(fields))
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - model names only
                cursor.executemany(sql, [[f.get_db_prep_save(row[f.name], connection) for f in fields] for row in rows])
        self.counts[model] = self.counts.get(model, 0) + len(rows)


def quarter_start(day):
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class Command(BaseCommand):
    help = "Build a large organisation quickly with bulk inserts (benchmarks, scale tests). Needs an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=10_000, help="Number of incidents (default 10,000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--end", help="Last day of the history, YYYY-MM-DD (default today).")
        parser.add_argument(
            "--password",
            default="",
            help="Password of the 'bench' facilitator and 'bench-staff' user (default: none, they cannot sign in).",
        )
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, incidents, seed, end=None, password="", quiet=False, **options):
        if incidents < 1:
            raise CommandError("--incidents must be at least 1.")
        if Incident.objects.exists():
            raise CommandError("The database already holds incidents; seed_scale only fills an empty one.")
        try:
            end_day = date.fromisoformat(end) if end else date.today()
        except ValueError as error:
            raise CommandError(f"--end: {error}") from None
        started = clock.monotonic()
        with transaction.atomic():
            counts = Generator(incidents, seed, end_day, password, self._progress if not quiet else None).run()
        if not quiet:
            total = sum(counts.values())
            self.stdout.write(f"Seeded {total:,} rows in {clock.monotonic() - started:.1f} s:")
            for name, count in counts.items():
                self.stdout.write(f"  {name:<22} {count:>10,}")

    def _progress(self, message):
        self.stdout.write(message)
        self.stdout.flush()


class Generator:
    def __init__(self, incidents, seed, end_day, password, progress=None):
        self.n = incidents
        self.rng = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.end = datetime.combine(end_day, time(23, 59), tzinfo=UTC)
        start_day = quarter_start(end_day)
        for _ in range(QUARTERS - 1):
            start_day = quarter_start(start_day - timedelta(days=1))
        self.start = datetime.combine(start_day, time(0, 0), tzinfo=UTC)
        self.password = password
        self.progress = progress or (lambda message: None)
        self.ids = Ids()
        self.out = Writer()

    def run(self):
        self.people()
        self.playbook()
        self.incidents()
        self.recognitions()
        self.reset_sequences()
        return {model._meta.verbose_name_plural: count for model, count in self.out.counts.items()}

    # The organisation ----------------------------------------------------------------

    def people(self):
        rng = self.rng
        User = get_user_model()
        team_count = 20 + self.n // 10_000
        user_count = max(60, self.n // 25)
        first_team = self.ids.take(Team, team_count)
        teams = []
        for i in range(team_count):
            area = TEAM_AREAS[i % len(TEAM_AREAS)]
            name = area if i < len(TEAM_AREAS) else f"{area} {i // len(TEAM_AREAS) + 1}"
            slug = name.lower().replace(" ", "-")
            teams.append({"id": first_team + i, "name": name, "slug": slug, "description": f"Runs {area.lower()}."})
        self.out.write(Team, teams)
        self.team_ids = [t["id"] for t in teams]
        unusable = make_password(None)
        first_user = self.ids.take(User, user_count + 2)
        users, memberships = [], []
        joined = self.start.date()
        first_membership = self.ids.take(Membership, user_count)
        for i in range(user_count):
            first, last = FIRST[i % len(FIRST)], LAST[(i * 7 + i // len(FIRST)) % len(LAST)]
            users.append(self._user(first_user + i, f"user{i:05d}", first, last, unusable))
            memberships.append(
                {
                    "id": first_membership + i,
                    "team": first_team + i % team_count,
                    "user": first_user + i,
                    "is_lead": i < team_count,
                    "joined_on": joined,
                }
            )
        secret = make_password(self.password) if self.password else unusable
        bench, bench_staff = first_user + user_count, first_user + user_count + 1
        users.append(self._user(bench, "bench", "Bench", "Facilitator", secret))
        users.append(self._user(bench_staff, "bench-staff", "Bench", "Staff", secret))
        self.out.write(User, users)
        self.out.write(Membership, memberships)
        self.user_ids = [u["id"] for u in users[:user_count]]
        self.names = {u["id"]: f"{u['first_name']} {u['last_name']}" for u in users}
        # About one in twenty people facilitates; three are governance owners.
        self.facilitators = [*self.user_ids[::20], bench]
        self.governance = self.user_ids[1:4]
        groups = dict(Group.objects.filter(name__in=[FACILITATORS, GOVERNANCE]).values_list("name", "pk"))
        through = User.groups.through
        first_link = self.ids.take(through, len(self.facilitators) + len(self.governance))
        links = [
            {"id": first_link + i, "user": uid, "group": groups[FACILITATORS]}
            for i, uid in enumerate(self.facilitators)
        ]
        links += [
            {"id": first_link + len(links) + i, "user": uid, "group": groups[GOVERNANCE]}
            for i, uid in enumerate(self.governance)
        ]
        self.out.write(through, links)
        customers = {f"{a} {b}" for a in CUSTOMER_WORDS[0] for b in CUSTOMER_WORDS[1]}
        self.customers = sorted(customers)
        rng.shuffle(self.customers)
        self.progress(f"  {user_count + 2:,} people in {team_count} teams")

    def _user(self, pk, username, first, last, password):
        return {
            "id": pk,
            "username": username,
            "first_name": first,
            "last_name": last,
            "password": password,
            "email": f"{username}@example.com",
            "is_staff": False,
            "is_superuser": False,
            "is_active": True,
            "date_joined": self.start,
            "last_login": None,
        }

    def playbook(self):
        rng = self.rng
        first_section = self.ids.take(Section, SECTIONS)
        first_version = self.ids.take(SectionVersion, SECTIONS * VERSIONS_PER_SECTION)
        first_revision = self.ids.take(Revision, SECTIONS * VERSIONS_PER_SECTION)
        sections, versions, revisions = [], [], []
        history_start = self.start - timedelta(days=30)
        step = (self.end - timedelta(days=10) - history_start) / VERSIONS_PER_SECTION
        self.version_times = [history_start + step * v for v in range(VERSIONS_PER_SECTION)]
        self.sections = []
        for s in range(SECTIONS):
            system = SYSTEMS[s % len(SYSTEMS)]
            customer_kind = ["enterprise", "mid-market", "public-sector", "self-serve"][s % 4]
            pattern = f"{system.capitalize()} {SYMPTOMS[s % len(SYMPTOMS)].split()[0]} for a {customer_kind} customer"
            if s >= len(SYSTEMS) * 2:
                pattern += f" ({s // (len(SYSTEMS) * 2) + 1})"
            slug = f"pattern-{s + 1:02d}"
            owner = self.user_ids[(s * 13) % len(self.user_ids)]
            section_id = first_section + s
            sections.append(
                {
                    "id": section_id,
                    "slug": slug,
                    "owner": owner,
                    "current": None,
                    "is_active": True,
                    "created_at": history_start,
                }
            )
            author = self.user_ids[(s * 17 + 5) % len(self.user_ids)]
            version_ids = []
            for v in range(VERSIONS_PER_SECTION):
                content = self._content(pattern, system, v, rng)
                version_id = first_version + s * VERSIONS_PER_SECTION + v
                revision_id = first_revision + s * VERSIONS_PER_SECTION + v
                published = self.version_times[v]
                if v > 0:
                    revisions.append(
                        content
                        | {
                            "id": revision_id,
                            "section": section_id,
                            "new_slug": "",
                            "new_owner": None,
                            "base": version_id - 1,
                            "author": author,
                            "rationale": f"Quarterly review: v{v + 1}.",
                            "state": RevisionState.APPROVED,
                            "prompted_by_review": None,
                            "prompted_by_action": None,
                            "review_task": None,
                            "restored_from": None,
                            "decided_by": self.governance[0],
                            "decided_at": published,
                            "decision_comment": "Approved.",
                            "attested_regulatory": True,
                            "attested_blameless": True,
                            "submitted_at": published - timedelta(days=2),
                            "version": 2,
                            "created_at": published - timedelta(days=3),
                            "updated_at": published,
                        }
                    )
                versions.append(
                    content
                    | {
                        "id": version_id,
                        "section": section_id,
                        "number": v + 1,
                        "revision": revision_id if v > 0 else None,
                        "published_at": published,
                        "published_by": self.governance[0],
                    }
                )
                version_ids.append(version_id)
            self.sections.append({"id": section_id, "pattern": pattern, "system": system, "versions": version_ids})
        self.out.write(Section, sections)
        self.out.write(Revision, revisions)
        self.out.write(SectionVersion, versions)
        for section in self.sections:
            Section.objects.filter(pk=section["id"]).update(current=section["versions"][-1])
        self.progress(f"  {SECTIONS} playbook sections with {VERSIONS_PER_SECTION} versions each")

    def _content(self, pattern, system, v, rng):
        minutes = 15 + (v % 4) * 5
        return {
            "pattern": pattern,
            "recognise": f"Customers report {system} problems; monitoring shows {system} errors. Version {v + 1}.",
            "ownership_map": {
                role.value: {"team": self.team_ids[(v + i) % len(self.team_ids)], "person": None}
                for i, role in enumerate(OwnershipRole)
            },
            "target_ownership_minutes": minutes,
            "target_first_update_minutes": 30 + (v % 3) * 15,
            "update_cadence_minutes": 30,
            "target_resolution_minutes": 240 + (v % 5) * 60,
            "change_authority": "The decision owner, or the on-call engineering manager.",
            "approvals_required": 1 + v % 2,
            "acceptable_risks": f"- Degraded {system} for up to {minutes} minutes while rolling back.",
            "fallback_options": f"- Fail over {system} to the secondary region.\n- Disable the feature flag.",
            "contingency_contacts": "- Engineering manager on call\n- Head of customer success",
            "script_acknowledge": f"We are aware of problems with {system} and are working on it.",
            "script_known": "What we know so far: …",
            "script_unknown": "What we do not know yet: …",
            "script_next_steps": "Next steps: …",
            "script_next_update": "Our next update will be at …",
        }

    # Incidents and their reviews ------------------------------------------------------------

    def incidents(self):
        span = (self.end - self.start).total_seconds()
        # Escalation times, sorted, so that ids follow time as they would in real life.
        moments = sorted(self.rng.random() * span for _ in range(self.n))
        done = 0
        for offset in range(0, self.n, CHUNK):
            self._chunk([self.start + timedelta(seconds=s) for s in moments[offset : offset + CHUNK]])
            done += min(CHUNK, self.n - offset)
            self.progress(f"  {done:,} / {self.n:,} incidents")

    def _chunk(self, moments):
        rng, ids = self.rng, self.ids
        count = len(moments)
        first_incident = ids.take(Incident, count)
        first_review = ids.take(Review, count)
        rows = {
            model: []
            for model in (
                Incident,
                Review,
                RoleAssignment,
                TimelineEntry,
                Participant,
                Score,
                DimensionResult,
                ReviewText,
                Finding,
                ActionItem,
            )
        }
        for i, escalated in enumerate(moments):
            incident_id, review_id = first_incident + i, first_review + i
            section = self.sections[int(rng.paretovariate(1.2) * 3) % SECTIONS]
            in_force = max(0, sum(1 for t in self.version_times if t <= escalated) - 1)
            customer = self.customers[int(rng.paretovariate(1.0) * 5) % len(self.customers)]
            system = section["system"]
            cause = rng.choice(CAUSES)
            facilitator = rng.choice(self.facilitators)
            team = self.team_ids[int(rng.random() ** 2 * len(self.team_ids))]
            ack = escalated + timedelta(minutes=rng.randint(2, 30))
            first_update = escalated + timedelta(minutes=rng.randint(10, 120)) if rng.random() < 0.95 else None
            resolved = escalated + timedelta(minutes=rng.randint(45, 2_000)) if rng.random() < 0.97 else None
            rows[Incident].append(
                {
                    "id": incident_id,
                    "title": f"{system.capitalize()} {rng.choice(SYMPTOMS)} {customer}",
                    "customer": customer,
                    "severity": rng.choices(list(Severity.values), weights=(1, 3, 5, 3))[0],
                    "summary": f"{system.capitalize()} degraded after {cause}.",
                    "team": team,
                    "pattern_name": section["pattern"],
                    "playbook_section": section["id"],
                    "playbook_version": section["versions"][in_force],
                    "escalated_at": escalated,
                    "acknowledged_at": ack,
                    "first_customer_update_at": first_update,
                    "resolved_at": resolved,
                    "satisfaction": rng.choices([1, 2, 3, 4, 5, None], weights=(1, 2, 4, 6, 4, 3))[0],
                    "version": 1,
                    "created_by": facilitator,
                    "created_at": escalated + timedelta(hours=2),
                    "updated_at": escalated + timedelta(days=1),
                }
            )
            people = rng.sample(self.user_ids, 6)
            established = self._roles(rows[RoleAssignment], incident_id, escalated, people, facilitator)
            rows[Incident][-1]["ownership_established_at"] = established
            context = {"system": system, "customer": customer, "cause": cause}
            for e in range(ENTRIES_PER_INCIDENT):
                kind = ENTRY_KINDS[e] if e < len(ENTRY_KINDS) else EntryKind.NOTE
                rows[TimelineEntry].append(
                    {
                        "id": None,
                        "incident": incident_id,
                        "at": escalated + timedelta(minutes=e * 9 - 5),
                        "kind": kind,
                        "who": self.names[people[e % 6]],
                        "what": ENTRY_TEXTS[kind].format(**context),
                        "created_by": facilitator,
                        "created_at": escalated + timedelta(hours=3),
                    }
                )
            roll = rng.random()
            state = (
                ReviewState.DRAFT
                if roll < 0.08
                else ReviewState.IN_REVIEW
                if roll < 0.15
                else ReviewState.AMENDED
                if roll < 0.18
                else ReviewState.PUBLISHED
            )
            public = state in (ReviewState.PUBLISHED, ReviewState.AMENDED)
            published_at = escalated + timedelta(days=rng.randint(3, 14)) if public else None
            narrative = (
                f"{system.capitalize()} was {rng.choice(SYMPTOMS).split()[0]} after {cause}. "
                "Monitoring caught it; the incident trio was named and the customer received one narrative."
            )
            summaries = self._scores(rows, review_id, state, people, escalated, rng)
            for r in summaries:
                rows[DimensionResult].append(
                    {
                        "id": None,
                        "review": review_id,
                        "dimension": r.dimension,
                        "median": r.median,
                        "spread": r.spread,
                        "count": r.count,
                    }
                )
            clarity = clarity_score(summaries) if public and summaries else None
            rows[Review].append(
                {
                    "id": review_id,
                    "incident": incident_id,
                    "facilitator": facilitator,
                    "state": state,
                    "is_exercise": rng.random() < 0.03,
                    "narrative": narrative,
                    "clarity_score": clarity,
                    "published_at": published_at,
                    "version": 3 if public else 1,
                    "created_at": escalated + timedelta(hours=2),
                    "updated_at": published_at or escalated + timedelta(days=1),
                }
            )
            if state == ReviewState.DRAFT:
                continue
            texts = [FINDINGS[(i + k) % len(FINDINGS)].format(**context) for k in range(2)]
            first_finding = ids.take(Finding, 2)
            for k, text in enumerate(texts):
                rows[Finding].append(
                    {
                        "id": first_finding + k,
                        "review": review_id,
                        "text": text,
                        "created_by": facilitator,
                        "created_at": escalated + timedelta(days=1),
                    }
                )
            for k in range(rng.randint(1, 2)):
                title, kind = ACTIONS[(i + k) % len(ACTIONS)]
                due = (escalated + timedelta(days=rng.randint(7, 60))).date()
                done = rng.random() < 0.6
                rows[ActionItem].append(
                    {
                        "id": None,
                        "review": review_id,
                        "finding": first_finding + k,
                        "title": title.format(**context),
                        "owner": rng.choice(people),
                        "due_on": due,
                        "kind": kind,
                        "state": ActionState.DONE if done else ActionState.OPEN,
                        "dropped_reason": "",
                        "completed_at": datetime.combine(due, time(12), tzinfo=UTC) if done else None,
                        "version": 1,
                        "created_by": facilitator,
                        "created_at": escalated + timedelta(days=1),
                    }
                )
            if public:
                for number in range(1, 3 if state == ReviewState.AMENDED else 2):
                    rows[ReviewText].append(
                        {
                            "id": None,
                            "review": review_id,
                            "number": number,
                            "narrative": narrative,
                            "findings": texts,
                            "reason": "" if number == 1 else "Corrected the timeline.",
                            "author": facilitator,
                            "created_at": published_at + timedelta(days=number - 1),
                        }
                    )
        for model, model_rows in rows.items():
            self._number(model, model_rows)
            self.out.write(model, model_rows)

    def _number(self, model, model_rows):
        unnumbered = [row for row in model_rows if row["id"] is None]
        if unnumbered:
            first = self.ids.take(model, len(unnumbered))
            for k, row in enumerate(unnumbered):
                row["id"] = first + k

    def _roles(self, out, incident_id, escalated, people, facilitator):
        rng = self.rng
        firsts = []
        for k, role in enumerate(OwnershipRole):
            if k < 3 and rng.random() < 0.03:
                continue  # a core role nobody held: ownership never established
            started = escalated + timedelta(minutes=rng.randint(1, 45) * (1 + k // 3))
            if role in CORE_ROLES:
                firsts.append(started)
            handover = rng.random() < 0.2
            ended = started + timedelta(minutes=rng.randint(20, 200)) if handover else None
            out.append(
                {
                    "id": None,
                    "incident": incident_id,
                    "role": role,
                    "person": people[k],
                    "started_at": started,
                    "ended_at": ended,
                    "handover_note": "",
                    "created_by": facilitator,
                    "created_at": started,
                }
            )
            if handover:
                out.append(
                    {
                        "id": None,
                        "incident": incident_id,
                        "role": role,
                        "person": people[5],
                        "started_at": ended,
                        "ended_at": None,
                        "handover_note": "Open questions, last promise to the customer, next update time.",
                        "created_by": facilitator,
                        "created_at": ended,
                    }
                )
        return max(firsts) if len(firsts) == len(CORE_ROLES) else None

    def _scores(self, rows, review_id, state, people, escalated, rng):
        if state == ReviewState.DRAFT:
            return []
        first = self.ids.take(Participant, PARTICIPANTS_PER_REVIEW)
        submitted_scores = []
        for p in range(PARTICIPANTS_PER_REVIEW):
            submitted = state != ReviewState.IN_REVIEW or p == 0
            at = escalated + timedelta(days=2)
            rows[Participant].append(
                {
                    "id": first + p,
                    "review": review_id,
                    "user": people[p],
                    "invited_by": people[p],
                    "invited_at": at,
                    "submitted_at": at + timedelta(hours=4) if submitted else None,
                }
            )
            for dimension in Dimension:
                score = min(5, max(1, round(rng.gauss(3.6, 1.0))))
                rows[Score].append(
                    {
                        "id": None,
                        "participant": first + p,
                        "dimension": dimension.value,
                        "score": score,
                        "evidence": "Seen in the timeline.",
                        "updated_at": at,
                    }
                )
                if submitted:
                    submitted_scores.append((dimension.value, score))
        if state in (ReviewState.DRAFT, ReviewState.IN_REVIEW):
            return []
        return consolidate(submitted_scores)

    # Recognitions ----------------------------------------------------------------------

    def recognitions(self):
        rng = self.rng
        count = max(20, self.n // 10)
        first = self.ids.take(Recognition, count)
        span = (self.end - self.start).total_seconds()
        moments = sorted(rng.random() * span for _ in range(count))
        recognitions, seconds = [], []
        for i, offset in enumerate(moments):
            author = rng.choice(self.user_ids)
            to_team = rng.random() < 0.8
            recognitions.append(
                {
                    "id": first + i,
                    "author": author,
                    "team": rng.choice(self.team_ids) if to_team else None,
                    "person": None if to_team else rng.choice([u for u in self.user_ids[:50] if u != author]),
                    "category": rng.choice(list(Category.values)),
                    "message": rng.choice(RECOGNITION_TEXTS).format(system=rng.choice(SYSTEMS)),
                    "review": None,
                    "created_at": self.start + timedelta(seconds=offset),
                    "hidden_at": None,
                    "hidden_by": None,
                    "hidden_reason": "",
                }
            )
            for user in rng.sample(self.user_ids, rng.randint(0, 3)):
                if user != author:
                    seconds.append(
                        {
                            "id": None,
                            "recognition": first + i,
                            "user": user,
                            "created_at": self.start + timedelta(seconds=offset + 3600),
                        }
                    )
        self._number(Second, seconds)
        self.out.write(Recognition, recognitions)
        self.out.write(Second, seconds)

    def reset_sequences(self):
        """PostgreSQL: move the id sequences past the ids written here."""
        sql = connection.ops.sequence_reset_sql(no_style(), list(self.out.counts))
        if sql:
            with connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
