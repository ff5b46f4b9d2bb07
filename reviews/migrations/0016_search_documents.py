"""One full-text search document per review on PostgreSQL (``reviews_review.search_document``).

The review search (``?q=``) matched every word as a substring in five columns across
three tables; a broad term (one incident in ten) scanned and sorted every match. The
document holds the incident's title, customer and summary, the review's narrative and
its findings, as a ``tsvector`` with a GIN index. Triggers keep it current on every
write, whichever code path makes it (the services, the integrations, a bulk load):

- a review's own row computes it before insert and when its narrative changes;
- an incident whose title, customer or summary changes recomputes its review's;
- a finding added, reworded or removed recomputes its review's.

Lock order stays as everywhere in Baton (the incident, then its review, then its
findings): an incident's trigger updates its review; a finding's trigger updates the
review its service has already locked. The column is unknown to Django's models (it is
read only by ``reviews.search``), so SQLite and other databases keep the substring search.
"""

from django.db import migrations

CONFIG = "english"

FORWARD = f"""
ALTER TABLE reviews_review ADD COLUMN IF NOT EXISTS search_document tsvector;

CREATE OR REPLACE FUNCTION reviews_search_document(review_id bigint, narrative text, incident_id bigint)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('{CONFIG}', coalesce(i.title, '')), 'A')
        || setweight(to_tsvector('{CONFIG}', coalesce(i.customer, '')), 'A')
        || setweight(to_tsvector('{CONFIG}', coalesce(i.summary, '')), 'B')
        || setweight(to_tsvector('{CONFIG}', coalesce(narrative, '')), 'C')
        || setweight(to_tsvector('{CONFIG}', coalesce(
               (SELECT string_agg(f.text, ' ') FROM reviews_finding f WHERE f.review_id = $1), '')), 'C')
    FROM reviews_incident i WHERE i.id = $3
$$;

CREATE OR REPLACE FUNCTION reviews_review_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := reviews_search_document(NEW.id, NEW.narrative, NEW.incident_id);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION reviews_incident_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reviews_review r SET search_document = reviews_search_document(r.id, r.narrative, r.incident_id)
    WHERE r.incident_id = NEW.id;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS reviews_review_search_insert ON reviews_review;
CREATE TRIGGER reviews_review_search_insert BEFORE INSERT ON reviews_review
    FOR EACH ROW EXECUTE FUNCTION reviews_review_search_row();
DROP TRIGGER IF EXISTS reviews_review_search_update ON reviews_review;
CREATE TRIGGER reviews_review_search_update BEFORE UPDATE OF narrative, incident_id ON reviews_review
    FOR EACH ROW WHEN (OLD.narrative IS DISTINCT FROM NEW.narrative OR OLD.incident_id IS DISTINCT FROM NEW.incident_id)
    EXECUTE FUNCTION reviews_review_search_row();
DROP TRIGGER IF EXISTS reviews_incident_search_update ON reviews_incident;
CREATE TRIGGER reviews_incident_search_update AFTER UPDATE OF title, customer, summary ON reviews_incident
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.customer IS DISTINCT FROM NEW.customer
                       OR OLD.summary IS DISTINCT FROM NEW.summary)
    EXECUTE FUNCTION reviews_incident_search();
"""

# Statement-level triggers with transition tables: one update per review however many
# findings a statement touches (PostgreSQL allows one event per trigger with them).
FINDING_TRIGGERS = {
    "insert": "AFTER INSERT ON reviews_finding REFERENCING NEW TABLE AS new_rows",
    "update": "AFTER UPDATE ON reviews_finding REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "AFTER DELETE ON reviews_finding REFERENCING OLD TABLE AS old_rows",
}

BACKFILL = """
UPDATE reviews_review r SET search_document = reviews_search_document(r.id, r.narrative, r.incident_id);
CREATE INDEX IF NOT EXISTS reviews_review_search_gin ON reviews_review USING gin (search_document);
"""

BACKWARD = """
DROP TRIGGER IF EXISTS reviews_review_search_insert ON reviews_review;
DROP TRIGGER IF EXISTS reviews_review_search_update ON reviews_review;
DROP TRIGGER IF EXISTS reviews_incident_search_update ON reviews_incident;
DROP TRIGGER IF EXISTS reviews_finding_search_insert ON reviews_finding;
DROP TRIGGER IF EXISTS reviews_finding_search_update ON reviews_finding;
DROP TRIGGER IF EXISTS reviews_finding_search_delete ON reviews_finding;
DROP FUNCTION IF EXISTS reviews_incident_search();
DROP FUNCTION IF EXISTS reviews_review_search_row();
DROP FUNCTION IF EXISTS reviews_search_document(bigint, text, bigint);
DROP INDEX IF EXISTS reviews_review_search_gin;
ALTER TABLE reviews_review DROP COLUMN IF EXISTS search_document;
"""


def finding_function(event):
    """The finding trigger's function for one event: transition tables exist only for their event."""
    new = "SELECT review_id FROM new_rows" if event != "delete" else None
    old = "SELECT review_id FROM old_rows" if event != "insert" else None
    rows = " UNION ".join(part for part in (new, old) if part)
    return f"""
CREATE OR REPLACE FUNCTION reviews_finding_search_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reviews_review r SET search_document = reviews_search_document(r.id, r.narrative, r.incident_id)
    WHERE r.id IN ({rows});
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS reviews_finding_search_{event} ON reviews_finding;
CREATE TRIGGER reviews_finding_search_{event} {FINDING_TRIGGERS[event]}
    FOR EACH STATEMENT EXECUTE FUNCTION reviews_finding_search_{event}();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FORWARD)
    for event in FINDING_TRIGGERS:
        schema_editor.execute(finding_function(event))
    schema_editor.execute(BACKFILL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BACKWARD)
    for event in FINDING_TRIGGERS:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS reviews_finding_search_{event}()")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0015_finding_version")]
    operations = [migrations.RunPython(forward, backward)]
