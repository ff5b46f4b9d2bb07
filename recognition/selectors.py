"""Reads for the recognition board, in a constant number of queries."""

from django.db.models import Count, Prefetch

from core.quarters import Quarter
from recognition import policy
from recognition.models import Category, Recognition, Second
from reviews.models import Review


def quarter_bounds(label):
    """'2026-Q4' → (date(2026, 10, 1), date(2027, 1, 1)); None if malformed."""
    quarter = Quarter.parse(label)
    return (quarter.start, quarter.end) if quarter else None


def quarter_label(day):
    return Quarter.containing(day).param


def board(user, filters=None):
    """The board as ``user`` reads it: each row's ``review_visible`` says whether
    they may see the review it refers to (show its title and link only then)."""
    filters = filters or {}
    queryset = (
        Recognition.objects.visible()
        # The page's rows with their people and team; the reviews they cite in a query of
        # their own, for the 20 rows shown (a six-table join cost more to plan than to run).
        .select_related("author", "team", "person")
        .prefetch_related(
            Prefetch("review", queryset=Review.objects.select_related("incident")),
            Prefetch("seconds", queryset=Second.objects.select_related("user")),
        )
        .annotate(review_visible=policy.review_visible(user))
        .order_by("-created_at", "-pk")
    )
    if filters.get("team"):
        queryset = queryset.filter(team__slug=filters["team"])
    if filters.get("category"):
        queryset = queryset.filter(category=filters["category"])
    bounds = quarter_bounds(filters.get("quarter"))
    if bounds:
        queryset = queryset.filter(created_at__date__gte=bounds[0], created_at__date__lt=bounds[1])
    return queryset


def top_teams(quarter, limit=8):
    """Per team, recognitions in the quarter by category, most recognised first (one query)."""
    bounds = quarter_bounds(quarter)
    rows = (
        Recognition.objects.visible()
        .filter(team__isnull=False, created_at__date__gte=bounds[0], created_at__date__lt=bounds[1])
        .values("team__name", "team__slug", "category")
        .annotate(n=Count("pk"))
    )
    teams = {}
    for row in rows:
        team = teams.setdefault(
            row["team__slug"], {"name": row["team__name"], "slug": row["team__slug"], "total": 0, "by": {}}
        )
        team["by"][row["category"]] = row["n"]
        team["total"] += row["n"]
    ranked = sorted(teams.values(), key=lambda t: (-t["total"], t["name"]))[:limit]
    for team in ranked:
        team["segments"] = [(c.value, c.label, team["by"].get(c.value, 0)) for c in Category if team["by"].get(c.value)]
    return ranked


def chart(ranked, width=640, bar=26, gap=10, label_width=190):
    """Geometry for a horizontal stacked bar chart drawn as SVG in the template."""
    if not ranked:
        return None
    top = max(team["total"] for team in ranked)
    scale = (width - label_width - 40) / top
    rows = []
    for index, team in enumerate(ranked):
        y = index * (bar + gap)
        x = label_width
        segments = []
        for value, label, n in team["segments"]:
            segments.append({"x": x, "w": max(n * scale, 2), "category": value, "label": label, "n": n})
            x += n * scale
        rows.append({"team": team, "y": y, "text_y": y + bar * 0.68, "segments": segments, "end": x + 6})
    return {"width": width, "height": len(ranked) * (bar + gap), "bar": bar, "rows": rows, "label_width": label_width}


def team_section(request, team):
    """What a team's page shows of recognition: the latest 50 it received, as the reader may see them."""
    return {"recognitions": board(request.user, {"team": team.slug})[:50]}
