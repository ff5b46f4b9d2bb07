"""Every change Insights makes: the quarter's snapshot, prepared once, and customer share links.

The same shape as the other apps' services: policy check, validation, write,
audit, notices through core.notifications.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import audit, delivery, notifications, notify
from core.errors import require
from core.quarters import Quarter
from core.roles import GOVERNANCE
from insights import policy
from insights import snapshot as snapshots
from insights.figures import ORGANISATION, Period, as_json
from insights.models import ShareLink, Snapshot
from reviews.models import Incident


def snapshot_prepare(today=None):
    """Prepare the snapshot of the quarter that closed last and tell the governance
    owners, once. Idempotent: safe on time, late, twice or concurrently."""
    period = snapshots.quarter_to_prepare(today)
    year, quarter = period.start.year, Quarter.containing(period.start).number
    if not Snapshot.objects.filter(year=year, quarter=quarter).exists():
        report = snapshots.internal(Period.quarter(year, quarter), viewer=ORGANISATION)
        figures = {"overall": as_json(report["overall"]), "previous": as_json(report["previous"])}
        notify.claim(Snapshot, year=year, quarter=quarter, figures=figures)
    # Exactly one run flips notified_at and tells the governance owners; both commit together.
    with transaction.atomic():
        if not Snapshot.objects.filter(year=year, quarter=quarter, notified_at__isnull=True).update(
            notified_at=timezone.now()
        ):
            return 0
        told = notifications.notify(
            get_user_model().objects.filter(groups__name=GOVERNANCE, is_active=True),
            "snapshot.ready",
            key=f"snapshot.ready:{year}-Q{quarter}",
            title=f"The performance snapshot for {period.label} is ready",
            body=render_to_string(
                "insights/email/snapshot_ready.txt",
                {"period": period, "year": year, "quarter": quarter, "site_url": settings.SITE_URL},
            ),
            url=reverse("snapshot") + f"?quarter={year}-Q{quarter}",
            deliver=False,
        )
    delivery.deliver_pending()
    return len(told)


SHARE_LINK_DAYS = 30


@transaction.atomic
def share_link_create(user, *, customer, year, quarter, days=SHARE_LINK_DAYS):
    """An unguessable link to one customer's snapshot, expiring after ``days``."""
    require(policy.can_share_snapshot(user), "Only facilitators and governance owners share snapshots.")
    errors = {}
    if not Incident.objects.filter(customer=customer).exists():
        errors["customer"] = ["No escalations for this customer."]
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 365:
        errors["days"] = ["Between 1 and 365 days."]
    if errors:
        raise ValidationError(errors)
    link = ShareLink.objects.create(
        token=secrets.token_urlsafe(32),
        customer=customer,
        year=year,
        quarter=quarter,
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(user, "share_link.created", link, url="", note=f"{customer}, {year} Q{quarter}, {days} days")
    return link


@transaction.atomic
def share_link_revoke(user, link):
    require(policy.can_revoke_share_link(user, link), "Only its creator or a governance owner revokes a link.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(user, "share_link.revoked", link, url="", note=f"{link.customer}, {link.year} Q{link.quarter}")
    return link
