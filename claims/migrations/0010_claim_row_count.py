"""The number of claims, kept by the database in ``claims_row_count``.

The table holds one row per counted table (``table_name``, ``row_count``); the
claims table's row is kept exact by triggers on every insert and delete, whatever
writes it (a save, ``bulk_create``, a queryset's delete, raw SQL, an import), and
goes back with the writes when a transaction is rolled back. The unfiltered claim
list reads its count there: one row by its key, where ``COUNT(*)`` reads the table.

PostgreSQL: statement-level triggers with transition tables note the number of
rows a statement inserted (or deleted), so a bulk insert is one note, not one a
row. The notes add up in a transaction-local setting (``PENDING``, which a rolled
back savepoint undoes too), and the first one queues a deferred trigger (by a row
in ``claims_row_count_pending``) that adds their sum to the count once, at commit
(or at ``SET CONSTRAINTS ALL IMMEDIATE``). The count's row is thus written once a
transaction and locked only while it commits: writers of claims do not wait for
each other's transactions, and a transaction of many one-row inserts does not
pile up versions of the row that each update reads again (updated once a
statement, 20,000 one-row inserts in one transaction took 40 times as long;
generating a 100,000-claim corpus, 100 s rather than 30). A read adds the pending
sum of its own transaction to the stored count. ``TRUNCATE`` (``flush``, the test
database's cleaning) sets both to 0.

SQLite has no statement-level triggers: row triggers add or take away one a row (a
``DELETE`` without ``WHERE`` is not shortened into a truncation where triggers
are). ``INSERT OR REPLACE`` over an existing claim fires no delete trigger (unless
``recursive_triggers`` is on) and would count the replaced row twice; nothing
here writes claims that way.

The table is not a model: ``flush`` and the archive leave it alone, the triggers
keep it. A later migration that rebuilds ``claims_claim`` on SQLite (a table's
remaking drops its triggers) sets ``SQLITE_TRIGGERS`` aside and back as 0005 does
for the search triggers, then runs ``RECOUNT``.
"""

import importlib

from django.db import migrations

#: Its statements are run by vendor as 0003's are.
_search = importlib.import_module("claims.migrations.0003_search")

TABLE = "claims_row_count"

CREATE_TABLE = f"""
CREATE TABLE {TABLE} (
    table_name varchar(100) NOT NULL PRIMARY KEY,
    row_count bigint NOT NULL
)
"""
#: The claims table's count set from its rows (the triggers keep it from then on);
#: on PostgreSQL, with no sum pending in the transaction.
#: ``WHERE true``: SQLite reads ``ON CONFLICT`` after a bare ``FROM`` as a join's.
RECOUNT = f"""
INSERT INTO {TABLE} (table_name, row_count)
SELECT 'claims_claim', COUNT(*) FROM claims_claim WHERE true
ON CONFLICT (table_name) DO UPDATE SET row_count = excluded.row_count
"""

#: The transaction-local setting holding a table's pending sum, by the table's name
#: ('' or unset: none).
PENDING = "claims_row_count."
PENDING_TABLE = "claims_row_count_pending"

POSTGRES = [
    CREATE_TABLE,
    f"CREATE TABLE {PENDING_TABLE} (table_name varchar(100) NOT NULL)",
    # No claim is written between the count and the triggers (the trigger's
    # creation would take this lock too; taken first, it covers the count).
    "LOCK TABLE claims_claim IN SHARE ROW EXCLUSIVE MODE",
    f"""
    CREATE FUNCTION claims_row_count_note(counted text, delta bigint)
    RETURNS void AS $$
    DECLARE
        setting text := '{PENDING}' || counted;
        pending text := current_setting(setting, true);
    BEGIN
        IF delta = 0 THEN
            RETURN;
        END IF;
        IF coalesce(pending, '') = '' THEN
            -- The sum first: with the constraints checked at once (SET
            -- CONSTRAINTS ALL IMMEDIATE), the insert's trigger stores it at once.
            PERFORM set_config(setting, delta::text, true);
            INSERT INTO {PENDING_TABLE} (table_name) VALUES (counted);
        ELSE
            PERFORM set_config(setting, (pending::bigint + delta)::text, true);
        END IF;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION claims_row_count_apply() RETURNS trigger AS $$
    DECLARE
        setting text := '{PENDING}' || NEW.table_name;
        pending text := current_setting(setting, true);
    BEGIN
        IF coalesce(pending, '') <> '' THEN
            UPDATE {TABLE} SET row_count = row_count + pending::bigint
            WHERE table_name = NEW.table_name;
            PERFORM set_config(setting, '', true);
        END IF;
        DELETE FROM {PENDING_TABLE} WHERE ctid = NEW.ctid;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE CONSTRAINT TRIGGER claims_row_count_at_commit AFTER INSERT
    ON {PENDING_TABLE} DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION claims_row_count_apply()
    """,
    """
    CREATE FUNCTION claims_row_count_add() RETURNS trigger AS $$
    BEGIN
        PERFORM claims_row_count_note(TG_TABLE_NAME, (SELECT COUNT(*) FROM inserted));
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION claims_row_count_remove() RETURNS trigger AS $$
    BEGIN
        PERFORM claims_row_count_note(TG_TABLE_NAME, -(SELECT COUNT(*) FROM deleted));
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION claims_row_count_reset() RETURNS trigger AS $$
    DECLARE
        setting text := '{PENDING}' || TG_TABLE_NAME;
    BEGIN
        UPDATE {TABLE} SET row_count = 0 WHERE table_name = TG_TABLE_NAME;
        IF coalesce(current_setting(setting, true), '') <> '' THEN
            PERFORM set_config(setting, '0', true);  -- its queued trigger adds 0
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER claims_claim_count_insert AFTER INSERT ON claims_claim
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION claims_row_count_add()
    """,
    """
    CREATE TRIGGER claims_claim_count_delete AFTER DELETE ON claims_claim
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION claims_row_count_remove()
    """,
    """
    CREATE TRIGGER claims_claim_count_truncate AFTER TRUNCATE ON claims_claim
    FOR EACH STATEMENT EXECUTE FUNCTION claims_row_count_reset()
    """,
    RECOUNT,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS claims_claim_count_truncate ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_claim_count_delete ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_claim_count_insert ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_row_count_reset()",
    "DROP FUNCTION IF EXISTS claims_row_count_remove()",
    "DROP FUNCTION IF EXISTS claims_row_count_add()",
    f"DROP TABLE IF EXISTS {PENDING_TABLE}",
    "DROP FUNCTION IF EXISTS claims_row_count_apply()",
    "DROP FUNCTION IF EXISTS claims_row_count_note(text, bigint)",
    f"DROP TABLE IF EXISTS {TABLE}",
]

SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER claims_claim_count_insert AFTER INSERT ON claims_claim BEGIN
        UPDATE {TABLE} SET row_count = row_count + 1
        WHERE table_name = 'claims_claim';
    END
    """,
    f"""
    CREATE TRIGGER claims_claim_count_delete AFTER DELETE ON claims_claim BEGIN
        UPDATE {TABLE} SET row_count = row_count - 1
        WHERE table_name = 'claims_claim';
    END
    """,
]
SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS claims_claim_count_delete",
    "DROP TRIGGER IF EXISTS claims_claim_count_insert",
]
SQLITE = [CREATE_TABLE, *SQLITE_TRIGGERS, RECOUNT]
SQLITE_REVERSE = [*SQLITE_DROP_TRIGGERS, f"DROP TABLE IF EXISTS {TABLE}"]


class Migration(migrations.Migration):
    dependencies = [("claims", "0009_claim_list_order")]

    operations = [
        migrations.RunPython(
            _search.run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _search.run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
