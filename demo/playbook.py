"""A realistic demo playbook: five sections with several versions each, and an
open quarterly cycle. Created through the services (proposed, then approved by
the governance owner), then the publication dates are spread over the past
year so that older incidents link to older versions. Idempotent."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from playbook import services
from playbook.models import ReviewTask, Section, SectionVersion
from reviews.models import OwnershipRole as R
from teams.models import Team

ACK = "We're sorry: {what}. We have a team on it now and **{owner}** is your single point of contact."
KNOWN = "What we know: {known}"
UNKNOWN = "What we don't know yet: the root cause and the exact number of affected {unit}."
NEXT = "Next steps: {steps}"
UPDATE = "Next update by **{minutes} minutes** from now, even if there is no news."

SECTIONS = [
    {
        "slug": "payment-outage-enterprise",
        "owner": "tom",
        "pattern": "Payment outage reported by an enterprise customer",
        "recognise": "- Decline or error rate above 5% for one merchant, **or**\n- an enterprise customer reports failed payments.",
        "map": {
            R.INVESTIGATION_LEAD: "site-reliability",
            R.COMMUNICATIONS_OWNER: "customer-success",
            R.DECISION_OWNER: "payments-platform",
            R.CUSTOMER_CONTACT: "account-management",
            R.INTERNAL_LIAISON: "support-operations",
        },
        "targets": (30, 30, 30, 240),
        "authority": "The payments on-call lead; a rollback needs no further approval.",
        "what": "payments are failing for some of your customers",
        "known": "which payment methods are affected.",
        "unit": "transactions",
        "steps": "roll back the last change, then confirm with you.",
        "versions": [
            ("Initial section from the Q1 payments review.", {}),
            (
                "Name the decision owner explicitly: two teams believed they could roll back.",
                {
                    "change_authority": "The payments on-call lead. Rollbacks need no further approval; fixes forward need two."
                },
            ),
            ("Faster first update: customers asked within 20 minutes.", {"targets": (30, 20, 30, 240)}),
        ],
    },
    {
        "slug": "primary-database-unavailable",
        "owner": "priya",
        "pattern": "Primary database unavailable",
        "recognise": "Write errors across services; the database health check fails for more than 2 minutes.",
        "map": {
            R.INVESTIGATION_LEAD: "site-reliability",
            R.COMMUNICATIONS_OWNER: "support-operations",
            R.DECISION_OWNER: "site-reliability",
        },
        "targets": (15, 30, 30, 120),
        "authority": "The incident commander decides on failover.",
        "what": "our service is unavailable",
        "known": "the primary database is not accepting writes.",
        "unit": "requests",
        "steps": "fail over to the standby region.",
        "versions": [
            ("Initial section.", {}),
            (
                "The failover authority named a role that no longer exists (tabletop exercise).",
                {
                    "change_authority": "The SRE on-call lead decides on failover; the governance owner if they are unreachable."
                },
            ),
        ],
    },
    {
        "slug": "identity-provider-failure",
        "owner": "priya",
        "pattern": "Identity provider integration failure",
        "recognise": "A customer's users cannot sign in through single sign-on.",
        "map": {
            R.INVESTIGATION_LEAD: "site-reliability",
            R.COMMUNICATIONS_OWNER: "account-management",
            R.DECISION_OWNER: "site-reliability",
            R.CUSTOMER_CONTACT: "account-management",
        },
        "targets": (20, 30, 60, 180),
        "authority": "The SRE on-call lead.",
        "what": "your users cannot sign in",
        "known": "sign-in through your identity provider fails.",
        "unit": "users",
        "steps": "pin the last known good configuration.",
        "versions": [
            ("Initial section.", {}),
            ("Add pinning of IdP metadata as a fallback.", {"fallback": "Pin the previous IdP metadata."}),
        ],
    },
    {
        "slug": "stalled-customer-job",
        "owner": "diego",
        "pattern": "Customer-facing job stalled before a deadline",
        "recognise": "An export, import or report job has not progressed for 30 minutes and the customer has a deadline.",
        "map": {
            R.INVESTIGATION_LEAD: "support-operations",
            R.COMMUNICATIONS_OWNER: "support-operations",
            R.DECISION_OWNER: "site-reliability",
        },
        "targets": (60, 60, 120, 1440),
        "authority": "The support lead, with the SRE on-call for restarts.",
        "what": "your export is delayed",
        "known": "the job is not progressing.",
        "unit": "records",
        "steps": "restart the job once, in one place, and watch it.",
        "versions": [
            ("Initial section.", {}),
            (
                "Name a communications owner in the first triage call: the customer heard two explanations.",
                {"map_extra": {R.CUSTOMER_CONTACT: "support-operations"}},
            ),
            (
                "One shared incident channel for every SEV2 job stall.",
                {"contacts": "- #inc-jobs channel\n- Support lead on call"},
            ),
        ],
    },
    {
        "slug": "webhook-delivery-delays",
        "owner": "mei",
        "pattern": "Webhook deliveries delayed",
        "recognise": "Webhook queue age above 10 minutes.",
        "map": {
            R.INVESTIGATION_LEAD: "payments-platform",
            R.COMMUNICATIONS_OWNER: "customer-success",
            R.DECISION_OWNER: "payments-platform",
        },
        "targets": (30, 60, 60, 240),
        "authority": "The payments on-call lead.",
        "what": "notifications to your systems are delayed",
        "known": "no notification is lost; they are queued.",
        "unit": "notifications",
        "steps": "add delivery capacity and drain the queue.",
        "versions": [("Initial section.", {})],
    },
]


def _content(spec, changes, teams):
    targets = changes.get("targets", spec["targets"])
    mapping = dict(spec["map"]) | changes.get("map_extra", {})
    return {
        "pattern": spec["pattern"],
        "recognise": spec["recognise"],
        "ownership_map": {
            role.value if hasattr(role, "value") else role: {"team": teams[slug], "person": None}
            for role, slug in mapping.items()
            if slug in teams
        },
        "target_ownership_minutes": targets[0],
        "target_first_update_minutes": targets[1],
        "update_cadence_minutes": targets[2],
        "target_resolution_minutes": targets[3],
        "change_authority": changes.get("change_authority", spec["authority"]),
        "approvals_required": 1,
        "acceptable_risks": "A short period of degraded service while rolling back.",
        "fallback_options": changes.get("fallback", "Roll back the last change."),
        "contingency_contacts": changes.get(
            "contacts", "- The on-call lead of the owning team\n- The governance owner"
        ),
        "script_acknowledge": ACK.format(what=spec["what"], owner="your account manager"),
        "script_known": KNOWN.format(known=spec["known"]),
        "script_unknown": UNKNOWN.format(unit=spec["unit"]),
        "script_next_steps": NEXT.format(steps=spec["steps"]),
        "script_next_update": UPDATE.format(minutes=targets[2]),
    }


def seed(stdout=None):
    User = get_user_model()
    people = {u.username: u for u in User.objects.all()}
    approver, author = people.get("gordon"), people.get("sam")
    if approver is None or author is None:
        return 0
    teams = dict(Team.objects.values_list("slug", "pk"))
    created = 0
    now = timezone.now()
    for spec in SECTIONS:
        if Section.objects.filter(slug=spec["slug"]).exists():
            continue
        section = None
        accumulated = {}
        for rationale, changes in spec["versions"]:
            accumulated |= changes
            content = _content(spec, accumulated, teams)
            revision = services.revision_create(
                author,
                section=section,
                content=content,
                rationale=rationale,
                new_slug=spec["slug"],
                new_owner=people[spec["owner"]],
                submit=True,
            )
            version = services.revision_approve(approver, revision, attest_regulatory=True, attest_blameless=True)
            section = version.section
        # Spread publication over the past year, oldest first.
        versions = list(section.versions.order_by("number"))
        for index, version in enumerate(versions):
            age = timedelta(days=300 - index * (280 // max(len(versions), 1)))
            SectionVersion.objects.filter(pk=version.pk).update(published_at=now - age)
        created += 1
    if created:
        _cycle_in_progress(people)
    if stdout is not None and created:
        stdout.write(f"Demo playbook: {created} sections.")
    return created


def _cycle_in_progress(people):
    """This quarter's cycle part-way through: two sections reviewed, one revision pending."""
    services.cycle_reconcile()
    tasks = {t.section.slug: t for t in ReviewTask.objects.select_related("section")}
    done = tasks.get("identity-provider-failure")
    if done:
        services.task_complete(done.assignee, done, note="Re-read against the Fabrikam SSO escalation; still right.")
    done = tasks.get("primary-database-unavailable")
    if done:
        services.task_complete(done.assignee, done, note="Checked after the failover tabletop; v2 covers it.")
    pending = tasks.get("webhook-delivery-delays")
    if pending:
        section = pending.section
        content = section.current.content() | {"target_first_update_minutes": 30}
        services.revision_create(
            pending.assignee,
            section=section,
            content=content,
            review_task=pending,
            submit=True,
            rationale="Quarterly review: Litware waited 40 minutes for a first update; 30 is what they expect.",
        )
