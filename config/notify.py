"""Send a mail once: claim it with a unique row, then send; a failed send
releases the claim so the next reconcile run tries again.

The unique constraint on the claim row is what makes a duplicate or
concurrent run harmless: only the run that inserts the row sends.
"""

from django.core import mail
from django.db import IntegrityError, transaction


def claim(model, **fields):
    """Record that a mail is being sent; False if another run already did."""
    try:
        with transaction.atomic():
            model.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def send_or_release(subject, body, recipients, release):
    """Send the mail; on failure undo the claim (``release()``) and re-raise."""
    try:
        mail.send_mail(subject, body, None, recipients)
    except Exception:
        release()
        raise
