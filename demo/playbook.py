"""The demo playbook: six sections, each revised when a review or a quarterly review asked
for it, and the quarterly cycles of last quarter (done) and this one (part-way).

Sections and revisions go through the playbook services: the section owner (or whoever the
review's action item named) proposes, the governance owner approves. The moments come from
``demo.story``, which tells the year in order.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.quarters import Quarter
from demo import clock
from playbook import services
from playbook.models import ReviewTask, Section
from reviews.models import OwnershipRole as R
from teams.models import Team

APPROVER = "gordon"
ACK = "We're sorry: {what}. We have a team on it now and **{owner}** is your single point of contact."
KNOWN = "What we know: {known}"
UNKNOWN = "What we don't know yet: the root cause and the exact number of affected {unit}."
NEXT = "Next steps: {steps}"
UPDATE = "Next update by **{minutes} minutes** from now, even if there is no news."

# One spec per section: its first version. ``since`` is how many days ago it was first published;
# a section without it is created by a review's action item (see demo/reviews.py).
SECTIONS = {
    "payment-outage-enterprise": {
        "owner": "tom",
        "since": 400,
        "rationale": "First section, from the payments team's escalation runbook.",
        "pattern": "Payment outage reported by an enterprise customer",
        "recognise": "- Decline or error rate above 5% for one merchant, **or**\n"
        "- an enterprise customer reports failed payments.",
        "map": {
            R.INVESTIGATION_LEAD: "site-reliability",
            R.COMMUNICATIONS_OWNER: "customer-success",
            R.DECISION_OWNER: "payments-platform",
            R.INTERNAL_LIAISON: "support-operations",
        },
        "targets": (30, 30, 30, 240),
        "change_authority": "The incident commander.",
        "acceptable_risks": "A short period of degraded service while rolling back. "
        "Never bypass 3-D Secure or other card-scheme rules.",
        "fallback_options": "Roll back the last change; route authorisations to the second acquirer.",
        "contingency_contacts": "- The payments on-call lead\n- The governance owner\n"
        "- Jordan Ellis, acquirer relationship manager",
        "what": "payments are failing for some of your customers",
        "known": "which payment methods are affected.",
        "unit": "transactions",
        "steps": "roll back the last change, then confirm with you.",
    },
    "primary-database-unavailable": {
        "owner": "priya",
        "since": 400,
        "rationale": "First section, from the Site Reliability failover runbook.",
        "pattern": "Primary database unavailable",
        "recognise": "Write errors across services; the database health check fails for more than 2 minutes.",
        "map": {
            R.INVESTIGATION_LEAD: "site-reliability",
            R.COMMUNICATIONS_OWNER: "support-operations",
            R.DECISION_OWNER: "site-reliability",
            R.CUSTOMER_CONTACT: "account-management",
        },
        "targets": (15, 30, 30, 120),
        "change_authority": "The incident commander decides on failover.",
        "acceptable_risks": "Up to one minute of lost writes when failing over.",
        "fallback_options": "Fail over to the standby region.",
        "contingency_contacts": "- The SRE on-call lead\n- The governance owner",
        "what": "our service is unavailable",
        "known": "the primary database is not accepting writes.",
        "unit": "requests",
        "steps": "fail over to the standby region.",
    },
    "identity-provider-failure": {
        "owner": "priya",
        "since": 400,
        "rationale": "First section, after the single sign-on launch.",
        "pattern": "Identity provider integration failure",
        "recognise": "A customer's users cannot sign in through single sign-on.",
        "map": {
            R.INVESTIGATION_LEAD: "site-reliability",
            R.COMMUNICATIONS_OWNER: "account-management",
            R.DECISION_OWNER: "site-reliability",
            R.CUSTOMER_CONTACT: "account-management",
        },
        "targets": (20, 30, 60, 180),
        "change_authority": "The SRE on-call lead.",
        "acceptable_risks": "Accepting a customer's expired certificate for up to 24 hours.",
        "fallback_options": "Ask the customer to revert their identity provider change.",
        "contingency_contacts": "- The SRE on-call lead\n- The customer's identity provider administrator",
        "what": "your users cannot sign in",
        "known": "sign-in through your identity provider fails.",
        "unit": "users",
        "steps": "restore the last configuration that worked.",
    },
    "stalled-customer-job": {
        "owner": "diego",
        "since": 400,
        "rationale": "First section, from the support team's job-stall checklist.",
        "pattern": "Customer-facing job stalled before a deadline",
        "recognise": "An export, import, report or payout job has not progressed for 30 minutes "
        "and the customer has a deadline.",
        "map": {
            R.INVESTIGATION_LEAD: "support-operations",
            R.COMMUNICATIONS_OWNER: "support-operations",
            R.DECISION_OWNER: "site-reliability",
        },
        "targets": (60, 60, 120, 1440),
        "change_authority": "Site Reliability, for restarts, cancellations and manual runs.",
        "acceptable_risks": "Running the job on a replica while the primary is locked.",
        "fallback_options": "Run the job by hand for this customer and deliver the file directly.",
        "contingency_contacts": "- The support lead on call\n- The SRE on-call lead",
        "what": "your job is delayed",
        "known": "the job is not progressing.",
        "unit": "records",
        "steps": "restart the job once, in one place, and watch it.",
    },
    "webhook-delivery-delays": {
        "owner": "mei",
        "since": 400,
        "rationale": "First section, from the payments team's webhook runbook.",
        "pattern": "Webhook deliveries delayed",
        "recognise": "A customer reports late webhook deliveries.",
        "map": {
            R.INVESTIGATION_LEAD: "payments-platform",
            R.COMMUNICATIONS_OWNER: "customer-success",
            R.DECISION_OWNER: "payments-platform",
        },
        "targets": (30, 60, 60, 240),
        "change_authority": "The payments on-call lead.",
        "acceptable_risks": "Delivering out of order while draining a backlog.",
        "fallback_options": "Add delivery workers and drain the queue oldest first.",
        "contingency_contacts": "- The payments on-call lead",
        "what": "notifications to your systems are delayed",
        "known": "no notification is lost; they are queued.",
        "unit": "notifications",
        "steps": "add delivery capacity and drain the queue.",
    },
    "billing-error-reported": {
        "owner": "lena",
        "pattern": "Wrong invoices or charges reported by a customer",
        "recognise": "- A customer reports wrong amounts, prices or taxes on invoices, **or**\n"
        "- duplicate or unexpected card charges.",
        "map": {
            R.INVESTIGATION_LEAD: "payments-platform",
            R.COMMUNICATIONS_OWNER: "account-management",
            R.DECISION_OWNER: "payments-platform",
            R.CUSTOMER_CONTACT: "account-management",
        },
        "targets": (60, 120, 240, 2880),
        "change_authority": "The payments on-call lead decides on refunds and corrections; "
        "a bulk refund needs no further approval.",
        "acceptable_risks": "Refunding a charge that turns out to be correct.",
        "fallback_options": "Refund first, correct the invoice afterwards.",
        "contingency_contacts": "- The payments on-call lead\n- The billing lead",
        "what": "some of your invoices or charges are wrong",
        "known": "which invoices or charges are affected.",
        "unit": "invoices",
        "steps": "correct every affected invoice or charge and confirm the list with you.",
    },
}

TARGET_FIELDS = (
    "target_ownership_minutes",
    "target_first_update_minutes",
    "update_cadence_minutes",
    "target_resolution_minutes",
)


def people():
    return {user.username: user for user in get_user_model().objects.all()}


def ownership_map(roles):
    """``{role: team slug}`` as a section's ownership map."""
    teams = dict(Team.objects.values_list("slug", "pk"))
    return {str(role): {"team": teams[slug], "person": None} for role, slug in roles.items()}


def first_content(slug):
    spec = SECTIONS[slug]
    targets = dict(zip(TARGET_FIELDS, spec["targets"], strict=True))
    return targets | {
        "pattern": spec["pattern"],
        "recognise": spec["recognise"],
        "ownership_map": ownership_map(spec["map"]),
        "change_authority": spec["change_authority"],
        "approvals_required": 1,
        "acceptable_risks": spec["acceptable_risks"],
        "fallback_options": spec["fallback_options"],
        "contingency_contacts": spec["contingency_contacts"],
        "script_acknowledge": ACK.format(what=spec["what"], owner="your account manager"),
        "script_known": KNOWN.format(known=spec["known"]),
        "script_unknown": UNKNOWN.format(unit=spec["unit"]),
        "script_next_steps": NEXT.format(steps=spec["steps"]),
        "script_next_update": UPDATE.format(minutes=spec["targets"][2]),
    }


def changed_content(section, changes):
    """A revision's content from ``changes``: content fields, plus ``ownership`` ({role: team slug})
    merged into the published map. Fields left out keep the published value."""
    changes = dict(changes)
    if "ownership" in changes:
        changes["ownership_map"] = dict(section.current.ownership_map) | ownership_map(changes.pop("ownership"))
    if "update_cadence_minutes" in changes:
        changes["script_next_update"] = UPDATE.format(minutes=changes["update_cadence_minutes"])
    return changes


def create_section(slug, moment):
    """Propose a section (its owner) and approve it (the governance owner), at ``moment``."""
    who = people()
    spec = SECTIONS[slug]
    with clock.at(moment):
        revision = services.revision_create(
            who[spec["owner"]],
            content=first_content(slug),
            rationale=spec["rationale"],
            new_slug=slug,
            new_owner=who[spec["owner"]],
            submit=True,
        )
    with clock.at(moment + timedelta(days=2)):
        services.revision_approve(who[APPROVER], revision, attest_regulatory=True, attest_blameless=True)
    return Section.objects.get(slug=slug)


def propose(author, slug, *, changes, rationale, moment, action=None, task=None):
    """A revision of section ``slug`` (or, for a section not created yet, the section itself), submitted."""
    section = Section.objects.filter(slug=slug).select_related("current").first()
    with clock.at(moment):
        if section is None:
            return services.revision_create(
                author,
                content=first_content(slug),
                rationale=rationale,
                new_slug=slug,
                new_owner=people()[SECTIONS[slug]["owner"]],
                prompted_by_action=action,
                submit=True,
            )
        return services.revision_create(
            author,
            section=section,
            content=changed_content(section, changes),
            rationale=rationale,
            prompted_by_action=action,
            review_task=task,
            submit=True,
        )


def approve(revision, moment, comment=""):
    with clock.at(moment):
        return services.revision_approve(
            people()[APPROVER], revision, comment=comment, attest_regulatory=True, attest_blameless=True
        )


# The quarterly cycles --------------------------------------------------------------------------

# section slug: (days after the cycle opened, "reviewed, no change needed" note)
LAST_CYCLE = {
    "payment-outage-enterprise": (
        9,
        "Re-read against the quarter's payment escalations: the decision owner and the 20-minute "
        "first update held every time.",
    ),
    "primary-database-unavailable": (
        12,
        "No failover this quarter. Checked that the on-call rota still staffs the SRE on-call lead "
        "the section names as failover authority.",
    ),
    "identity-provider-failure": (
        13,
        "Checked the pinning fallback against the quarter's sign-in escalations; still right.",
    ),
    "stalled-customer-job": (
        34,
        "Checked the one-channel rule and the contacts with the support leads; no change needed.",
    ),
    "billing-error-reported": (
        21,
        "Re-read with the billing lead: the remedy decision and the credit-note script match how we work.",
    ),
}
LAST_CYCLE_REVISION = {
    "section": "webhook-delivery-delays",
    "proposed": 14,
    "approved": 17,
    "changes": {"recognise": "Webhook queue age above 10 minutes: the queue-age alert pages the payments on-call."},
    "rationale": "Quarterly review: since the queue-age alert went in, we see a backlog before the customer "
    "does. The section still said a customer report is how we recognise it.",
    "comment": "Matches the alert we run.",
}

# This quarter: done at this fraction of the time since the cycle opened, with a note. The payment
# section's note speaks of a revision proposed at least 16 days ago: 0.9 of a quarter at most comes after it.
THIS_CYCLE = {
    "identity-provider-failure": (
        0.2,
        "Re-read against this quarter's sign-in escalations: the pinning fallback and the 20-minute "
        "ownership target hold.",
    ),
    "primary-database-unavailable": (
        0.35,
        "No database escalation this quarter; rehearsed the failover decision with the night rota instead.",
    ),
    "payment-outage-enterprise": (
        0.9,
        "Targets and scripts reviewed, no change. The fallback decision owner the payment tabletop asked for "
        "is in Sam's revision, waiting for approval.",
    ),
}
THIS_CYCLE_REVISION = {
    "section": "webhook-delivery-delays",
    "proposed": 0.6,
    "changes": {"target_first_update_minutes": 30},
    "rationale": "Quarterly review: webhook customers expect a first update within 30 minutes (Trey Research "
    "asked at minute 20); the section's target still says 60.",
}


def last_cycle_opens(today):
    return _opening(Quarter.containing(today).previous())


def this_cycle_opens(today):
    return min(_opening(Quarter.containing(today)), clock.real_now() - timedelta(hours=1))


def _opening(quarter):
    return timezone.make_aware(datetime.combine(quarter.start + timedelta(days=1), time(8, 0)))


def _open_cycle(opened):
    """The cycle of the quarter ``opened`` falls in, reconciled then: its tasks by section."""
    with clock.at(opened):
        services.cycle_reconcile()
    quarter = Quarter.containing(opened.date())
    tasks = ReviewTask.objects.filter(cycle__year=quarter.year, cycle__quarter=quarter.number)
    return {task.section.slug: task for task in tasks.select_related("section", "assignee")}


def last_cycle(opened):
    """Last quarter's cycle, every task done: notes, and one revision that answered its task."""
    tasks = _open_cycle(opened)
    for slug, (days, note) in LAST_CYCLE.items():
        with clock.at(opened + timedelta(days=days, hours=2)):
            services.task_complete(tasks[slug].assignee, tasks[slug], note=note)
    spec = LAST_CYCLE_REVISION
    task = tasks[spec["section"]]
    revision = propose(
        task.assignee,
        spec["section"],
        changes=spec["changes"],
        rationale=spec["rationale"],
        moment=opened + timedelta(days=spec["proposed"]),
        task=task,
    )
    approve(revision, opened + timedelta(days=spec["approved"]), spec["comment"])


def this_cycle(opened):
    """This quarter's cycle part-way through: three done, one revision waiting, two open."""
    tasks = _open_cycle(opened)
    span = clock.real_now() - opened
    for slug, (fraction, note) in THIS_CYCLE.items():
        with clock.at(opened + span * fraction):
            services.task_complete(tasks[slug].assignee, tasks[slug], note=note)
    spec = THIS_CYCLE_REVISION
    task = tasks[spec["section"]]
    propose(
        task.assignee,
        spec["section"],
        changes=spec["changes"],
        rationale=spec["rationale"],
        moment=opened + span * spec["proposed"],
        task=task,
    )
