"""Create forms that create once.

A repeated submission — Back and submit again, a double click, a retried request — lands on
what the first one created instead of creating it again. Two keys recognise a repeat:

- the form's one-time token, made when the form is shown (``{% once %}``): the same page sent
  twice (a double click, a page the browser kept);
- the submission itself: the same person sending the same values to the same address within
  ``SAME_VALUES_WITHIN`` (a browser that fetched the form again on Back and refilled it).

The first submission claims its keys in the transaction that creates the object and records
where it led. Two submissions at the same moment meet on the unique (user, token) constraint:
the second waits for the first and then finds its claim. A submission that fails validation
claims nothing, so the corrected form can be sent again.
"""

import contextlib
import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

from core.models import Submission

FIELD = "once"
KEPT = timedelta(days=2)  # a repeat of a page comes within seconds or minutes; two days is generous
SAME_VALUES_WITHIN = timedelta(minutes=30)  # the same values again later are meant
NOT_VALUES = {FIELD, "csrfmiddlewaretoken", "secret", "api_token", "password"}  # secrets are not hashed either


def new_token():
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Outcome:
    url: str
    repeated: bool  # True: an earlier submission created it; nothing was done now


def _keys(request):
    """(key, how far back a claim of it counts) for this submission."""
    keys = []
    with contextlib.suppress(ValueError):  # no token, or not one Baton made: the values still count
        keys.append((uuid.UUID(request.POST.get(FIELD, "")), KEPT))
    values = sorted(
        (name, value) for name, values in request.POST.lists() if name not in NOT_VALUES for value in values
    )
    digest = hashlib.sha256(repr((request.path, values)).encode()).digest()
    keys.append((uuid.UUID(bytes=digest[:16], version=5), SAME_VALUES_WITHIN))
    return keys


def _claim(user, key, within):
    """Claim ``key``; if an earlier submission holds it, the URL it led to."""
    try:
        with transaction.atomic():
            return Submission.objects.create(user=user, token=key), None
    except IntegrityError:
        earlier = Submission.objects.filter(user=user, token=key).first()
        if earlier is None or earlier.created_at < timezone.now() - within:
            Submission.objects.filter(user=user, token=key).delete()  # too old to be a repeat
            with transaction.atomic():
                return Submission.objects.create(user=user, token=key), None
        return None, earlier.url


def submit(request, create):
    """Run ``create()`` (it returns the URL of what it made) once per submission.

    Errors ``create()`` raises propagate, and nothing stays claimed.
    """
    user = request.user
    with transaction.atomic():
        claims = []
        for key, within in _keys(request):
            claim, earlier = _claim(user, key, within)
            if earlier:
                return Outcome(earlier, repeated=True)
            claims.append(claim.pk)
        url = create()
        Submission.objects.filter(pk__in=claims).update(url=url[:500])
    Submission.objects.filter(user=user, created_at__lt=timezone.now() - KEPT).delete()
    return Outcome(url, repeated=False)


def landed(request, outcome):
    """Where a create form's submission leads; a repeat says it changed nothing."""
    if outcome.repeated:
        messages.info(request, "That was sent twice: it was saved once, and here it is.")
    return redirect(outcome.url)
