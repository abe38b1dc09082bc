"""The search index is rewritten only when what it holds changes.

``AFTER UPDATE OF name, aliases`` fires whenever an UPDATE names those columns,
changed or not, and a save names every column: each edit of a source (its
description, its reliability) rewrote the search entry of every claim of it, a
cost growing with the corpus (6 ms a source edit on 100,000 claims on PostgreSQL),
and each save of a claim (a review's new grade) rewrote its own. The triggers now
compare the old row with the new (``WHEN``) and fire only when a claim's statement,
quote or source, or a source's name or aliases, differ.

A later migration that remakes ``claims_claim`` or ``claims_source`` on SQLite puts
back these triggers, not those of 0003.
"""

import importlib

from django.db import migrations

_search = importlib.import_module("claims.migrations.0003_search")

CLAIM_CHANGED = (
    "OLD.statement IS DISTINCT FROM NEW.statement "
    "OR OLD.quote IS DISTINCT FROM NEW.quote "
    "OR OLD.source_id IS DISTINCT FROM NEW.source_id"
)
SOURCE_CHANGED = (
    "OLD.name IS DISTINCT FROM NEW.name OR OLD.aliases IS DISTINCT FROM NEW.aliases"
)

POSTGRES = [
    "DROP TRIGGER claims_claim_search_update ON claims_claim",
    f"""
    CREATE TRIGGER claims_claim_search_update
    AFTER UPDATE OF statement, quote, source_id ON claims_claim
    FOR EACH ROW WHEN ({CLAIM_CHANGED})
    EXECUTE FUNCTION claims_claim_search_sync()
    """,
    "DROP TRIGGER claims_source_search_update ON claims_source",
    f"""
    CREATE TRIGGER claims_source_search_update AFTER UPDATE OF name, aliases
    ON claims_source FOR EACH ROW WHEN ({SOURCE_CHANGED})
    EXECUTE FUNCTION claims_source_search_sync()
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER claims_claim_search_update ON claims_claim",
    _search.POSTGRES[5],
    "DROP TRIGGER claims_source_search_update ON claims_source",
    _search.POSTGRES[7],
]

SOURCE_TEXT = _search.SQLITE_SOURCE_TEXT
SQLITE_CLAIM_CHANGED = CLAIM_CHANGED.replace("IS DISTINCT FROM", "IS NOT")
SQLITE_SOURCE_CHANGED = SOURCE_CHANGED.replace("IS DISTINCT FROM", "IS NOT")
SQLITE = [
    "DROP TRIGGER claims_claim_fts_update",
    f"""
    CREATE TRIGGER claims_claim_fts_update
    AFTER UPDATE OF statement, quote, source_id ON claims_claim
    WHEN {SQLITE_CLAIM_CHANGED} BEGIN
        DELETE FROM claims_claim_fts WHERE rowid = old.id;
        INSERT INTO claims_claim_fts (rowid, statement, quote, source)
        VALUES (new.id, new.statement, new.quote, {SOURCE_TEXT.format("new")});
    END
    """,
    "DROP TRIGGER claims_source_fts_update",
    f"""
    CREATE TRIGGER claims_source_fts_update AFTER UPDATE OF name, aliases
    ON claims_source WHEN {SQLITE_SOURCE_CHANGED} BEGIN
        UPDATE claims_claim_fts SET source = new.name || ' ' || new.aliases
        WHERE rowid IN (SELECT id FROM claims_claim WHERE source_id = new.id);
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER claims_claim_fts_update",
    _search.SQLITE[2],
    "DROP TRIGGER claims_source_fts_update",
    _search.SQLITE[4],
]


class Migration(migrations.Migration):
    dependencies = [("claims", "0011_claim_kind_order")]

    operations = [
        migrations.RunPython(
            _search.run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _search.run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
