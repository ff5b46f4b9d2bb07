"""Create forms that create once.

A repeated submission — Back and submit again, a double click, a retried request — lands on
what the first one created instead of creating it again. Two keys recognise a repeat, both
built from the values sent (so different words are never taken for a repeat):

- the form's one-time token (``{% once %}``, made when the form is shown) with the values: the
  same page sent twice, however much later (a double click, a page the browser kept);
- the values alone, sent by the same person to the same address within ``SAME_VALUES_WITHIN``:
  browsers fetch a form again on Back (with a new token) and refill what was typed.

A claim whose object has since been removed does not count: a participant taken back and
invited again, a finding removed and recorded again, is created again.

The first submission claims its keys in the transaction that creates the object and records
what it created and where it is. Two submissions at the same moment meet on the unique (user,
token) constraint; the second waits for the first and then finds its claim. A submission that
fails validation, or turns out to be a repeat, claims nothing.
"""

import contextlib
import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

from core.models import Submission

FIELD = "once"
KEPT = timedelta(days=2)  # a repeat of a page comes within seconds or minutes; two days is generous
SAME_VALUES_WITHIN = timedelta(minutes=30)
NOT_VALUES = {FIELD, "csrfmiddlewaretoken", "secret", "api_token", "password"}  # secrets are not hashed either


def new_token():
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Outcome:
    url: str
    repeated: bool  # True: an earlier submission created it; nothing was done now


class _Repeat(Exception):
    def __init__(self, url):
        self.url = url


def _key(*parts):
    return uuid.UUID(bytes=hashlib.sha256(repr(parts).encode()).digest()[:16], version=5)


def _keys(request):
    """(key, how far back a claim of it counts) for this submission."""
    values = sorted(
        (name, value) for name, values in request.POST.lists() if name not in NOT_VALUES for value in values
    )
    address = request.get_full_path()  # ?action= and ?task= say what a proposal answers
    keys = []
    with contextlib.suppress(ValueError):  # no token, or not one Baton made: the values still count
        keys.append((_key("token", str(uuid.UUID(request.POST.get(FIELD, ""))), address, values), KEPT))
    keys.append((_key("values", address, values), SAME_VALUES_WITHIN))
    return keys


def _claim(user, key, within):
    """Claim ``key`` and return the claim; raise _Repeat if an earlier submission holds it."""
    for _ in range(2):  # a claim removed between our insert and our read: try once more
        try:
            with transaction.atomic():
                return Submission.objects.create(user=user, token=key)
        except IntegrityError:
            pass
        earlier = Submission.objects.select_for_update().filter(user=user, token=key).first()
        if earlier is None:
            continue
        if earlier.created_at >= timezone.now() - within and earlier.still_there():
            raise _Repeat(earlier.url)
        # Too old to be a repeat, or what it made is gone: take it over (the row lock makes
        # a second taker wait and then find it fresh).
        earlier.created_at, earlier.url, earlier.created_type, earlier.created_id = timezone.now(), "", None, ""
        earlier.save()
        return earlier
    raise IntegrityError("The submission's key could not be claimed.")


def submit(request, create):
    """Run ``create()`` once per submission. It returns ``(obj, url)``: what it made (or None)
    and where to go. Errors ``create()`` raises propagate, and nothing stays claimed."""
    user = request.user
    try:
        with transaction.atomic():
            claims = [_claim(user, key, within) for key, within in _keys(request)]
            obj, url = create()
            created = {"url": url[:500]}
            if obj is not None:
                created |= {"created_type": ContentType.objects.get_for_model(obj), "created_id": str(obj.pk)}
            Submission.objects.filter(pk__in=[claim.pk for claim in claims]).update(**created)
    except _Repeat as repeat:  # the claims made before it rolled back with the block
        return Outcome(repeat.url, repeated=True)
    Submission.objects.filter(user=user, created_at__lt=timezone.now() - KEPT).delete()
    return Outcome(url, repeated=False)


def landed(request, outcome):
    """Where a create form's submission leads; a repeat says it changed nothing."""
    if outcome.repeated:
        messages.info(request, "That was sent twice: it was saved once, and here it is.")
    return redirect(outcome.url)
