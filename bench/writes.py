"""Writes at a steady rate while the pages are read: the mixed run of ``make bench``.

Through the real API, each with the session of someone allowed to make it (session
authentication and the CSRF token, as a browser's script would): the facilitator adds timeline
entries to reviews still open (draft or in review) and proposes playbook revisions, which a
governance owner approves (a new published version of the section); the participant submits
their six scores on a review in review; the staff user gives recognitions to teams; everyone
seconds recognitions. Nothing creates an incident. Paced by the clock (``rate`` a second) and
not by the answers, as people's edits arrive: a slow answer does not hold up the next write.
"""

import http.client
import itertools
import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

# One round of writes: what people do most comes most often.
ROUND = [
    "timeline entry",
    "scores",
    "timeline entry",
    "recognition",
    "revision proposed",
    "timeline entry",
    "second",
    "scores",
    "timeline entry",
    "revision approved",
]
# Who makes each kind of write: a role of bench.spread.bench_users().
BY = {
    "timeline entry": "facilitator",
    "scores": "participant",
    "recognition": "staff",
    "revision proposed": "facilitator",
    "revision approved": "governance owner",
}


def prepare(users):
    """What the writes may touch, read from the database before the run. ``users``: [(role, username)]."""
    from django.contrib.auth import get_user_model

    from playbook.models import Section
    from recognition.models import Category, Recognition
    from reviews.models import Dimension, Review, ReviewState
    from teams.models import Team

    people = {role: get_user_model().objects.get(username=name) for role, name in users}
    open_reviews = Review.objects.filter(state__in=[ReviewState.DRAFT, ReviewState.IN_REVIEW], archived_at=None)
    seconds = {}
    for role, person in people.items():
        candidates = (
            Recognition.objects.visible()
            .exclude(author=person)
            .exclude(seconds__user=person)
            .order_by("?")
            .values_list("pk", flat=True)[:2000]
        )
        seconds[role] = list(candidates)
    giver = people.get("staff")
    teams = list(Team.objects.exclude(memberships__user=giver).values_list("slug", flat=True)) if giver else []
    scoring = people.get("participant")
    return {
        "incidents": list(open_reviews.values_list("incident_id", flat=True)),
        "scoring": list(
            open_reviews.filter(state=ReviewState.IN_REVIEW, participants__user=scoring).values_list("pk", flat=True)
        )
        if scoring
        else [],
        "teams": teams,
        "categories": list(Category.values),
        "dimensions": list(Dimension.values),
        "sections": list(Section.objects.filter(is_active=True, current__isnull=False).values_list("slug", flat=True)),
        "seconds": seconds,
        "names": {role: person.get_full_name() or person.get_username() for role, person in people.items()},
    }


class Writer(threading.Thread):
    """Writes at ``rate`` a second until stopped; ``sessions``: {role: {"cookie": …, "csrf": …}}.

    Open loop: each write starts on the clock whether or not the one before has been answered
    (people do not wait for each other), on up to ``concurrency`` connections."""

    def __init__(self, port, sessions, plan, rate, seed=1, concurrency=8):
        super().__init__(daemon=True)
        self.port = port
        self.sessions = sessions
        self.plan = plan
        self.rate = rate
        self.rng = random.Random(seed)  # noqa: S311 - load patterns, not secrets
        self.pool = ThreadPoolExecutor(max_workers=concurrency)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.done = Counter()
        self.failed = Counter()
        self.errors = []
        self.latencies = []
        self.pending = []  # proposed revisions waiting for approval
        self.numbers = itertools.count(1)
        self.scheduled = 0
        self.window = 0.0

    def stop(self):
        """Stop starting writes, then wait for those under way."""
        self.stopping.set()
        self.join(timeout=60)
        self.pool.shutdown(wait=True)

    def run(self):
        started = time.monotonic()
        step = 0
        while True:
            delay = started + step / self.rate - time.monotonic()
            if (delay > 0 and self.stopping.wait(delay)) or self.stopping.is_set():
                break
            kind = self.kind(ROUND[step % len(ROUND)])
            step += 1
            if kind is None:
                continue
            # Which revision an approval decides is settled here, so two never take the same one.
            argument = self.pending.pop(0) if kind == "revision approved" else None
            self.scheduled += 1
            self.pool.submit(self.write, kind, argument)
        self.window = time.monotonic() - started

    def write(self, kind, argument):
        begun = time.perf_counter()
        try:
            method = getattr(self, "_" + kind.replace(" ", "_"))
            ok, detail = method(argument) if argument is not None else method()
        except (OSError, http.client.HTTPException, ValueError, KeyError, IndexError) as error:
            ok, detail = False, repr(error)
        with self.lock:
            self.latencies.append((time.perf_counter() - begun) * 1000)
            (self.done if ok else self.failed)[kind] += 1
            if not ok and len(self.errors) < 10:
                self.errors.append(f"{kind}: {detail}")

    def kind(self, kind):
        """``kind`` if its maker signed in and there is something to write, else a timeline entry."""
        possible = {
            "timeline entry": bool(self.plan["incidents"]),
            "scores": bool(self.plan["scoring"]),
            "recognition": bool(self.plan["teams"]),
            "revision proposed": bool(self.plan["sections"]) and "governance owner" in self.sessions,
            "revision approved": bool(self.pending),
            "second": any(self.plan["seconds"].get(role) for role in self.sessions),
        }
        role = BY.get(kind)  # None: anyone signed in
        if possible[kind] and (role is None or role in self.sessions):
            return kind
        return "timeline entry" if possible["timeline entry"] and "facilitator" in self.sessions else None

    # The writes --------------------------------------------------------------------------

    def _send(self, role, method, path, body, expect):
        session = self.sessions[role]
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                method,
                path,
                body=json.dumps(body).encode(),
                headers={
                    "Cookie": session["cookie"],
                    "X-CSRFToken": session["csrf"],
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
            )
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        if response.status != expect:
            return False, f"{method} {path} answered {response.status}: {text[:200]}"
        return True, json.loads(text) if text else {}

    def _timeline_entry(self):
        number = next(self.numbers)
        at = datetime.now(UTC) - timedelta(minutes=self.rng.randint(1, 30))
        body = {
            "incident": self.rng.choice(self.plan["incidents"]),
            "at": at.isoformat(),
            "kind": self.rng.choice(["note", "internal_update", "customer_update", "decision"]),
            "who": self.plan["names"]["facilitator"],
            "what": f"Checked the dashboards again (note {number}); error rate back under the threshold.",
        }
        return self._send("facilitator", "POST", "/api/timeline-entries/", body, 201)

    def _scores(self):
        review = self.rng.choice(self.plan["scoring"])
        scores = [
            {"dimension": d, "score": self.rng.randint(2, 5), "evidence": "Seen in the timeline and the handover."}
            for d in self.plan["dimensions"]
        ]
        return self._send(
            "participant", "POST", f"/api/reviews/{review}/scores/", {"scores": scores, "submit": True}, 200
        )

    def _recognition(self):
        body = {
            "team": self.rng.choice(self.plan["teams"]),
            "category": self.rng.choice(self.plan["categories"]),
            "message": "Kept the customer informed every half hour and handed over cleanly at the shift change.",
        }
        return self._send("staff", "POST", "/api/recognitions/", body, 201)

    def _second(self):
        roles = [role for role in self.sessions if self.plan["seconds"].get(role)]
        role = self.rng.choice(roles)
        recognition = self.plan["seconds"][role].pop()
        return self._send(role, "POST", f"/api/recognitions/{recognition}/second/", {}, 201)

    def _revision_proposed(self):
        number = next(self.numbers)
        body = {
            "section": self.rng.choice(self.plan["sections"]),
            "rationale": f"Quarterly review {number}: the next-steps script names who speaks to the customer.",
            "script_next_steps": f"Next steps: the communications lead updates the customer (revision {number}).",
            "submit": True,
        }
        ok, detail = self._send("facilitator", "POST", "/api/playbook/revisions/", body, 201)
        if ok:
            self.pending.append(detail["id"])
        return ok, detail

    def _revision_approved(self, revision):
        body = {"attest_regulatory": True, "attest_blameless": True, "comment": "Approved."}
        return self._send("governance owner", "POST", f"/api/playbook/revisions/{revision}/approve/", body, 200)

    def report(self):
        seconds = self.window
        rows = sorted(self.latencies)

        def pct(p):
            return round(rows[min(len(rows) - 1, int(len(rows) * p / 100))], 1) if rows else None

        return {
            "rate": self.rate,
            "seconds": round(seconds, 1),
            "started": self.scheduled,
            "done": sum(self.done.values()),
            "failed": sum(self.failed.values()),
            "per_second": round(sum(self.done.values()) / seconds, 2) if seconds else None,
            "by_kind": {kind: {"done": self.done[kind], "failed": self.failed[kind]} for kind in dict.fromkeys(ROUND)},
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "errors": self.errors,
        }
