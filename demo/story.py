"""The demo organisation's year, told in order.

The playbook's first sections, the escalations and their reviews (with the revisions they led
to), and the quarterly cycles happen at their own moments relative to today, so the data is as
fresh on any day the demo is loaded. They run in the order they began: an escalation is linked
to the playbook version in force when it happened, and a revision is written against the version
published when it was proposed.

Loaded once: a database that has the demo's playbook already keeps its story as it is.
"""

from datetime import datetime, time, timedelta
from functools import partial

from django.utils import timezone

from demo import playbook as playbook_demo
from demo import reviews as reviews_demo
from playbook.models import Section


def seed(stdout=None):
    if Section.objects.filter(slug__in=playbook_demo.SECTIONS).exists():
        return 0
    today = timezone.localdate()
    events = []  # (moment, step): each step runs everything that began at that moment
    for slug, spec in playbook_demo.SECTIONS.items():
        if "since" in spec:
            moment = timezone.make_aware(datetime.combine(today - timedelta(days=spec["since"]), time(10, 0)))
            events.append((moment, partial(playbook_demo.create_section, slug, moment)))
    for scenario in reviews_demo.SCENARIOS:
        escalated = reviews_demo.escalation_moment(scenario, today)
        events.append((escalated, partial(reviews_demo.build, scenario, escalated)))
    for opens, cycle in (
        (playbook_demo.last_cycle_opens(today), playbook_demo.last_cycle),
        (playbook_demo.this_cycle_opens(today), playbook_demo.this_cycle),
    ):
        events.append((opens, partial(cycle, opens)))
    for _moment, step in sorted(events, key=lambda event: event[0]):
        step()
    if stdout is not None:
        stdout.write(
            f"Demo story: {len(playbook_demo.SECTIONS)} playbook sections, "
            f"{len(reviews_demo.SCENARIOS)} escalations and their reviews, two quarterly cycles."
        )
    return len(reviews_demo.SCENARIOS)
