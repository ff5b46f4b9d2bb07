"""Send a mail once: claim it with a unique row and send it in one transaction.

    with notify.sending():
        if notify.claim(Notice, recognition=recognition, recipient=person):
            notify.send(subject, body, [person.email])

The claim row commits only after the mail server has accepted the mail. The
unique constraint makes a duplicate or concurrent run harmless: only the run
that inserts the row sends (on PostgreSQL a concurrent insert of the same row
waits for the first run to commit, then finds it). A failed send rolls the
claim back, and so does a worker killed mid-send (its connection drops, the
database discards the open transaction): the redelivered task, a retry or the
next reconcile run sends it then.

The guarantee is at-least-once, and exactly once outside one narrow window:
a worker killed after the mail server accepted a mail but before the claim
committed sends that mail again when its task is redelivered. The opposite
order (commit, then send) would lose that mail instead; a duplicate reminder
is the lesser harm. On SQLite the transaction holds the database's write lock
while the mail goes out (at most ``EMAIL_TIMEOUT``); other writers wait for it.
"""

from django.core import mail
from django.db import IntegrityError, transaction


def sending():
    """The transaction around the claims and the send of one mail."""
    return transaction.atomic()


def claim(model, **fields):
    """Record that a mail is being sent; False if another run already did."""
    try:
        with transaction.atomic():
            model.objects.create(**fields)
    except IntegrityError:
        return False
    return True


def send(subject, body, recipients):
    """Hand the mail to the mail server; an error rolls back ``sending()``."""
    mail.send_mail(subject, body, None, recipients)
