"""The demo escalations: a year of one organisation's customer escalations and their reviews.

Each is a distinct situation with its own customer, owners and gap in ownership, built through
the review services at the moments it happened (``demo.clock``): the incident with its
milestones, who held which role when (handovers included), the timeline, the participants'
own scores, the findings, owned action items and, where an action item asked for it, the
playbook revision it led to. So every figure (time-to-ownership, the clarity score) falls out of
the records, as for any review. Older escalations show ownership found late and the playbook
catching up; recent ones show it working, with a few still open.

A scenario's minutes count from the escalation; its days from the escalation (``opened``,
``publish``), or from publication for what follows (action due dates and outcomes).
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from demo import clock
from demo import playbook as playbook_demo
from playbook.models import Section
from reviews import services
from reviews.models import ActionKind as K
from reviews.models import ActionState
from reviews.models import EntryKind as E
from reviews.models import OwnershipRole as R
from teams.models import Team

PAYMENT = "payment-outage-enterprise"
DATABASE = "primary-database-unavailable"
IDENTITY = "identity-provider-failure"
STALLED = "stalled-customer-job"
WEBHOOK = "webhook-delivery-delays"
BILLING = "billing-error-reported"

# Action outcomes: ("done", days after publication), ("dropped", days, reason), or a playbook revision:
# {"author", "section", "changes", "rationale", "proposed", "approved" (days; None: still waiting), "comment"}.
# An action without an outcome is still open.

SCENARIOS = [
    {
        "title": "Checkout errors for Wide World Importers after an acquirer failover",
        "customer": "Wide World Importers",
        "customer_summary": "Card payments failed intermittently for about four hours after our acquirer "
        "switched data centres.",
        "severity": "sev1",
        "team": "payments-platform",
        "section": PAYMENT,
        "facilitator": "fiona",
        "days_ago": 395,
        "time": (14, 5),
        "summary": "About a third of card payments at Wide World Importers' web shop failed for just over four "
        "hours after the acquirer moved traffic to its secondary data centre.",
        "milestones": {"acknowledged_at": 8, "first_customer_update_at": 41, "resolved_at": 258},
        "satisfaction": 2,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 10, ""),
            (R.CUSTOMER_CONTACT, "lena", 20, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 35, ""),
            (R.DECISION_OWNER, "tom", 74, ""),
        ],
        "entries": [
            (-3, E.DETECTION, "Monitoring", "Payment error rate above 30% for Wide World Importers."),
            (18, E.DECISION, "Site Reliability", "Rolled back the load balancer change made that morning."),
            (22, E.DECISION, "Payments Platform", "Started patching the acquirer endpoint configuration forward."),
            (41, E.CUSTOMER_UPDATE, "Lena Hofmann", "Told Wide World Importers a load balancer change was the cause."),
            (70, E.CUSTOMER_UPDATE, "Support Operations", "Told Wide World Importers the acquirer was the cause."),
            (
                80,
                E.DECISION,
                "Tom Okafor",
                "Stop the forward patch, keep the rollback, wait for the acquirer's primary site.",
            ),
            (250, E.RESOLUTION, "Payments Platform", "Error rate at baseline for 30 minutes."),
        ],
        "participants": {
            "priya": ([2, 2, 2, 3, 1, 2], {5: "Two changes to production within five minutes, from two teams."}),
            "tom": [2, 3, 2, 3, 1, 2],
            "diego": ([3, 2, 3, 2, 2, 1], {6: "The customer heard two different causes within half an hour."}),
            "lena": [2, 2, 2, 3, 2, 1],
        },
        "narrative": "The acquirer moved traffic to its secondary data centre and about a third of card "
        "authorisations for Wide World Importers began to fail. Monitoring paged Site Reliability and Payments "
        "Platform at the same time. Both teams read the payment outage section as giving them the decision: Site "
        "Reliability rolled back a load balancer change made that morning while Payments Platform started patching "
        "the acquirer endpoint forward. The two changes interacted and errors rose for another forty minutes. The "
        "customer heard two explanations, one from Account Management and one from Support. Once a single decision "
        "owner was named at minute 74, the rollback was kept, the patch was stopped, and payments recovered when "
        "the acquirer returned to its primary site.",
        "findings": [
            "The payment outage section named an incident commander as decision owner, a role nobody held, so "
            "Site Reliability and Payments Platform each believed they could change production.",
            "Two teams made contradictory changes within five minutes of each other; neither knew of the other's.",
            "The customer received two different explanations because nobody owned the customer thread.",
        ],
        "publish": 6,
        "actions": [
            (
                "Name the payments on-call lead as decision owner in the payment outage section",
                "tom",
                14,
                K.PLAYBOOK_CHANGE,
                0,
                {
                    "author": "tom",
                    "section": PAYMENT,
                    "changes": {
                        "change_authority": "The payments on-call lead decides. A rollback needs no further "
                        "approval; a fix forward needs a second approval from Site Reliability.",
                        "ownership": {R.CUSTOMER_CONTACT: "account-management"},
                    },
                    "rationale": "Wide World Importers: two teams believed they could change production. Name "
                    "the payments on-call lead as decision owner, and the account manager as the customer's "
                    "single point of contact.",
                    "proposed": 5,
                    "approved": 7,
                    "comment": "Agreed with both team leads.",
                },
            ),
            (
                "Post every production change in the incident channel before making it",
                "priya",
                21,
                K.INCIDENT_TEMPLATE,
                1,
                ("done", 18),
            ),
            (
                "Make the account manager the single point of contact for enterprise payment escalations",
                "lena",
                21,
                K.OWNERSHIP_MAP,
                2,
                ("done", 8),
            ),
        ],
    },
    {
        "title": "Quarterly audit export stuck for Contoso",
        "customer": "Contoso Ltd",
        "customer_summary": "Your quarterly audit export was delivered a day late.",
        "severity": "sev2",
        "team": "support-operations",
        "section": STALLED,
        "facilitator": "tom",
        "days_ago": 380,
        "time": (9, 40),
        "summary": "Contoso's quarterly audit export stalled for a day, two days before their auditors' deadline. "
        "Support and Site Reliability worked on it in parallel without knowing of each other.",
        "milestones": {"acknowledged_at": 50, "first_customer_update_at": 240, "resolved_at": 1500},
        "satisfaction": 2,
        "roles": [
            (R.CUSTOMER_CONTACT, "diego", 55, ""),
            (R.INVESTIGATION_LEAD, "priya", 60, ""),
            (R.DECISION_OWNER, "tom", 600, ""),
        ],
        "entries": [
            (-30, E.DETECTION, "Contoso Ltd", "Contoso's finance team asked why the export had not arrived."),
            (100, E.INTERNAL_UPDATE, "Site Reliability", "Restarted the export worker."),
            (
                115,
                E.INTERNAL_UPDATE,
                "Support Operations",
                "Restarted the export worker, unaware of the first restart.",
            ),
            (240, E.CUSTOMER_UPDATE, "Support Operations", "Told Contoso a database lock was delaying the export."),
            (400, E.NOTE, "Diego Alvarez", "Contoso asked who is in charge: their account manager gave another cause."),
            (610, E.DECISION, "Tom Okafor", "Pause the maintenance job and run the export on the replica."),
            (1490, E.RESOLUTION, "Support Operations", "Export delivered; Contoso confirmed the file is complete."),
        ],
        "participants": {
            "priya": [2, 2, 3, 2, 1, 2],
            "diego": [3, 2, 3, 3, 3, 2],
            "omar": ([2, 1, 2, 2, 2, 1], {2: "Nobody was named to talk to the customer."}),
        },
        "narrative": "The export stalled on a lock held by a maintenance job. Support and Site Reliability both "
        "began investigating, and neither knew the other had. No communications owner was named, so the customer "
        "heard two different explanations. A decision owner was named only after ten hours. The engineer on call "
        "should have paged the decision owner earlier.",
        "findings": [
            "No communications owner was named: the customer received two explanations.",
            "Two teams restarted the same worker because the incident log was not shared.",
            "The stalled-job section did not say who decides on pausing maintenance work.",
        ],
        "publish": 7,
        "amendment": (
            31,
            "The export stalled on a lock held by a maintenance job. Support and Site Reliability both began "
            "investigating, and neither knew the other had. No communications owner was named, so the customer "
            "heard two different explanations. A decision owner was named only after ten hours, because the "
            "escalation path for export jobs did not say who decides.",
            "Rewrote the last sentence to describe the escalation path rather than the on-call engineer.",
        ),
        "actions": [
            (
                "Name a communications owner and a customer contact in the first triage call",
                "diego",
                14,
                K.PLAYBOOK_CHANGE,
                0,
                {
                    "author": "diego",
                    "section": STALLED,
                    "changes": {
                        "ownership": {R.CUSTOMER_CONTACT: "support-operations"},
                        "contingency_contacts": "- The support lead on call names the communications owner in the "
                        "first triage call\n- The SRE on-call lead",
                    },
                    "rationale": "Contoso heard two explanations: the first triage call names a communications "
                    "owner and a customer contact.",
                    "proposed": 6,
                    "approved": 9,
                    "comment": "",
                },
            ),
            (
                "Open an incident channel automatically for every SEV2 escalation",
                "omar",
                30,
                K.MONITORING,
                1,
                (
                    "dropped",
                    25,
                    "The chat tool cannot create channels from our pager; the triage call now asks for one instead.",
                ),
            ),
        ],
    },
    {
        "title": "Margie's Travel agents locked out after a SAML certificate expired",
        "customer": "Margie's Travel",
        "customer_summary": "Your agents could not sign in through single sign-on for 95 minutes.",
        "severity": "sev2",
        "team": "site-reliability",
        "section": IDENTITY,
        "facilitator": "fiona",
        "days_ago": 365,
        "time": (22, 15),
        "summary": "Margie's Travel's 400 agents could not sign in for 95 minutes after the signing certificate of "
        "their SAML connection expired at night.",
        "milestones": {"acknowledged_at": 12, "first_customer_update_at": 70, "resolved_at": 95},
        "satisfaction": 3,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 14, ""),
            (R.DECISION_OWNER, "priya", 20, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 30, ""),
            (R.INVESTIGATION_LEAD, "gordon", 60, "Certificate expired; a new one is generated."),
            (R.DECISION_OWNER, "gordon", 60, "Certificate expired; a new one is generated."),
        ],
        "entries": [
            (-5, E.DETECTION, "Support Operations", "Margie's Travel reported that no agent could sign in."),
            (
                45,
                E.INTERNAL_UPDATE,
                "Priya Raman",
                "New certificate generated; the customer's IdP admin must upload it.",
            ),
            (62, E.NOTE, "Gordon Mensah", "Took over at shift change; the note did not say who the IdP admin was."),
            (
                70,
                E.CUSTOMER_UPDATE,
                "Diego Alvarez",
                "Told Margie's Travel the certificate expired; asked for their admin.",
            ),
            (
                88,
                E.DECISION,
                "Gordon Mensah",
                "Accept the old certificate for 24 hours while their admin uploads the new one.",
            ),
        ],
        "participants": {
            "priya": [3, 3, 3, 2, 4, 3],
            "gordon": ([3, 3, 3, 1, 4, 3], {4: "I had to find the customer's admin again from the ticket history."}),
            "diego": [3, 2, 3, 2, 3, 3],
        },
        "narrative": "The signing certificate of Margie's Travel's SAML connection expired just after 22:00, and "
        "every agent sign-in failed. Nothing monitored certificate expiry, so the first signal was the customer's "
        "call to Support. A new certificate was ready within 45 minutes, but the customer's identity provider "
        "administrator had to upload it. At the shift change the investigation and the decision passed to the "
        "next on-call engineer with a note that did not name that administrator, and twenty minutes went on "
        "finding them again. Accepting the old certificate for a day restored sign-ins while the customer "
        "completed the upload.",
        "findings": [
            "Certificate expiry was not monitored: the customer detected the outage.",
            "The handover note did not carry the customer's technical contact, so the next owner had to find them again.",
        ],
        "publish": 5,
        "actions": [
            (
                "Alert 30 days before any customer's SSO signing certificate expires",
                "priya",
                30,
                K.MONITORING,
                0,
                ("done", 21),
            ),
            (
                "Add the customer's technical contact to the handover note template",
                "fiona",
                14,
                K.INCIDENT_TEMPLATE,
                1,
                ("done", 7),
            ),
        ],
    },
    {
        "title": "Tailspin Toys subscribers charged twice for their renewal",
        "customer": "Tailspin Toys",
        "customer_summary": "About 1,200 of your subscribers were charged twice for a renewal; every duplicate "
        "was refunded.",
        "severity": "sev2",
        "team": "payments-platform",
        "section": None,
        "facilitator": "fiona",
        "days_ago": 350,
        "time": (11, 20),
        "summary": "A retry in the renewal job charged about 1,200 Tailspin Toys subscribers twice. Deciding on the "
        "bulk refund took six hours.",
        "milestones": {"acknowledged_at": 20, "first_customer_update_at": 95, "resolved_at": 1620},
        "satisfaction": 1,
        "roles": [
            (R.INVESTIGATION_LEAD, "mei", 25, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 45, ""),
            (R.CUSTOMER_CONTACT, "lena", 45, ""),
            (R.DECISION_OWNER, "tom", 380, ""),
        ],
        "entries": [
            (-10, E.DETECTION, "Tailspin Toys", "Subscribers complained on social media about double charges."),
            (60, E.INTERNAL_UPDATE, "Mei Chen", "The renewal job retried a batch that had already settled."),
            (
                95,
                E.CUSTOMER_UPDATE,
                "Lena Hofmann",
                "Told Tailspin Toys about the double charges; refunds being decided.",
            ),
            (
                200,
                E.NOTE,
                "Lena Hofmann",
                "Asked Support, Payments and Finance who approves a bulk refund: each named another.",
            ),
            (
                385,
                E.DECISION,
                "Tom Okafor",
                "Refund every duplicate charge automatically, without case-by-case review.",
            ),
            (1600, E.RESOLUTION, "Payments Platform", "All 1,214 duplicate charges refunded."),
        ],
        "participants": {
            "mei": [2, 2, 1, 3, 1, 2],
            "lena": ([2, 3, 1, 3, 1, 3], {5: "Three teams each pointed to another for the refund decision."}),
            "tom": [3, 2, 1, 3, 2, 2],
        },
        "narrative": "A network timeout during the monthly renewal run made the job retry a batch that had "
        "already settled, and about 1,200 Tailspin Toys subscribers were charged twice. The cause was found within "
        "an hour. The decision took far longer: no playbook section covered wrong charges, and Support, Payments "
        "Platform and Finance each understood bulk refunds to belong to another team. The account manager kept "
        "the customer informed, but could not say when refunds would start until a decision owner was named six "
        "hours in.",
        "findings": [
            "No playbook section covers wrong charges reported by a customer, so nobody knew who decides on refunds.",
            "The renewal job's retry did not check whether the batch had settled.",
        ],
        "publish": 5,
        "actions": [
            (
                "Propose a playbook section for wrong invoices and charges",
                "lena",
                21,
                K.PLAYBOOK_CHANGE,
                0,
                {
                    "author": "lena",
                    "section": BILLING,
                    "changes": {},
                    "rationale": "Tailspin Toys waited six hours for a refund decision because no section covered "
                    "wrong charges. A new section names who decides.",
                    "proposed": 10,
                    "approved": 16,
                    "comment": "A gap worth closing; thank you for writing it up.",
                },
            ),
            (
                "Make the renewal job's retry check whether the batch has settled",
                "mei",
                30,
                K.OTHER,
                1,
                ("done", 20),
            ),
        ],
    },
    {
        "title": "Webhook backlog delayed Coho Winery's order confirmations",
        "customer": "Coho Winery",
        "customer_summary": "Order notifications to your systems were delayed by up to 70 minutes; none were lost.",
        "severity": "sev3",
        "team": "payments-platform",
        "section": WEBHOOK,
        "facilitator": "tom",
        "days_ago": 335,
        "time": (16, 30),
        "summary": "Webhook deliveries to Coho Winery queued for up to 70 minutes during their wine-club release; "
        "orders were confirmed late.",
        "milestones": {"acknowledged_at": 10, "first_customer_update_at": 55, "resolved_at": 180},
        "satisfaction": 3,
        "roles": [
            (R.INVESTIGATION_LEAD, "mei", 12, ""),
            (R.DECISION_OWNER, "sam", 18, ""),
            (R.COMMUNICATIONS_OWNER, "fiona", 25, ""),
        ],
        "entries": [
            (-25, E.DETECTION, "Coho Winery", "Coho Winery's developers reported order confirmations arriving late."),
            (30, E.DECISION, "Sam Novak", "Add two delivery workers and drain the queue oldest first."),
            (
                55,
                E.CUSTOMER_UPDATE,
                "Fiona Walsh",
                "Told Coho Winery no notification was lost; queue drained within two hours.",
            ),
            (170, E.RESOLUTION, "Payments Platform", "Queue age back under one minute."),
        ],
        "participants": {"mei": [4, 3, 4, 4, 4, 3], "sam": [4, 3, 3, 4, 5, 3], "fiona": [3, 3, 3, 4, 4, 4]},
        "narrative": "Coho Winery's wine-club release sent five times the usual order volume, and webhook "
        "deliveries queued behind it. The customer's developers noticed the delay 25 minutes before our own "
        "escalation, because nothing alerted on queue age. Ownership was quick once the escalation started: the "
        "three core roles were held within 25 minutes, and the decision to add workers and drain oldest first was "
        "made at minute 30. The first customer update came after 55 minutes, close to the one-hour target.",
        "findings": [
            "Nothing alerted on webhook queue age, so the customer saw the delay before we did.",
            "The first customer update took 55 minutes; the customer's developers had asked twice by then.",
        ],
        "publish": 7,
        "actions": [
            ("Alert when the webhook queue age passes 10 minutes", "mei", 21, K.MONITORING, 0, ("done", 14)),
            (
                "Give each large customer its own webhook delivery queue",
                "sam",
                60,
                K.OTHER,
                0,
                (
                    "dropped",
                    40,
                    "The queue-age alert and the added workers cover it; a queue per customer costs more than the "
                    "delays it would save.",
                ),
            ),
        ],
    },
    {
        "title": "Adventure Works read-only while a database failover waited for approval",
        "customer": "Adventure Works",
        "customer_summary": "Your service was read-only for 48 minutes while we switched to the standby database.",
        "severity": "sev1",
        "team": "site-reliability",
        "section": DATABASE,
        "facilitator": "fiona",
        "days_ago": 310,
        "time": (7, 55),
        "summary": "The primary database in Adventure Works' region stopped accepting writes. The failover was "
        "ready in 10 minutes but waited 25 more for someone with the authority to approve it.",
        "milestones": {"acknowledged_at": 4, "first_customer_update_at": 28, "resolved_at": 48},
        "satisfaction": 3,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 5, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 9, ""),
            (R.DECISION_OWNER, "gordon", 36, ""),
        ],
        "entries": [
            (-2, E.DETECTION, "Monitoring", "Database health check failing; write errors across services."),
            (10, E.INTERNAL_UPDATE, "Priya Raman", "Standby is healthy; failover ready to run."),
            (14, E.NOTE, "Priya Raman", "The section says the incident commander decides; the weekend rota has none."),
            (
                28,
                E.CUSTOMER_UPDATE,
                "Diego Alvarez",
                "Told Adventure Works the service is read-only; switching to standby.",
            ),
            (37, E.DECISION, "Gordon Mensah", "Fail over to the standby region now."),
            (48, E.RESOLUTION, "Site Reliability", "Writes succeed on the new primary."),
        ],
        "participants": {
            "priya": ([3, 4, 2, 4, 2, 4], {5: "Ready at minute 10; approved at minute 37."}),
            "diego": [4, 4, 3, 4, 2, 4],
            "gordon": [3, 3, 2, 4, 2, 3],
        },
        "narrative": "The primary database in the region serving Adventure Works stopped accepting writes after "
        "a storage fault. The investigation lead had the standby checked and the failover ready within ten "
        "minutes. The database section said the incident commander decides on failover, a role the weekend rota "
        "had stopped staffing, so the next 25 minutes went on finding someone who felt entitled to approve it. "
        "Communication with the customer was prompt and consistent throughout; the delay was in the decision.",
        "findings": [
            "The database section named the incident commander as failover authority, a role the weekend rota no "
            "longer staffs.",
            "The failover took eleven minutes once approved: the runbook works.",
        ],
        "publish": 5,
        "actions": [
            (
                "Name the SRE on-call lead as failover authority, with a fallback",
                "priya",
                14,
                K.PLAYBOOK_CHANGE,
                0,
                {
                    "author": "priya",
                    "section": DATABASE,
                    "changes": {
                        "change_authority": "The SRE on-call lead decides on failover; the governance owner "
                        "if they are unreachable."
                    },
                    "rationale": "Adventure Works waited 25 minutes for a failover approval: the section named a "
                    "role the rota no longer staffs.",
                    "proposed": 4,
                    "approved": 6,
                    "comment": "",
                },
            ),
            ("Rehearse the failover decision in a tabletop exercise", "fiona", 60, K.TRAINING, 0, ("done", 45)),
        ],
    },
    {
        "title": "Month-end payout report late for Lamna Healthcare",
        "customer": "Lamna Healthcare",
        "customer_summary": "Your month-end payout report arrived four hours late.",
        "severity": "sev2",
        "team": "support-operations",
        "section": STALLED,
        "facilitator": "tom",
        "days_ago": 295,
        "time": (8, 10),
        "summary": "Lamna Healthcare's month-end payout report was not generated on the first working day; their "
        "finance team needed it by noon.",
        "milestones": {"acknowledged_at": 15, "first_customer_update_at": 45, "resolved_at": 260},
        "satisfaction": 3,
        "roles": [
            (R.COMMUNICATIONS_OWNER, "diego", 18, ""),
            (R.CUSTOMER_CONTACT, "diego", 18, ""),
            (R.INVESTIGATION_LEAD, "omar", 20, ""),
            (
                R.INVESTIGATION_LEAD,
                "priya",
                90,
                "The report job stopped at 02:00 on an expired API token. Lamna's contact is their finance "
                "controller; next update promised for 11:00.",
            ),
            (R.DECISION_OWNER, "priya", 95, ""),
        ],
        "entries": [
            (-20, E.DETECTION, "Lamna Healthcare", "Finance team asked where the month-end payout report was."),
            (
                45,
                E.CUSTOMER_UPDATE,
                "Diego Alvarez",
                "Told Lamna Healthcare the report is delayed; next update at 11:00.",
            ),
            (
                60,
                E.INTERNAL_UPDATE,
                "Omar Haddad",
                "The report job has not progressed since 02:00; authentication errors.",
            ),
            (100, E.DECISION, "Priya Raman", "Rotate the reporting token and rerun the job for Lamna first."),
            (255, E.RESOLUTION, "Support Operations", "Report delivered; Lamna's finance team confirmed the totals."),
        ],
        "participants": {
            "omar": [3, 4, 3, 4, 2, 4],
            "diego": [3, 4, 3, 4, 3, 4],
            "priya": ([3, 3, 3, 5, 2, 4], {4: "The note had the cause, the contact and the promised time."}),
        },
        "narrative": "The month-end payout report job stopped at 02:00 when its API token expired. Support picked "
        "up Lamna Healthcare's question at once, named a communications owner and kept the customer informed on "
        "the promised schedule. The stalled-job section gives the decision to Site Reliability, but nothing in the "
        "triage prompted Support to page them, so the decision owner was named only when the investigation moved "
        "to Site Reliability 90 minutes in. That handover was a good one: the note carried the cause, the "
        "customer's contact and the promised update time.",
        "findings": [
            "The support triage did not ask who decides, so Site Reliability's decision owner was paged late.",
            "The handover note carried the cause, the customer contact and the next promised update.",
        ],
        "publish": 6,
        "actions": [
            (
                "Add “who decides?” to the support triage template, with the on-call rota",
                "diego",
                14,
                K.INCIDENT_TEMPLATE,
                0,
                ("done", 10),
            ),
            ("Alert 30 days before a service API token expires", "priya", 30, K.MONITORING, 0, ("done", 28)),
        ],
    },
    {
        "title": "Card payments declined for Northwind during checkout peak",
        "customer": "Northwind Traders",
        "customer_summary": "Some card payments were declined for 2 h 10 min after a certificate change.",
        "severity": "sev1",
        "team": "payments-platform",
        "section": PAYMENT,
        "facilitator": "fiona",
        "days_ago": 280,
        "time": (17, 18),
        "summary": "Roughly 18% of card payments were declined for 2 h 10 min after a certificate rotation on the "
        "acquirer connection. Northwind's account team escalated within minutes.",
        "milestones": {"acknowledged_at": 6, "first_customer_update_at": 38, "resolved_at": 190},
        "satisfaction": 4,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 9, ""),
            (R.CUSTOMER_CONTACT, "lena", 10, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 12, ""),
            (R.INTERNAL_LIAISON, "omar", 15, ""),
            (R.DECISION_OWNER, "tom", 25, ""),
            (
                R.COMMUNICATIONS_OWNER,
                "lena",
                70,
                "Customer thread, last promise (update at :30), open questions.",
            ),
        ],
        "entries": [
            (-4, E.DETECTION, "Monitoring", "Decline-rate alert fired on the acquirer dashboard."),
            (30, E.DECISION, "Tom Okafor", "Roll back the certificate rotation rather than patch forward."),
            (38, E.CUSTOMER_UPDATE, "Diego Alvarez", "Told Northwind some payments are declined; rollback under way."),
            (45, E.INTERNAL_UPDATE, "Priya Raman", "Rollback started; declines expected to fall within 20 min."),
            (120, E.CUSTOMER_UPDATE, "Lena Hofmann", "Told Northwind declines have stopped; monitoring."),
        ],
        "participants": {
            "priya": [5, 4, 4, 3, 5, 4],
            "tom": [4, 4, 5, 2, 5, 4],
            "diego": ([5, 3, 4, 3, 4, 4], {2: "Northwind asked for news at minute 20; our first update was at 38."}),
        },
        "narrative": "A scheduled certificate rotation on the acquirer connection used an intermediate chain the "
        "acquirer did not yet trust. Monitoring caught the decline spike within four minutes, and the three core "
        "roles were held within 25 minutes. The rollback decision was made quickly because the payment outage "
        "section now names the decision owner. The communications handover at 70 minutes carried the customer "
        "thread and the promised update time, and the customer received one narrative throughout. The first "
        "update reached Northwind at minute 38, after they had asked for one.",
        "findings": [
            "The rotation runbook did not include a check of the acquirer's trusted chain.",
            "The communications handover worked because the handover note template was used.",
            "Northwind asked for news at minute 20; the first update came at minute 38.",
        ],
        "publish": 6,
        "actions": [
            (
                "Add an acquirer chain check to the certificate rotation runbook",
                "priya",
                14,
                K.INCIDENT_TEMPLATE,
                0,
                ("done", 9),
            ),
            (
                "Bring the first-update target for payment outages to 20 minutes",
                "tom",
                14,
                K.PLAYBOOK_CHANGE,
                2,
                {
                    "author": "tom",
                    "section": PAYMENT,
                    "changes": {"target_first_update_minutes": 20, "update_cadence_minutes": 20},
                    "rationale": "Northwind asked for news at minute 20 and got it at 38. Enterprise customers "
                    "expect a first update within 20 minutes, and every 20 minutes after.",
                    "proposed": 4,
                    "approved": 8,
                    "comment": "Account Management confirms 20 minutes is what customers expect.",
                },
            ),
        ],
    },
    {
        "title": "Proseware invoices showed last month's prices",
        "customer": "Proseware",
        "customer_summary": "38 of your invoices showed last month's prices and were corrected.",
        "severity": "sev3",
        "team": "account-management",
        "section": BILLING,
        "facilitator": "tom",
        "days_ago": 260,
        "time": (10, 0),
        "summary": "Proseware's invoices for the month were generated with the previous price list; 38 invoices "
        "had to be corrected.",
        "milestones": {"acknowledged_at": 30, "first_customer_update_at": 90, "resolved_at": 2880},
        "satisfaction": 3,
        "roles": [
            (R.COMMUNICATIONS_OWNER, "lena", 32, ""),
            (R.CUSTOMER_CONTACT, "lena", 32, ""),
            (R.INVESTIGATION_LEAD, "mei", 35, ""),
            (R.DECISION_OWNER, "sam", 50, ""),
        ],
        "entries": [
            (-15, E.DETECTION, "Proseware", "Proseware's accounts team queried the prices on 38 invoices."),
            (80, E.INTERNAL_UPDATE, "Mei Chen", "The price list cache was not refreshed after the monthly update."),
            (90, E.CUSTOMER_UPDATE, "Lena Hofmann", "Told Proseware the cause and that credit notes would follow."),
            (150, E.DECISION, "Sam Novak", "Void and re-issue the 38 invoices with the right prices."),
            (
                200,
                E.NOTE,
                "Lena Hofmann",
                "Proseware was promised credit notes; re-issued invoices break their matching.",
            ),
            (2870, E.RESOLUTION, "Account Management", "Credit notes issued for the difference."),
        ],
        "participants": {
            "lena": ([4, 2, 3, 4, 2, 2], {6: "We promised credit notes and then re-issued the invoices."}),
            "sam": [4, 3, 3, 4, 2, 3],
            "mei": [4, 3, 4, 4, 3, 3],
        },
        "narrative": "A cache of the price list was not refreshed after the monthly update, and Proseware's "
        "invoices went out with the previous month's prices. The cause was found quickly and the roles were named "
        "within the hour. The billing section did not say who decides between re-issuing invoices and sending "
        "credit notes: the account manager promised credit notes to the customer while Payments Platform, as "
        "decision owner, chose to re-issue. The customer's accounts-payable process could not match re-issued "
        "invoices, and the correction took two days.",
        "findings": [
            "The billing section did not say who chooses between credit notes and re-issued invoices.",
            "The customer was promised one remedy while another was carried out.",
        ],
        "publish": 5,
        "actions": [
            (
                "Let the account manager decide the remedy, with the billing lead",
                "lena",
                14,
                K.PLAYBOOK_CHANGE,
                0,
                {
                    "author": "lena",
                    "section": BILLING,
                    "changes": {
                        "change_authority": "The account manager decides the remedy (credit note, refund or "
                        "re-issued invoice) with the billing lead; the payments on-call lead carries it out and may "
                        "refund in bulk without further approval.",
                        "ownership": {R.DECISION_OWNER: "account-management"},
                    },
                    "rationale": "Proseware was promised credit notes while their invoices were re-issued. The "
                    "remedy is the account manager's call, so the customer hears one decision.",
                    "proposed": 5,
                    "approved": 8,
                    "comment": "Payments Platform agrees to carry out what the account manager decides.",
                },
            ),
            (
                "Refresh the price list cache when the monthly price update is published",
                "mei",
                21,
                K.OTHER,
                0,
                ("done", 15),
            ),
        ],
    },
    {
        "title": "Woodgrove Bank online banking read-only during a night-time failover",
        "customer": "Woodgrove Bank",
        "customer_summary": "Your service was read-only for 19 minutes while we switched to the standby database.",
        "severity": "sev1",
        "team": "site-reliability",
        "section": DATABASE,
        "facilitator": "fiona",
        "days_ago": 240,
        "time": (3, 20),
        "summary": "The primary database serving Woodgrove Bank's region failed at night; the failover was "
        "decided in six minutes.",
        "milestones": {"acknowledged_at": 3, "first_customer_update_at": 14, "resolved_at": 42},
        "satisfaction": 5,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 4, ""),
            (R.DECISION_OWNER, "priya", 6, ""),
            (R.COMMUNICATIONS_OWNER, "omar", 8, ""),
            (R.CUSTOMER_CONTACT, "lena", 300, ""),
        ],
        "entries": [
            (-1, E.DETECTION, "Monitoring", "Write errors across services; database health check failing."),
            (6, E.DECISION, "Priya Raman", "Fail over to the standby, as the SRE on-call lead."),
            (14, E.CUSTOMER_UPDATE, "Omar Haddad", "Told Woodgrove Bank the service is read-only; failover under way."),
            (19, E.INTERNAL_UPDATE, "Priya Raman", "Failover complete; writes succeeding."),
            (
                40,
                E.CUSTOMER_UPDATE,
                "Omar Haddad",
                "Confirmed with Woodgrove Bank that online banking accepts payments.",
            ),
        ],
        "participants": {
            "priya": [5, 4, 5, 4, 5, 4],
            "omar": [4, 4, 5, 4, 5, 5],
            "lena": ([4, 4, 4, 3, 5, 4], {4: "No note from the night; the support notes happened to be complete."}),
        },
        "narrative": "A storage fault took the primary database for Woodgrove Bank's region offline at night. The "
        "SRE on-call lead held the investigation and took the failover decision six minutes in, as the revised "
        "database section says, and the standby was serving writes thirteen minutes later. Support told the "
        "customer within fifteen minutes and kept to the promised cadence. The account manager joined in the "
        "morning and picked up the customer thread from the support notes without needing to ask again.",
        "findings": [
            "The revised failover authority worked: the decision took six minutes, against 36 in the last failover.",
            "The account manager had no handover note from the night; the support notes happened to be complete.",
        ],
        "publish": 4,
        "actions": [
            (
                "Hand over SEV1 customer threads from night support to the account manager each morning",
                "diego",
                21,
                K.INCIDENT_TEMPLATE,
                1,
                ("done", 20),
            ),
        ],
    },
    {
        "title": "Coho Winery's product import stuck before a price change",
        "customer": "Coho Winery",
        "customer_summary": "Your product import was four hours late, ahead of a price change.",
        "severity": "sev2",
        "team": "support-operations",
        "section": STALLED,
        "facilitator": "tom",
        "days_ago": 225,
        "time": (15, 45),
        "summary": "Coho Winery's product import stalled three hours before their new prices had to go live; two "
        "teams restarted it separately.",
        "milestones": {"acknowledged_at": 12, "first_customer_update_at": 35, "resolved_at": 250},
        "satisfaction": 3,
        "roles": [
            (R.INVESTIGATION_LEAD, "omar", 15, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 20, ""),
            (R.CUSTOMER_CONTACT, "diego", 20, ""),
            (R.DECISION_OWNER, "priya", 45, ""),
        ],
        "entries": [
            (-10, E.DETECTION, "Coho Winery", "Coho Winery reported the import at 40% for over an hour."),
            (35, E.CUSTOMER_UPDATE, "Diego Alvarez", "Told Coho Winery the import is stalled; next update in an hour."),
            (50, E.INTERNAL_UPDATE, "Site Reliability", "Restarted the import worker."),
            (55, E.INTERNAL_UPDATE, "Support Operations", "Restarted the import from the admin console."),
            (70, E.NOTE, "Omar Haddad", "Two imports are now running; the second locked the first."),
            (80, E.DECISION, "Priya Raman", "Cancel the console import and let the worker finish."),
            (245, E.RESOLUTION, "Support Operations", "Import complete; Coho Winery's prices are live."),
        ],
        "participants": {
            "omar": [4, 4, 3, 3, 3, 4],
            "diego": [4, 4, 3, 4, 3, 4],
            "priya": ([4, 3, 2, 3, 3, 4], {3: "The restart was discussed in two chat threads at once."}),
        },
        "narrative": "Coho Winery's product import stopped progressing at 40%, three hours before their new prices "
        "had to go live. The roles were named within 45 minutes and the customer heard from one communications "
        "owner throughout. Site Reliability and Support then restarted the import through their own tools within "
        "five minutes of each other, because the work was discussed in two separate chat threads; the second "
        "import locked the first and cost another hour. The decision owner settled it by cancelling one of them.",
        "findings": [
            "Two teams restarted the same job because the incident was discussed in two separate chat threads.",
            "One communications owner kept the customer's picture consistent despite the duplicate restart.",
        ],
        "publish": 5,
        "actions": [
            (
                "Name one shared channel for every job stall in the stalled-job section",
                "omar",
                14,
                K.PLAYBOOK_CHANGE,
                0,
                {
                    "author": "omar",
                    "section": STALLED,
                    "changes": {
                        "contingency_contacts": "- One shared channel per stall: #inc-<customer>-<job>\n"
                        "- The support lead on call names the communications owner in the first triage call\n"
                        "- The SRE on-call lead"
                    },
                    "rationale": "Coho Winery's import was restarted twice from two chat threads. One channel per "
                    "stall, named in the section.",
                    "proposed": 3,
                    "approved": 6,
                    "comment": "",
                },
            ),
        ],
    },
    {
        "title": "Alpine Ski House staff stuck in a sign-in loop after an IdP change",
        "customer": "Alpine Ski House",
        "customer_summary": "Your staff could not sign in through single sign-on for 70 minutes after a "
        "configuration change.",
        "severity": "sev2",
        "team": "site-reliability",
        "section": IDENTITY,
        "facilitator": "fiona",
        "days_ago": 205,
        "time": (8, 30),
        "summary": "After Alpine Ski House's IT team changed their identity provider's metadata, staff were sent "
        "back and forth between sign-in pages for 70 minutes.",
        "milestones": {"acknowledged_at": 6, "first_customer_update_at": 22, "resolved_at": 70},
        "satisfaction": 4,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 8, ""),
            (R.DECISION_OWNER, "priya", 10, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 15, ""),
            (R.CUSTOMER_CONTACT, "lena", 15, ""),
        ],
        "entries": [
            (-5, E.DETECTION, "Alpine Ski House", "Staff reported a sign-in loop since the morning shift."),
            (
                22,
                E.CUSTOMER_UPDATE,
                "Lena Hofmann",
                "Told Alpine Ski House we are investigating; next update in an hour.",
            ),
            (30, E.INTERNAL_UPDATE, "Priya Raman", "The new metadata points to a sign-in address we do not accept."),
            (40, E.NOTE, "Priya Raman", "The identity section has no fallback; asked the customer to revert instead."),
            (
                65,
                E.DECISION,
                "Priya Raman",
                "Pin the previous metadata on our side until the customer's fix is tested.",
            ),
        ],
        "participants": {
            "priya": ([4, 4, 4, 4, 3, 4], {3: "The section had no fallback, so we asked the customer to revert."}),
            "lena": [4, 4, 4, 4, 4, 4],
            "omar": [4, 3, 4, 4, 3, 4],
        },
        "narrative": "Alpine Ski House's IT team changed their identity provider's metadata before the morning "
        "shift, and staff were sent back and forth between sign-in pages. The roles were named within fifteen "
        "minutes and the account manager kept the customer informed. The cause was clear at minute 30, but the "
        "identity section offered no fallback, so the first plan was to ask the customer to revert, which their "
        "change process could not do quickly. Pinning the previous metadata on our side, decided at minute 65, "
        "restored sign-ins at once.",
        "findings": [
            "The identity section offered no fallback, so a safe option (pinning the previous metadata) was found "
            "only after 35 minutes.",
        ],
        "publish": 5,
        "actions": [
            (
                "Add pinning the previous IdP metadata as the identity section's fallback",
                "priya",
                14,
                K.PLAYBOOK_CHANGE,
                0,
                {
                    "author": "priya",
                    "section": IDENTITY,
                    "changes": {
                        "fallback_options": "Pin the customer's previous IdP metadata on our side until their fix "
                        "is tested."
                    },
                    "rationale": "Alpine Ski House: pinning the previous metadata restored sign-ins at once, but "
                    "took 35 minutes to think of because the section had no fallback.",
                    "proposed": 4,
                    "approved": 7,
                    "comment": "",
                },
            ),
            (
                "Show the pinned IdP metadata on the customer's SSO settings page",
                "mei",
                45,
                K.OTHER,
                0,
                ("done", 40),
            ),
        ],
    },
    {
        "title": "Refunds stuck for Margie's Travel after an acquirer API change",
        "customer": "Margie's Travel",
        "customer_summary": "Refunds to your customers were delayed by a day after a change at our card acquirer.",
        "severity": "sev2",
        "team": "payments-platform",
        "section": PAYMENT,
        "facilitator": "fiona",
        "days_ago": 185,
        "time": (18, 5),
        "summary": "Refunds for Margie's Travel stayed pending for a day after the acquirer changed its refund API; "
        "the customer contact changed hands twice.",
        "milestones": {"acknowledged_at": 25, "first_customer_update_at": 50, "resolved_at": 1380},
        "satisfaction": 2,
        "roles": [
            (R.CUSTOMER_CONTACT, "omar", 20, ""),
            (R.INVESTIGATION_LEAD, "sam", 30, ""),
            (R.DECISION_OWNER, "tom", 35, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 40, ""),
            (R.CUSTOMER_CONTACT, "diego", 300, ""),
            (R.CUSTOMER_CONTACT, "lena", 700, "Refund backlog size, the acquirer's ticket number."),
        ],
        "entries": [
            (-60, E.DETECTION, "Margie's Travel", "Customers calling about refunds that have not arrived."),
            (
                50,
                E.CUSTOMER_UPDATE,
                "Omar Haddad",
                "Told Margie's Travel refunds are pending and we are investigating.",
            ),
            (
                120,
                E.INTERNAL_UPDATE,
                "Sam Novak",
                "The acquirer now requires a new field on refunds; deploying the change.",
            ),
            (320, E.NOTE, "Diego Alvarez", "Took over the customer contact at shift change; no note of what was said."),
            (
                340,
                E.CUSTOMER_UPDATE,
                "Diego Alvarez",
                "Told Margie's Travel refunds would go through within two hours.",
            ),
            (700, E.NOTE, "Lena Hofmann", "The customer had been told “two hours” six hours earlier."),
            (1370, E.RESOLUTION, "Payments Platform", "Refund backlog cleared."),
        ],
        "participants": {
            "sam": [4, 3, 4, 2, 4, 2],
            "lena": ([3, 2, 3, 1, 4, 2], {4: "I learned what the customer had been promised from the customer."}),
            "diego": [3, 2, 4, 2, 4, 2],
        },
        "narrative": "The acquirer changed its refund API with a new required field, and refunds for Margie's "
        "Travel stayed pending. Payments Platform found and fixed the cause within hours, with a clear decision "
        "owner. The customer side went less well: the customer contact changed hands twice over the day, the first "
        "handover carried no note, and the second holder repeated a two-hour promise that had already lapsed. The "
        "customer heard three versions of when refunds would arrive.",
        "findings": [
            "The customer contact changed hands twice; the first handover carried no note of what the customer had "
            "been told.",
            "A lapsed promise was repeated because nobody kept the list of promises made to the customer.",
        ],
        "publish": 7,
        "actions": [
            (
                "Require a handover note when the customer contact changes hands",
                "fiona",
                14,
                K.INCIDENT_TEMPLATE,
                0,
                ("done", 9),
            ),
            (
                "Train support and account managers on customer handovers",
                "diego",
                45,
                K.TRAINING,
                1,
                ("done", 40),
            ),
        ],
    },
    {
        "title": "Trey Research rejected webhooks after a signing key rotation",
        "customer": "Trey Research",
        "customer_summary": "Your systems rejected our notifications for 50 minutes after a key change; none "
        "were lost.",
        "severity": "sev2",
        "team": "payments-platform",
        "section": WEBHOOK,
        "facilitator": "fiona",
        "days_ago": 160,
        "time": (12, 40),
        "summary": "After a scheduled signing-key rotation, Trey Research's endpoint rejected every webhook for "
        "50 minutes.",
        "milestones": {"acknowledged_at": 8, "first_customer_update_at": 24, "resolved_at": 95},
        "satisfaction": 4,
        "roles": [
            (R.INVESTIGATION_LEAD, "mei", 10, ""),
            (R.DECISION_OWNER, "tom", 14, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 16, ""),
        ],
        "entries": [
            (-4, E.DETECTION, "Monitoring", "Webhook failure rate for Trey Research at 100%."),
            (18, E.DECISION, "Tom Okafor", "Sign with both the old and the new key for seven days."),
            (20, E.NOTE, "Lena Hofmann", "Trey Research asked for an update."),
            (
                24,
                E.CUSTOMER_UPDATE,
                "Lena Hofmann",
                "Told Trey Research no notification is lost; dual signing under way.",
            ),
            (60, E.INTERNAL_UPDATE, "Mei Chen", "Dual signing live; queued deliveries replaying."),
        ],
        "participants": {"mei": [5, 4, 4, 4, 5, 4], "tom": [5, 4, 4, 4, 5, 5], "lena": [4, 4, 4, 4, 5, 4]},
        "narrative": "A scheduled rotation of the webhook signing key took effect before Trey Research had loaded "
        "the new public key, and their endpoint rejected every delivery. The failure-rate alert escalated within "
        "four minutes, the three core roles were held by minute 16, and the decision to sign with both keys for a "
        "week was made at minute 18. Deliveries were queued, not lost, and replayed once dual signing was live. "
        "The customer heard one account of it from the account manager.",
        "findings": [
            "Key rotations were announced by email only, and Trey Research's developers had not seen it.",
            "Ownership was clear within 16 minutes and the decision was quick.",
        ],
        "publish": 5,
        "actions": [
            (
                "Announce signing-key rotations in the developer dashboard 14 days ahead",
                "mei",
                30,
                K.OTHER,
                0,
                ("done", 25),
            ),
        ],
    },
    {
        "title": "Fourth Coffee's sales export stalled before a tax filing",
        "customer": "Fourth Coffee",
        "customer_summary": "Your quarterly sales export was 80 minutes late, ahead of your filing deadline.",
        "severity": "sev2",
        "team": "support-operations",
        "section": STALLED,
        "facilitator": "tom",
        "days_ago": 140,
        "time": (10, 15),
        "summary": "Fourth Coffee's quarterly sales export for their tax filing stalled two hours before the "
        "filing deadline.",
        "milestones": {"acknowledged_at": 6, "first_customer_update_at": 15, "resolved_at": 80},
        "satisfaction": 5,
        "roles": [
            (R.INVESTIGATION_LEAD, "omar", 8, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 10, ""),
            (R.CUSTOMER_CONTACT, "diego", 10, ""),
            (R.DECISION_OWNER, "priya", 12, ""),
        ],
        "entries": [
            (-3, E.DETECTION, "Monitoring", "Fourth Coffee's export has not progressed for 30 minutes."),
            (10, E.NOTE, "Diego Alvarez", "Opened #inc-fourthcoffee-export as the one channel for the stall."),
            (
                15,
                E.CUSTOMER_UPDATE,
                "Diego Alvarez",
                "Told Fourth Coffee the export is stalled; next update in 30 minutes.",
            ),
            (25, E.DECISION, "Priya Raman", "Move the export to its own queue, then restart it once, from the worker."),
            (45, E.CUSTOMER_UPDATE, "Diego Alvarez", "Told Fourth Coffee the export is running again."),
        ],
        "participants": {"omar": [5, 5, 5, 4, 5, 5], "diego": [5, 5, 5, 5, 5, 5], "priya": [4, 5, 5, 4, 5, 4]},
        "narrative": "The export for Fourth Coffee's tax filing stopped progressing behind a large backfill. "
        "Monitoring escalated it before the customer noticed. The support lead opened the single incident channel "
        "the stalled-job section asks for, and every restart was discussed there: the job was moved to its own "
        "queue and restarted once, from one place. The customer received updates every 30 minutes from one "
        "communications owner and filed on time.",
        "findings": [
            "The shared channel the stalled-job section asks for kept everyone on one restart plan.",
            "The backfill and customer exports shared a queue.",
        ],
        "publish": 4,
        "actions": [("Run backfills on their own queue", "priya", 30, K.OTHER, 1, ("done", 20))],
    },
    {
        "title": "Proseware users signed out every ten minutes after a session setting change",
        "customer": "Proseware",
        "customer_summary": "Your users were signed out every ten minutes for three hours after a configuration "
        "change.",
        "severity": "sev3",
        "team": "site-reliability",
        "section": IDENTITY,
        "facilitator": "fiona",
        "days_ago": 130,
        "time": (21, 30),
        "summary": "A session-lifetime setting deployed for one tenant applied to Proseware as well; their users "
        "were signed out every ten minutes for three hours.",
        "milestones": {"acknowledged_at": 10, "first_customer_update_at": 30, "resolved_at": 185},
        "satisfaction": 3,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 12, ""),
            (R.DECISION_OWNER, "priya", 15, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 18, ""),
            (
                R.INVESTIGATION_LEAD,
                "gordon",
                120,
                "Cause: a one-tenant session override applied to every tenant on the same identity provider. "
                "Plan: roll back, re-apply to one tenant. Next customer update promised for 23:45.",
            ),
            (R.DECISION_OWNER, "gordon", 120, "As for the investigation: cause, plan, next promised update."),
        ],
        "entries": [
            (-30, E.DETECTION, "Proseware", "Users complain about repeated sign-outs."),
            (30, E.CUSTOMER_UPDATE, "Lena Hofmann", "Told Proseware we are investigating the sign-outs."),
            (70, E.INTERNAL_UPDATE, "Priya Raman", "A one-tenant session override was applied to every tenant."),
            (125, E.NOTE, "Gordon Mensah", "Took over from the handover note; nothing to ask."),
            (150, E.DECISION, "Gordon Mensah", "Roll back the override everywhere and re-apply it to the one tenant."),
        ],
        "participants": {"priya": [4, 4, 4, 5, 4, 4], "lena": [4, 3, 4, 5, 4, 4], "gordon": [4, 4, 4, 5, 3, 4]},
        "narrative": "A session-lifetime override meant for one tenant was applied to every tenant on the same "
        "identity provider, and Proseware's users were signed out every ten minutes. The roles were named within "
        "18 minutes. At the shift change two hours in, the investigation and the decision passed to the next "
        "on-call engineer with a note that carried the cause, the plan and the next promised update, and work "
        "went on without a pause. The rollback waited half an hour while the team checked each affected tenant.",
        "findings": [
            "The handover at the shift change carried everything the next owner needed.",
            "A configuration override could match more tenants than intended without a warning.",
        ],
        "publish": 6,
        "actions": [
            (
                "Warn when a configuration override matches more than one tenant",
                "mei",
                45,
                K.MONITORING,
                1,
                ("done", 30),
            ),
        ],
    },
    {
        "title": "Card authorisations slow during Contoso's holiday sale",
        "customer": "Contoso Ltd",
        "customer_summary": "Card payments were slow for 75 minutes during your sale; none were lost.",
        "severity": "sev2",
        "team": "payments-platform",
        "section": PAYMENT,
        "facilitator": "fiona",
        "days_ago": 100,
        "time": (11, 55),
        "summary": "Card authorisations for Contoso took up to nine seconds during a sale while the acquirer "
        "throttled capacity.",
        "milestones": {"acknowledged_at": 3, "first_customer_update_at": 14, "resolved_at": 75},
        "satisfaction": 5,
        "roles": [
            (R.INVESTIGATION_LEAD, "mei", 5, ""),
            (R.DECISION_OWNER, "tom", 8, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 11, ""),
            (R.CUSTOMER_CONTACT, "lena", 11, ""),
            (R.INTERNAL_LIAISON, "omar", 15, ""),
        ],
        "entries": [
            (-2, E.DETECTION, "Monitoring", "Authorisation p99 above 5 s for Contoso."),
            (
                14,
                E.CUSTOMER_UPDATE,
                "Lena Hofmann",
                "Told Contoso payments are slow, not failing; next update in 20 minutes.",
            ),
            (16, E.DECISION, "Tom Okafor", "Route Contoso's authorisations to the second acquirer."),
            (34, E.CUSTOMER_UPDATE, "Lena Hofmann", "Told Contoso authorisations are back under one second."),
        ],
        "participants": {
            "mei": [5, 5, 5, 5, 5, 4],
            "tom": [5, 5, 5, 4, 5, 5],
            "lena": [5, 5, 5, 5, 5, 5],
            "omar": [5, 4, 5, 5, 5, 5],
        },
        "narrative": "The acquirer throttled capacity during Contoso's holiday sale and authorisations slowed to "
        "several seconds. The payment outage section was followed as written: the three core roles were held "
        "within 11 minutes, the decision owner routed traffic to the second acquirer at minute 16, and the account "
        "manager sent the first update at minute 14 and every 20 minutes after. Contoso's sale ran without lost "
        "orders.",
        "findings": [
            "Everyone knew their role within 11 minutes: the section's ownership map and 20-minute update were "
            "followed.",
            "Routing to the second acquirer was manual and took 12 minutes.",
        ],
        "publish": 3,
        "actions": [
            (
                "Route to the second acquirer automatically when the first throttles",
                "sam",
                60,
                K.OTHER,
                1,
                ("done", 55),
            ),
        ],
    },
    {
        "title": "3-D Secure challenges failing for Alpine Ski House bookings",
        "customer": "Alpine Ski House",
        "customer_summary": "Card payments needing 3-D Secure failed for 95 minutes during an outage at our "
        "authentication provider.",
        "severity": "sev2",
        "team": "payments-platform",
        "section": PAYMENT,
        "facilitator": "fiona",
        "days_ago": 75,
        "time": (19, 20),
        "summary": "Alpine Ski House customers could not complete 3-D Secure challenges for 95 minutes during the "
        "provider's partial outage.",
        "milestones": {"acknowledged_at": 5, "first_customer_update_at": 18, "resolved_at": 95},
        "satisfaction": 4,
        "roles": [
            (R.INVESTIGATION_LEAD, "sam", 7, ""),
            (R.DECISION_OWNER, "tom", 12, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 15, ""),
            (R.CUSTOMER_CONTACT, "lena", 15, ""),
        ],
        "entries": [
            (-3, E.DETECTION, "Monitoring", "3-D Secure completion rate for Alpine Ski House down to 20%."),
            (18, E.CUSTOMER_UPDATE, "Lena Hofmann", "Told Alpine Ski House the 3-D Secure provider is partly down."),
            (25, E.DECISION, "Tom Okafor", "Do not bypass 3-D Secure; show customers a retry message."),
            (40, E.NOTE, "Sam Novak", "The provider's status page is still green; our own metrics show the outage."),
        ],
        "participants": {
            "sam": ([4, 4, 5, 4, 5, 4], {2: "The picture depended on one query I ran by hand."}),
            "tom": [5, 4, 5, 4, 5, 4],
            "lena": [4, 4, 4, 4, 4, 4],
        },
        "narrative": "The 3-D Secure provider had a partial outage, and Alpine Ski House customers could not "
        "complete card challenges. The payment outage section worked as intended: the roles were held within 15 "
        "minutes and the decision owner chose not to bypass 3-D Secure, which kept the customer within the card "
        "scheme rules. The provider's status page stayed green for the first hour, so the team relied on its own "
        "completion-rate query, which the payments dashboard does not show.",
        "findings": [
            "The payments dashboard does not show 3-D Secure completion rates, so the picture depended on one "
            "hand-run query.",
            "The decision not to bypass 3-D Secure was quick because the section lists the risks that may not be "
            "accepted.",
        ],
        "publish": 5,
        "actions": [
            (
                "Add the 3-D Secure completion rate per provider to the payments dashboard",
                "sam",
                21,
                K.MONITORING,
                0,
                None,
            ),
            (
                "Subscribe the payments on-call rota to the provider's incident feed",
                "mei",
                14,
                K.MONITORING,
                0,
                ("done", 6),
            ),
        ],
    },
    {
        "title": "Woodgrove Bank invoices charged the old VAT rate",
        "customer": "Woodgrove Bank",
        "customer_summary": "212 of your invoices used an outdated VAT rate and were corrected with credit notes.",
        "severity": "sev3",
        "team": "account-management",
        "section": BILLING,
        "facilitator": "tom",
        "days_ago": 55,
        "time": (9, 10),
        "summary": "Woodgrove Bank's invoices for the month used the VAT rate from before the rate change; 212 "
        "invoices were corrected with credit notes.",
        "milestones": {"acknowledged_at": 20, "first_customer_update_at": 60, "resolved_at": 1440},
        "satisfaction": 4,
        "roles": [
            (R.COMMUNICATIONS_OWNER, "lena", 22, ""),
            (R.CUSTOMER_CONTACT, "lena", 22, ""),
            (R.INVESTIGATION_LEAD, "mei", 25, ""),
            (R.DECISION_OWNER, "lena", 30, ""),
        ],
        "entries": [
            (-45, E.DETECTION, "Woodgrove Bank", "Woodgrove Bank's tax team queried the VAT on this month's invoices."),
            (50, E.INTERNAL_UPDATE, "Mei Chen", "The new VAT rate was applied to new customers only."),
            (60, E.CUSTOMER_UPDATE, "Lena Hofmann", "Told Woodgrove Bank the cause; credit notes within a day."),
            (70, E.DECISION, "Lena Hofmann", "Credit notes for the difference, as the billing section says."),
        ],
        "participants": {"lena": [5, 4, 5, 4, 5, 5], "mei": [4, 4, 5, 4, 5, 5], "sam": [4, 4, 4, 4, 5, 4]},
        "narrative": "A VAT rate change was applied to new customers' invoices only, and Woodgrove Bank's invoices "
        "used the old rate. The billing section, revised after the Proseware correction, names the account "
        "manager as the one who decides the remedy, and credit notes were agreed at minute 70. One communications "
        "owner told the customer what had happened and what would follow, and the credit notes were issued within "
        "a day.",
        "findings": [
            "The revised billing section made the remedy decision quick and consistent with what the customer was told.",
            "Tax rate changes are not on the billing release checklist.",
        ],
        "publish": 5,
        "actions": [
            ("Add tax rate changes to the billing release checklist", "tom", 21, K.INCIDENT_TEMPLATE, 1, None),
        ],
    },
    {
        "title": "Northwind Traders' merchants received every payout notification twice",
        "customer": "Northwind Traders",
        "customer_summary": "Your merchants received each payout notification email twice for six hours; no payout "
        "was duplicated.",
        "severity": "sev3",
        "team": "support-operations",
        "section": None,
        "facilitator": "tom",
        "days_ago": 38,
        "time": (10, 5),
        "summary": "For six hours every payout notification email to Northwind Traders' merchants was sent twice; "
        "merchants called Northwind asking whether they had been paid twice.",
        "milestones": {"acknowledged_at": 15, "first_customer_update_at": 35, "resolved_at": 400},
        "satisfaction": 3,
        "roles": [
            (R.INVESTIGATION_LEAD, "omar", 18, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 20, ""),
            (R.CUSTOMER_CONTACT, "lena", 25, ""),
            (
                R.INVESTIGATION_LEAD,
                "mei",
                60,
                "Duplicates started with the 04:00 mail-service deploy. Payouts are single (20 checked). Northwind "
                "wants a line for their merchants.",
            ),
            (R.DECISION_OWNER, "tom", 70, ""),
        ],
        "entries": [
            (-90, E.DETECTION, "Northwind Traders", "Merchants calling Northwind about duplicate payout emails."),
            (35, E.CUSTOMER_UPDATE, "Diego Alvarez", "Told Northwind only the emails are duplicated, not the payouts."),
            (
                80,
                E.DECISION,
                "Tom Okafor",
                "Roll back the mail-service deploy; no apology email (it would be a third).",
            ),
            (120, E.CUSTOMER_UPDATE, "Lena Hofmann", "Gave Northwind a line for their merchants."),
        ],
        "participants": {
            "omar": [4, 4, 2, 5, 3, 4],
            "mei": ([4, 3, 2, 5, 3, 4], {4: "The note answered every question I would have asked."}),
            "diego": [4, 4, 2, 4, 3, 4],
            "lena": [3, 4, 2, 5, 3, 3],
        },
        "narrative": "A deploy of the mail service at 04:00 made every payout notification email go out twice. "
        "Northwind Traders' merchants called Northwind, worried they had been paid twice. Support took the "
        "investigation and handed it to Payments Platform an hour in, with a note that carried the cause, the check "
        "that payouts were single and the customer's request. No playbook section covers notification errors, so "
        "nobody was sure who could decide on a rollback or an apology email; the decision owner was named at "
        "minute 70.",
        "findings": [
            "No playbook section covers notification errors, so the decision owner was named only at minute 70.",
            "The investigation handover note carried the cause, the check made and the customer's request.",
        ],
        "publish": 4,
        "actions": [
            (
                "Cover notification errors in the playbook: the webhook section or a section of their own",
                "mei",
                45,
                K.PLAYBOOK_CHANGE,
                0,
                None,
            ),
        ],
    },
    {
        "title": "Blue Yonder Airlines' payouts missed the bank cut-off after a holiday calendar change",
        "customer": "Blue Yonder Airlines",
        "customer_summary": "Your payouts arrived one working day late.",
        "severity": "sev2",
        "team": "payments-platform",
        "section": STALLED,
        "facilitator": "fiona",
        "days_ago": 26,
        "time": (6, 40),
        "summary": "The payout batch for Blue Yonder Airlines waited on a bank-holiday calendar that had not been "
        "updated and missed the bank's cut-off by 40 minutes.",
        "milestones": {"acknowledged_at": 10, "first_customer_update_at": 40, "resolved_at": 1500},
        "satisfaction": 3,
        "roles": [
            (R.INVESTIGATION_LEAD, "sam", 12, ""),
            (R.COMMUNICATIONS_OWNER, "diego", 15, ""),
            (R.CUSTOMER_CONTACT, "lena", 20, ""),
            (R.DECISION_OWNER, "priya", 62, ""),
        ],
        "entries": [
            (-8, E.DETECTION, "Monitoring", "Payout batch not started 60 minutes before the bank cut-off."),
            (25, E.INTERNAL_UPDATE, "Sam Novak", "The batch waits on a calendar that still lists today as a holiday."),
            (40, E.CUSTOMER_UPDATE, "Diego Alvarez", "Told Blue Yonder Airlines payouts may miss today's cut-off."),
            (
                55,
                E.NOTE,
                "Sam Novak",
                "Looked for who may release the batch by hand; the section names Site Reliability.",
            ),
            (66, E.DECISION, "Priya Raman", "Release the batch by hand with the corrected calendar."),
            (100, E.NOTE, "Sam Novak", "The batch reached the bank 40 minutes after the cut-off."),
        ],
        "participants": {
            "sam": ([4, 4, 3, 4, 2, 4], {5: "Payments owns the batch; the section gives the decision to SRE."}),
            "diego": [4, 4, 3, 4, 2, 3],
            "priya": [3, 4, 3, 4, 3, 4],
            "lena": [4, 3, 3, 4, 2, 4],
        },
        "narrative": "The payout batch for Blue Yonder Airlines waits on a bank-holiday calendar, and the calendar "
        "still listed the day as a holiday after the bank changed it. Monitoring escalated an hour before the "
        "cut-off and the investigation lead found the cause in 25 minutes. The stalled-job section gives the "
        "decision on a manual release to Site Reliability, while the payout batch belongs to Payments Platform, "
        "and the payments engineer failed to find a decision owner for 40 minutes. The batch was released at "
        "minute 66 and reached the bank 40 minutes after the cut-off.",
        "findings": [
            "The stalled-job section gives the decision to Site Reliability even for payout batches Payments "
            "Platform owns.",
            "The bank-holiday calendar is updated by hand once a year.",
        ],
        "state": "in_review",
        "consolidated": True,
        "actions": [
            (
                "Propose a decision owner for payout batches in the stalled-job section",
                "diego",
                30,
                K.PLAYBOOK_CHANGE,
                0,
                None,
            ),
            ("Load bank holidays from the banks' published calendars", "mei", 45, K.OTHER, 1, None),
        ],
    },
    {
        "title": "Tabletop: payment outage while the payments on-call lead is unreachable",
        "customer": "Internal exercise",
        "severity": "sev1",
        "team": "payments-platform",
        "section": PAYMENT,
        "facilitator": "fiona",
        "exercise": True,
        "days_ago": 24,
        "time": (14, 0),
        "summary": "A tabletop exercise: an enterprise payment outage at night, with the payments on-call lead "
        "out of reach.",
        "milestones": {"acknowledged_at": 3, "first_customer_update_at": 20, "resolved_at": 90},
        "satisfaction": None,
        "roles": [
            (R.INVESTIGATION_LEAD, "sam", 4, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 10, ""),
            (R.DECISION_OWNER, "gordon", 35, ""),
        ],
        "entries": [
            (15, E.NOTE, "Fiona Walsh", "Three participants said they could authorise the rollback."),
            (20, E.CUSTOMER_UPDATE, "Lena Hofmann", "Drafted the first update from the section's script."),
            (35, E.DECISION, "Gordon Mensah", "As governance owner: roll back."),
            (50, E.NOTE, "Fiona Walsh", "The section's contingency contacts name someone who has left."),
        ],
        "participants": {
            "sam": [3, 4, 2, 4, 2, 4],
            "lena": [4, 4, 3, 4, 2, 4],
            "priya": ([3, 4, 2, 4, 2, 3], {5: "I thought the SRE on-call could decide; so did two others."}),
            "gordon": [3, 4, 3, 4, 2, 4],
        },
        "narrative": "The exercise simulated an enterprise payment outage at night with the payments on-call lead "
        "out of reach. The investigation and communication roles were taken quickly. The decision was not: three "
        "participants believed they could authorise the rollback, and the section's contingency contacts named "
        "someone who has since left. The governance owner took the decision at minute 35; in a real outage "
        "those twenty minutes would have been lost.",
        "findings": [
            "The payment outage section names no fallback decision owner for when the payments on-call lead is "
            "unreachable.",
            "The section's contingency contacts list a person who has left.",
        ],
        "publish": 4,
        "actions": [
            (
                "Propose a fallback decision owner and current contacts for the payment outage section",
                "sam",
                28,
                K.PLAYBOOK_CHANGE,
                0,
                {
                    "author": "sam",
                    "section": PAYMENT,
                    "changes": {
                        "change_authority": "The payments on-call lead decides; the SRE on-call lead if they cannot "
                        "be reached within 10 minutes. A rollback needs no further approval; a fix forward needs a "
                        "second approval from Site Reliability.",
                        "contingency_contacts": "- The payments on-call lead\n- The SRE on-call lead\n"
                        "- The governance owner\n- The acquirer's 24-hour support line",
                    },
                    "rationale": "Payment tabletop: three people believed they could authorise the rollback when "
                    "the payments on-call lead was out of reach, and the contacts named someone who has left.",
                    "proposed": 4,
                    "approved": None,
                },
            ),
            (
                "Confirm who decides when both on-call leads are unreachable",
                "gordon",
                35,
                K.OWNERSHIP_MAP,
                0,
                None,
            ),
        ],
    },
    {
        "title": "Login failures for Fabrikam single sign-on",
        "customer": "Fabrikam Inc",
        "customer_summary": "Your users could not sign in through single sign-on for 55 minutes after a "
        "configuration change.",
        "severity": "sev2",
        "team": "site-reliability",
        "section": IDENTITY,
        "facilitator": "fiona",
        "days_ago": 12,
        "time": (9, 25),
        "summary": "Fabrikam's users could not sign in through SSO for 55 minutes after an IdP metadata change.",
        "milestones": {"acknowledged_at": 8, "first_customer_update_at": 20, "resolved_at": 55},
        "satisfaction": 4,
        "roles": [
            (R.INVESTIGATION_LEAD, "priya", 10, ""),
            (R.COMMUNICATIONS_OWNER, "lena", 12, ""),
            (R.CUSTOMER_CONTACT, "lena", 12, ""),
            (R.DECISION_OWNER, "priya", 15, ""),
            (R.INTERNAL_LIAISON, "sam", 20, ""),
        ],
        "entries": [
            (-6, E.DETECTION, "Fabrikam Inc", "Fabrikam's IT desk reported failed sign-ins for all users."),
            (20, E.CUSTOMER_UPDATE, "Lena Hofmann", "Told Fabrikam we are pinning their previous configuration."),
            (30, E.DECISION, "Priya Raman", "Pin the previous IdP metadata until Fabrikam confirms their fix."),
        ],
        "participants": {"priya": [5, 5, 4, 4, 5, 5], "lena": None, "sam": None},
        "narrative": "Fabrikam changed their identity provider's metadata and sign-ins failed for all their users. "
        "The roles were named within 15 minutes and the fallback the identity section now lists, pinning the "
        "previous metadata, was chosen at minute 30.",
        "findings": [
            "The fallback added to the identity section after Alpine Ski House was used within 30 minutes.",
            "Nothing told us the customer's identity provider metadata had changed; their IT desk did.",
        ],
        "state": "in_review",
        "actions": [
            (
                "Alert when a customer's identity provider metadata changes",
                "priya",
                21,
                K.MONITORING,
                1,
                None,
            ),
        ],
    },
    {
        "title": "Webhook deliveries delayed for Litware",
        "customer": "Litware",
        "severity": "sev3",
        "team": "payments-platform",
        "section": WEBHOOK,
        "facilitator": "tom",
        "days_ago": 4,
        "time": (16, 50),
        "summary": "Webhook deliveries to Litware queued for up to 40 minutes.",
        "milestones": {"acknowledged_at": 15},
        "satisfaction": None,
        "roles": [(R.INVESTIGATION_LEAD, "mei", 20, "")],
        "entries": [(-2, E.DETECTION, "Monitoring", "Webhook queue age above 10 minutes for Litware.")],
        "participants": {},
        "narrative": "",
        "findings": [],
        "state": "draft",
        "actions": [],
    },
]


def escalation_moment(scenario, today):
    hour, minute = scenario["time"]
    return timezone.make_aware(datetime.combine(today - timedelta(days=scenario["days_ago"]), time(hour, minute)))


def _office_hours(moment, at):
    """The first moment at ``at`` o'clock that is not before ``moment``."""
    day = timezone.localtime(moment).date()
    candidate = timezone.make_aware(datetime.combine(day, at))
    return candidate if candidate >= moment else candidate + timedelta(days=1)


def build(scenario, escalated):
    """One escalation and its review, through the services, each step at the moment it happened."""
    s = scenario
    who = playbook_demo.people()
    facilitator = who[s["facilitator"]]
    # The facilitator opens the review the next morning, or the morning after the resolution was confirmed.
    settled = timedelta(minutes=max(s["milestones"].values()) + 120)
    opened = _office_hours(escalated + max(timedelta(hours=12), settled), time(9, 30))

    def at(minutes):
        return escalated + timedelta(minutes=minutes)

    with clock.at(opened):
        review = services.review_create(
            facilitator,
            title=s["title"],
            customer=s["customer"],
            customer_summary=s.get("customer_summary", ""),
            severity=s["severity"],
            summary=s["summary"],
            team=Team.objects.get(slug=s["team"]),
            playbook_section=Section.objects.filter(slug=s["section"]).first() if s["section"] else None,
            escalated_at=escalated,
            satisfaction=s["satisfaction"],
            is_exercise=s.get("exercise", False),
            narrative=s["narrative"],
            **{field: at(minutes) for field, minutes in s["milestones"].items()},
        )
        incident = review.incident
        for role, username, start, note in s["roles"]:
            services.role_assign(
                facilitator, incident, role=role, person=who[username], started_at=at(start), handover_note=note
            )
        for minutes, kind, name, what in s["entries"]:
            services.timeline_entry_add(facilitator, incident, at=at(minutes), kind=kind, who=name, what=what)
        for username in s["participants"]:
            services.participant_invite(facilitator, review, invitee=who[username])
    state = s.get("state", "published")
    if state == "draft":
        return review

    started = opened + timedelta(days=1, minutes=30)
    with clock.at(started):
        for text in s["findings"]:
            services.finding_add(facilitator, review, text=text)
        services.review_start(facilitator, review)
    submitted = [(username, value) for username, value in s["participants"].items() if value]
    for hours, (username, value) in enumerate(submitted, start=1):
        values, evidence = value if isinstance(value, tuple) else (value, {})
        scores = {dimension: (score, evidence.get(dimension, "")) for dimension, score in enumerate(values, start=1)}
        with clock.at(started + timedelta(hours=2 * hours)):
            services.scores_save(who[username], review, scores=scores, submit=True)

    if state == "published":
        decided = _office_hours(escalated + timedelta(days=s["publish"]), time(15, 0))
    else:
        decided = started + timedelta(days=1)
    findings = list(review.findings.order_by("pk"))
    items = []
    with clock.at(decided - timedelta(hours=1)):
        for title, owner, due_in, kind, finding, _ in s["actions"]:
            items.append(
                services.action_item_add(
                    facilitator,
                    review,
                    title=title,
                    owner=who[owner],
                    due_on=decided.date() + timedelta(days=due_in),
                    kind=kind,
                    finding=findings[finding],
                )
            )
    with clock.at(decided):
        if state == "published":
            services.review_publish(facilitator, review)
        elif s.get("consolidated"):
            services.scores_consolidate(facilitator, review)
    for item, action in zip(items, s["actions"], strict=True):
        _follow_up(item, action[-1], decided)
    if "amendment" in s:
        days, narrative, reason = s["amendment"]
        with clock.at(decided + timedelta(days=days)):
            services.review_amend(facilitator, review, narrative=narrative, reason=reason)
    return review


def _follow_up(item, outcome, published):
    """What became of an action item after publication: done, dropped, or a playbook revision."""
    if outcome is None:
        return
    if isinstance(outcome, dict):
        who = playbook_demo.people()
        revision = playbook_demo.propose(
            who[outcome["author"]],
            outcome["section"],
            changes=outcome["changes"],
            rationale=outcome["rationale"],
            moment=published + timedelta(days=outcome["proposed"]),
            action=item,
        )
        if outcome["approved"] is None:
            return
        approved = published + timedelta(days=outcome["approved"])
        playbook_demo.approve(revision, approved, outcome["comment"])
        item.refresh_from_db()
        if item.state != ActionState.OPEN:  # the approval closed the action item that asked for it
            return
        outcome = ("done", outcome["approved"] + 0.1)
    state, days, *reason = outcome
    with clock.at(published + timedelta(days=days)):
        services.action_item_set_state(
            item.owner,
            item,
            state=ActionState.DONE if state == "done" else ActionState.DROPPED,
            reason=reason[0] if reason else "",
        )
