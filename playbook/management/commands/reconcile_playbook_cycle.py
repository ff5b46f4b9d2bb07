from datetime import date

from django.core.management.base import BaseCommand, CommandError

from playbook import services


class Command(BaseCommand):
    help = "Make sure this quarter's playbook review tasks exist and send due reminders (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as of this day (YYYY-MM-DD), e.g. to open a past quarter.")
        parser.add_argument("--no-notices", action="store_true", help="Create tasks only; send no reminders.")

    def handle(self, *args, date=None, no_notices=False, **options):
        try:
            day = _parse(date)
        except ValueError as error:
            raise CommandError(f"--date: {error}") from None
        created = services.cycle_reconcile(day)
        sent = 0 if no_notices else services.task_notices_send(day)
        self.stdout.write(f"Review tasks created: {created}; notices sent: {sent}.")


def _parse(value):
    return date.fromisoformat(value) if value else None
