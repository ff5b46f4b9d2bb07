"""Pages of long lists whose count costs the same at 1,000 matches as at 100,000.

A page needs to know how many rows there are; counting them exactly means visiting
every match. ``CappedPaginator`` counts exactly up to ``LIST_COUNT_CAP`` rows; beyond,
PostgreSQL's planner estimates the total from its statistics (within a few per cent for
the review search) and the page says "about 9,800". Other databases count exactly:
SQLite is the zero-setup default, with small data."""

import json
import math

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# From this row on, a page first finds its rows' ids alone and then reads those rows: an
# OFFSET over the full query computes every skipped row's columns and subqueries too.
DEEP_OFFSET = 100
# A page number beyond this is no page (an OFFSET past PostgreSQL's bigint is an error).
MAX_PAGE = 10**9


class CappedPaginator(Paginator):
    """Counts exactly up to ``LIST_COUNT_CAP``; beyond, an estimate that never hides a row:
    a page then reads one row more than it shows, and offers the next page when that row
    exists, however far the estimate falls short."""

    estimated = False

    def get_page(self, number):
        """As Django's, but a page past an estimate is looked for before falling back."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            try:
                return self.page(self.num_pages)
            except EmptyPage:
                return self.page(1)

    def page(self, number):
        try:
            number = self.validate_number(number)
        except EmptyPage:
            if not self.estimated or not 1 <= int(number) <= MAX_PAGE:
                raise
            number = int(number)  # past the estimate: the rows tell whether the page exists
        bottom = (number - 1) * self.per_page
        if not self.estimated:
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            return self._get_page(self._rows(bottom, top), number, self)
        rows = self._rows(bottom, bottom + self.per_page + 1)
        more = len(rows) > self.per_page
        if not rows and number > 1:
            # The estimate went past the end: count exactly, so that "last page" is the last.
            self.exact()
            raise EmptyPage("That page contains no results")
        known = bottom + len(rows)
        if known > self.count:  # the estimate fell short: count what is known to exist
            self.count = known
            self.__dict__.pop("num_pages", None)
        page = self._get_page(rows[: self.per_page], number, self)
        page.has_next = lambda: more
        page.next_page_number = lambda: number + 1
        return page

    def exact(self):
        """Count exactly from now on (the last page, asked for by name, or an estimate too high)."""
        if self.estimated:
            self.count = self.object_list.count()
            self.estimated = False
            self.__dict__.pop("num_pages", None)

    def _rows(self, bottom, top):
        rows = self.object_list
        if bottom < DEEP_OFFSET or not hasattr(rows, "query") or rows.query.distinct or not rows.ordered:
            return list(rows[bottom:top])
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        return list(rows.filter(pk__in=ids))

    @cached_property
    def count(self):
        rows = self.object_list
        cap = settings.LIST_COUNT_CAP
        if not hasattr(rows, "query") or connections[rows.db].vendor != "postgresql":
            return super().count
        exact = rows.order_by()[: cap + 1].count()  # no ordering: counting needs none
        if exact <= cap:
            return exact
        self.estimated = True
        return max(cap + 1, planner_estimate(rows))

    @property
    def count_label(self):
        """The count as a page says it: exact, or "about 9,800" (two significant figures)."""
        if not self.estimated:
            return f"{self.count:,}"
        digits = max(0, int(math.log10(self.count)) - 1)
        return f"about {round(self.count, -digits):,}"


def planner_estimate(queryset):
    """PostgreSQL's estimate of the rows a queryset returns (no ordering, no joins it does not need)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class CappedPageNumberPagination(PageNumberPagination):
    """The API's page numbers: ``count`` is exact up to ``LIST_COUNT_CAP``, beyond that
    PostgreSQL's estimate, and ``count_is_estimate`` says which."""

    django_paginator_class = CappedPaginator

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            paginator.exact()  # "last" is the true last page, not the estimate's
        return super().get_page_number(request, paginator)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_estimate": self.page.paginator.estimated,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        estimate = {
            "type": "boolean",
            "description": f"true when `count` is an estimate (more than {settings.LIST_COUNT_CAP:,} rows).",
        }
        response["properties"] = {"count": properties.pop("count"), "count_is_estimate": estimate, **properties}
        response["required"] = [*response.get("required", []), "count_is_estimate"]
        return response
