"""Full-text search indexes for claims, kept in step by triggers.

PostgreSQL: ``claims_claim_search`` holds one ``tsvector`` per claim (statement and
quote weighted A, the source's name and aliases B) with a GIN index. SQLite: the FTS5
table ``claims_claim_fts`` with the same three columns. Triggers on claims and
sources rewrite a claim's entry whenever its text or its source's names change, so
bulk inserts and queryset updates are indexed as well as saves.
"""

from django.db import migrations

POSTGRES = [
    """
    CREATE TABLE claims_claim_search (
        claim_id bigint PRIMARY KEY REFERENCES claims_claim (id) ON DELETE CASCADE
            DEFERRABLE INITIALLY DEFERRED,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX claims_claim_search_document ON claims_claim_search USING gin (document)",
    """
    CREATE FUNCTION claims_search_document(claim claims_claim) RETURNS tsvector AS $$
        SELECT setweight(to_tsvector('english', claim.statement || ' ' || claim.quote), 'A')
            || setweight(to_tsvector('english', coalesce(
                (SELECT s.name || ' ' || s.aliases::text FROM claims_source s
                 WHERE s.id = claim.source_id), '')), 'B')
    $$ LANGUAGE sql STABLE
    """,
    """
    CREATE FUNCTION claims_claim_search_sync() RETURNS trigger AS $$
    BEGIN
        INSERT INTO claims_claim_search (claim_id, document)
        VALUES (NEW.id, claims_search_document(NEW))
        ON CONFLICT (claim_id) DO UPDATE SET document = EXCLUDED.document;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER claims_claim_search_insert AFTER INSERT ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claims_claim_search_sync()
    """,
    """
    CREATE TRIGGER claims_claim_search_update
    AFTER UPDATE OF statement, quote, source_id ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claims_claim_search_sync()
    """,
    """
    CREATE FUNCTION claims_source_search_sync() RETURNS trigger AS $$
    BEGIN
        UPDATE claims_claim_search cs SET document = claims_search_document(c)
        FROM claims_claim c WHERE c.source_id = NEW.id AND cs.claim_id = c.id;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER claims_source_search_update AFTER UPDATE OF name, aliases
    ON claims_source FOR EACH ROW EXECUTE FUNCTION claims_source_search_sync()
    """,
    """
    INSERT INTO claims_claim_search (claim_id, document)
    SELECT c.id, claims_search_document(c) FROM claims_claim c
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS claims_source_search_update ON claims_source",
    "DROP FUNCTION IF EXISTS claims_source_search_sync()",
    "DROP TRIGGER IF EXISTS claims_claim_search_update ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_claim_search_insert ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_claim_search_sync()",
    "DROP FUNCTION IF EXISTS claims_search_document(claims_claim)",
    "DROP TABLE IF EXISTS claims_claim_search",
]

SQLITE_SOURCE_TEXT = (
    "(SELECT s.name || ' ' || s.aliases FROM claims_source s WHERE s.id = {}.source_id)"
)
SQLITE = [
    """
    CREATE VIRTUAL TABLE claims_claim_fts USING fts5(
        statement, quote, source, tokenize = 'porter unicode61'
    )
    """,
    f"""
    CREATE TRIGGER claims_claim_fts_insert AFTER INSERT ON claims_claim BEGIN
        INSERT INTO claims_claim_fts (rowid, statement, quote, source)
        VALUES (new.id, new.statement, new.quote, {SQLITE_SOURCE_TEXT.format("new")});
    END
    """,
    f"""
    CREATE TRIGGER claims_claim_fts_update
    AFTER UPDATE OF statement, quote, source_id ON claims_claim BEGIN
        DELETE FROM claims_claim_fts WHERE rowid = old.id;
        INSERT INTO claims_claim_fts (rowid, statement, quote, source)
        VALUES (new.id, new.statement, new.quote, {SQLITE_SOURCE_TEXT.format("new")});
    END
    """,
    """
    CREATE TRIGGER claims_claim_fts_delete AFTER DELETE ON claims_claim BEGIN
        DELETE FROM claims_claim_fts WHERE rowid = old.id;
    END
    """,
    """
    CREATE TRIGGER claims_source_fts_update AFTER UPDATE OF name, aliases
    ON claims_source BEGIN
        UPDATE claims_claim_fts SET source = new.name || ' ' || new.aliases
        WHERE rowid IN (SELECT id FROM claims_claim WHERE source_id = new.id);
    END
    """,
    f"""
    INSERT INTO claims_claim_fts (rowid, statement, quote, source)
    SELECT c.id, c.statement, c.quote, {SQLITE_SOURCE_TEXT.format("c")}
    FROM claims_claim c
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS claims_source_fts_update",
    "DROP TRIGGER IF EXISTS claims_claim_fts_delete",
    "DROP TRIGGER IF EXISTS claims_claim_fts_update",
    "DROP TRIGGER IF EXISTS claims_claim_fts_insert",
    "DROP TABLE IF EXISTS claims_claim_fts",
]


def run(statements: dict):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_version")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
