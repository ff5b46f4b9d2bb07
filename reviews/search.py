"""The review search (``?q=`` on the review list and ``/api/reviews/``).

On PostgreSQL each review has one search document (migrations 0016 and 0017: the
incident's title, customer and summary, the narrative and the findings, as a GIN-indexed
``tsvector`` of the words as written, that triggers keep current). Every word typed must
start a word of the document, in any order: ``cert`` finds "certificate" and
"Certificates", ``out`` "outage", ``glob`` the customer "Globex Corporation", ``INC-20``
the title "INC-2041"; a fragment from the middle of a word ("lobex") does not. A
number alone also finds the review of that number, as in its address.

Other databases (SQLite, the zero-setup default) look for every word typed as a
substring of any of those texts.
"""

import re

from django.db import connections
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from reviews.models import Finding, Incident, Review

# Letters and digits only: what reaches to_tsquery is never its own syntax.
WORD = re.compile(r"[^\W_]+")
# A search of more words than this keeps the first ones (to_tsquery's cost grows with each).
MAX_WORDS = 12


def reviews_matching(queryset, value):
    value = value.replace("\x00", "").strip()
    if not value:
        return queryset
    # A number alone may be a review's, as in its address.
    number = int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None
    if connections[queryset.db].vendor == "postgresql":
        return queryset.filter(_full_text(value, number))
    matches = _substrings(value)
    return queryset.filter(matches | Q(pk=number) if number is not None else matches)


def _full_text(value, number):
    """The reviews whose document has every word's beginning: a condition on the review's own
    row, so the planner may walk the list in its order and stop at the page's end (a broad
    term), or start from the GIN index (a rare one)."""
    words = WORD.findall(value.lower())[:MAX_WORDS]
    if not words:
        return Q(pk=number) if number is not None else Q(pk__in=[])
    query = " & ".join(f"{word}:*" for word in words)
    document = RawSQL(
        '"reviews_review"."search_document" @@ to_tsquery(\'simple\', %s)', [query], output_field=BooleanField()
    )
    return Q(document) | Q(pk=number) if number is not None else Q(document)


def _substrings(value):
    """Every word somewhere in the review, as a substring; one subquery per table and word
    (an OR across joined tables would scan every review)."""
    matches = Q()
    for word in value.split()[:MAX_WORDS]:
        incidents = Incident.objects.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(customer__icontains=word)
        ).values("pk")
        narratives = Review.objects.filter(narrative__icontains=word).values("pk")
        findings = Finding.objects.filter(text__icontains=word).values("review_id")
        matches &= Q(incident_id__in=incidents) | Q(pk__in=narratives) | Q(pk__in=findings)
    return matches
