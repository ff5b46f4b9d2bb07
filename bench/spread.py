"""Who reads what: the benchmark's users and the URLs each page is measured with.

Four people sign in: the seeded facilitator ``bench`` (sees every review), ``bench-staff``
(a signed-in person in no role group: published reviews only), a governance owner and a plain
participant from the seeded organisation (the participant with the most reviews in review, so
that the mixed run's scores have somewhere to go). Each URL of a page belongs to one of them
and is one that person may open (``reviews.policy`` decides which reviews), so a run is
spread over the data as readers spread it and a cache helps only as much as it would in use:

- review list: page 1, the next few pages, now and then any page of the reviews the reader
  sees; filtered by one to three of state, severity, team and playbook section (pages 1–4);
  searched for a few terms from
  ``seed_scale``'s vocabulary;
- review page: a random review among all those the reader may open;
- playbook section: a random section; version diff: a random section and pair of versions;
- recognition board: a random page; Insights: one of the last four quarters;
- API lists: random pages of the unfiltered list (page counts read with the view's own
  queryset and filters, since the API answers 404 past the last page), page 1 of filtered
  lists, the timeline of a random incident the reader may see (pages follow a cursor).
"""

import math
import random
from datetime import date
from urllib.parse import urlencode, urlsplit

SEARCH_TERMS = [  # seed_scale's causes, systems and customers: some common, some rare
    "certificate",
    "failover",
    "expired token",
    "checkout",
    "webhooks",
    "Northwind",
    "Contoso Bank",
    "schema migration",
]
SECTION_SEARCH = ["payments", "login", "checkout", "DNS", "enterprise", "self-serve"]


def bench_users():
    """[(role, username)] of the people the benchmark signs in as; the governance owner and the
    participant are left out when the data has none (a tiny seed)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    from core.roles import FACILITATORS, GOVERNANCE
    from reviews.models import ReviewState

    User = get_user_model()
    seeded = ("bench", "bench-staff")
    users = [("facilitator", "bench"), ("staff", "bench-staff")]
    owner = (
        User.objects.filter(is_active=True, groups__name=GOVERNANCE)
        .exclude(groups__name=FACILITATORS)
        .exclude(username__in=seeded)
        .order_by("username")
        .values_list("username", flat=True)
        .first()
    )
    if owner:
        users.append(("governance owner", owner))
    participant = (
        User.objects.filter(is_active=True, groups__isnull=True)
        .exclude(username__in=seeded)
        .annotate(
            in_review=Count("participations", filter=Q(participations__review__state=ReviewState.IN_REVIEW)),
            reviews=Count("participations"),
        )
        .filter(reviews__gt=0)
        .order_by("-in_review", "-reviews", "username")
        .values_list("username", flat=True)
        .first()
    )
    if participant:
        users.append(("participant", participant))
    return users


def api_pages(user, path):
    """How many pages the API list at ``path`` has for ``user``: its rows counted exactly with the
    view's own queryset and filters (without rendering a page), over the view's page size."""
    from django.urls import resolve
    from rest_framework.test import APIRequestFactory, force_authenticate

    request = APIRequestFactory().get(path)
    force_authenticate(request, user=user)
    match = resolve(urlsplit(path).path)
    view = match.func.cls(**match.func.initkwargs)
    view.action_map = match.func.actions
    view.args, view.kwargs = (), {}
    view.request = view.initialize_request(request)
    view.format_kwarg = None
    view.action = "list"
    count = view.filter_queryset(view.get_queryset()).count()
    size = getattr(view.paginator, "page_size", None) or 50
    return max(1, math.ceil(count / size))


def _path(base, params):
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{base}?{urlencode(params)}" if params else base


class Planner:
    def __init__(self, users, seed):
        from django.contrib.auth import get_user_model

        from insights.figures import Period
        from playbook.models import Section
        from recognition.models import Category, Recognition
        from reviews import policy
        from reviews.models import ReviewState, Severity
        from teams.models import Team

        self.rng = random.Random(seed)  # noqa: S311 - load patterns, not secrets
        self.users = [get_user_model().objects.get(username=name) for _, name in users]
        self.sees_all = [policy.sees_every_review(user) for user in self.users]
        # (review id, incident id) of every review each reader may open.
        self.reviews = [
            list(policy.visible_reviews(user).order_by("pk").values_list("pk", "incident_id")) for user in self.users
        ]
        self.states = [list(ReviewState.values) if all_ else list(policy.PUBLIC_STATES) for all_ in self.sees_all]
        self.severities = list(Severity.values)
        self.teams = list(Team.objects.order_by("slug").values_list("slug", flat=True))
        self.sections = list(
            Section.objects.filter(is_active=True, current__isnull=False)
            .order_by("slug")
            .values_list("slug", "current__number")
        )
        self.categories = list(Category.values)
        quarter = Period.containing(date.today())
        self.quarters = []
        for _ in range(4):
            self.quarters.append(quarter.param)
            quarter = quarter.previous()
        self.board_pages = max(1, math.ceil(Recognition.objects.visible().count() / 20))
        self._list_pages = {}
        self._api_pages = {}

    # Helpers ---------------------------------------------------------------------------

    def reader(self):
        return self.rng.randrange(len(self.users))

    def page(self, last, first_share):
        """Page 1 with probability ``first_share``; else, as readers page, mostly the next few
        (three in four of the rest among pages 2-5), and now and then any page up to ``last``."""
        if last <= 1 or self.rng.random() < first_share:
            return None
        if self.rng.random() < 0.75:
            return self.rng.randint(2, min(5, last))
        return self.rng.randint(2, last)

    def list_pages(self, index):
        """Pages of the review list (25 a page) for reader ``index``, without filters."""
        if index not in self._list_pages:
            from reviews import selectors

            count = selectors.review_list(self.users[index]).filter(archived_at__isnull=True).count()
            self._list_pages[index] = max(1, math.ceil(count / 25))
        return self._list_pages[index]

    def api_pages(self, index, base):
        key = (index, base)
        if key not in self._api_pages:
            self._api_pages[key] = api_pages(self.users[index], base)
        return self._api_pages[key]

    def some(self, *choices):
        """A random non-empty subset of the (name, values) filter ``choices``, one value each."""
        picked = self.rng.sample(choices, self.rng.randint(1, min(3, len(choices))))
        return {name: self.rng.choice(values) for name, values in picked if values}

    # One URL of each page, for reader ``i`` --------------------------------------------

    def review_list(self, i):
        return _path("/reviews/", {"page": self.page(self.list_pages(i), 0.4)})

    def review_list_filtered(self, i):
        sections = [slug for slug, _ in self.sections] + ["none"]
        params = self.some(
            ("state", self.states[i]), ("severity", self.severities), ("team", self.teams), ("section", sections)
        )
        params["page"] = self.page(4, 0.7)  # past the last page the list shows its last
        return _path("/reviews/", params)

    def review_list_searched(self, i):
        params = {"q": self.rng.choice(SEARCH_TERMS)}
        if self.rng.random() < 0.3:
            params["state"] = self.rng.choice(self.states[i])
        params["page"] = self.page(2, 0.85)
        return _path("/reviews/", params)

    def review_page(self, i):
        return f"/reviews/{self.rng.choice(self.reviews[i])[0]}/"

    def playbook_section(self, i):
        return f"/playbook/{self.rng.choice(self.sections)[0]}/"

    def playbook_diff(self, i):
        slug, last = self.rng.choice(self.sections)
        a, b = sorted(self.rng.sample(range(1, last + 1), 2)) if last > 1 else (1, 1)
        return f"/playbook/{slug}/compare/?a={a}&b={b}"

    def board(self, i):
        return _path("/recognition/", {"page": self.page(self.board_pages, 0.4)})

    def insights(self, i):
        return f"/insights/?quarter={self.rng.choice(self.quarters)}"

    def api_list(self, i, base, filters, filtered_share=0.5):
        """Any page of the unfiltered list, or page 1 with one or two of ``filters``."""
        if filters and self.rng.random() < filtered_share:
            picked = self.rng.sample(filters, self.rng.randint(1, min(2, len(filters))))
            return _path(base, {name: self.rng.choice(values) for name, values in picked})
        return _path(base, {"page": self.page(self.api_pages(i, base), 0.4)})

    def api_reviews(self, i):
        filters = [("state", self.states[i]), ("severity", self.severities), ("team", self.teams)]
        return self.api_list(i, "/api/reviews/", filters)

    def api_reviews_searched(self, i):
        params = {"q": self.rng.choice(SEARCH_TERMS)}
        if self.rng.random() < 0.5:
            params["state"] = self.rng.choice(self.states[i])
        return _path("/api/reviews/", params)

    def api_incidents(self, i):
        return self.api_list(i, "/api/incidents/", [("severity", self.severities), ("team__slug", self.teams)])

    def api_timeline(self, i):
        roll = self.rng.random()
        if roll < 0.7:
            return f"/api/timeline-entries/?incident={self.rng.choice(self.reviews[i])[1]}"
        if roll < 0.85:
            return f"/api/timeline-entries/?kind={self.rng.choice(['decision', 'customer_update', 'handover'])}"
        return "/api/timeline-entries/"

    def api_action_items(self, i):
        filters = [("state", ["open", "done"]), ("overdue", ["true"]), ("owner", [self.users[i].pk])]
        return self.api_list(i, "/api/action-items/", filters)

    def api_recognitions(self, i):
        filters = [("team", self.teams), ("category", self.categories), ("quarter", self.quarters)]
        return self.api_list(i, "/api/recognitions/", filters)

    def api_sections(self, i):
        roll = self.rng.random()
        if roll < 0.5:
            return f"/api/playbook/sections/?search={self.rng.choice(SECTION_SEARCH)}"
        return "/api/playbook/sections/?is_active=true" if roll < 0.6 else "/api/playbook/sections/"

    def api_insights(self, i):
        params = {"quarter": self.rng.choice(self.quarters)}
        if self.rng.random() < 0.25:
            params["exercises"] = self.rng.choice(["include", "only"])
        return _path("/api/insights/", params)


# Page name (as bench.run.targets names them) → how one of its URLs is made.
MAKERS = {
    "ceiling (trivial view)": lambda planner, i: "/bench/ceiling/",
    "review list": Planner.review_list,
    "review list, filtered": Planner.review_list_filtered,
    "review list, searched": Planner.review_list_searched,
    "review page": Planner.review_page,
    "playbook section": Planner.playbook_section,
    "playbook version diff": Planner.playbook_diff,
    "recognition board": Planner.board,
    "insights dashboard": Planner.insights,
    "API reviews": Planner.api_reviews,
    "API reviews, searched": Planner.api_reviews_searched,
    "API incidents": Planner.api_incidents,
    "API timeline entries": Planner.api_timeline,
    "API action items": Planner.api_action_items,
    "API recognitions": Planner.api_recognitions,
    "API playbook sections": Planner.api_sections,
    "API insights": Planner.api_insights,
}


def plan(users, names, per_page, seed):
    """{page name: [(reader index, path)]}: ``per_page`` URLs of each named page, readers
    chosen at random (every reader's URLs are ones they may open)."""
    planner = Planner(users, seed)
    out = {}
    for name in names:
        make = MAKERS[name]
        if name.startswith("ceiling"):
            out[name] = [(i, make(planner, i)) for i in range(len(users))]
            continue
        urls = []
        for _ in range(per_page):
            i = planner.reader()
            urls.append((i, make(planner, i)))
        out[name] = urls
    return out
