"""Search documents without stemming or stop words, and bounded in size.

With the ``english`` configuration a prefix was stemmed before it was matched ("connectio"
stayed "connectio" and missed "connect…"), and prefixes that are stop words were dropped
("out" for "outage", "can" for "canary"). The ``simple`` configuration keeps every word as
written, lower-cased: a typed prefix matches the words that start with it, as the substring
search on other databases does. Each text is cut at 200,000 characters so that a document
stays within PostgreSQL's 1 MB limit for a ``tsvector`` (findings full of pasted logs).
"""

from django.db import migrations

SIMPLE = """
CREATE OR REPLACE FUNCTION reviews_search_document(review_id bigint, narrative text, incident_id bigint)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('simple', coalesce(i.title, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(i.customer, '')), 'A')
        || setweight(to_tsvector('simple', left(coalesce(i.summary, ''), 200000)), 'B')
        || setweight(to_tsvector('simple', left(coalesce(narrative, ''), 200000)), 'C')
        || setweight(to_tsvector('simple', left(coalesce(
               (SELECT string_agg(f.text, ' ') FROM reviews_finding f WHERE f.review_id = $1), ''), 200000)), 'C')
    FROM reviews_incident i WHERE i.id = $3
$$;
UPDATE reviews_review r SET search_document = reviews_search_document(r.id, r.narrative, r.incident_id);
"""

ENGLISH = """
CREATE OR REPLACE FUNCTION reviews_search_document(review_id bigint, narrative text, incident_id bigint)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english', coalesce(i.title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(i.customer, '')), 'A')
        || setweight(to_tsvector('english', coalesce(i.summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(narrative, '')), 'C')
        || setweight(to_tsvector('english', coalesce(
               (SELECT string_agg(f.text, ' ') FROM reviews_finding f WHERE f.review_id = $1), '')), 'C')
    FROM reviews_incident i WHERE i.id = $3
$$;
UPDATE reviews_review r SET search_document = reviews_search_document(r.id, r.narrative, r.incident_id);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SIMPLE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ENGLISH)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0016_search_documents")]
    operations = [migrations.RunPython(forward, backward)]
