"""Trigram indexes for the review search (``?q=``) on PostgreSQL.

``icontains`` becomes ``UPPER(column) LIKE '%…%'``, which a B-tree cannot serve;
pg_trgm's GIN indexes on UPPER(column) can. pg_trgm is a trusted extension (PostgreSQL 13+), so the database
owner may create it; where it cannot be created the search still works, only
by scanning. Other databases are left as they are.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

# Django's icontains is UPPER(column) LIKE UPPER(pattern) on PostgreSQL, so the indexes are
# on UPPER(...) (varchar columns are cast to text, as Django's SQL does).
INDEXES = {
    "reviews_incident_search_trgm": "reviews_incident USING gin (upper(title::text) gin_trgm_ops, "
    "upper(summary) gin_trgm_ops, upper(customer::text) gin_trgm_ops)",
    "reviews_review_narrative_trgm": "reviews_review USING gin (upper(narrative) gin_trgm_ops)",
    "reviews_finding_text_trgm": "reviews_finding USING gin (upper(text) gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001 - a missing extension only makes search slower
        logger.warning("pg_trgm is not available (%s): the review search will scan instead of using indexes.", error)
        return
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0007_list_indexes")]
    operations = [migrations.RunPython(create, drop)]
