"""PostgreSQL: the search table follows claims by triggers rather than a foreign key.

A foreign key from ``claims_claim_search`` to ``claims_claim`` stops Django from
truncating the claims table (``flush``, test teardown), since Django does not know
the search table. Deletes and truncations of claims are mirrored by triggers instead.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE claims_claim_search DROP CONSTRAINT IF EXISTS "
    "claims_claim_search_claim_id_fkey",
    """
    CREATE FUNCTION claims_claim_search_forget() RETURNS trigger AS $$
    BEGIN
        DELETE FROM claims_claim_search WHERE claim_id = OLD.id;
        RETURN OLD;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER claims_claim_search_delete AFTER DELETE ON claims_claim
    FOR EACH ROW EXECUTE FUNCTION claims_claim_search_forget()
    """,
    """
    CREATE FUNCTION claims_claim_search_truncate() RETURNS trigger AS $$
    BEGIN
        TRUNCATE claims_claim_search;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER claims_claim_search_truncated AFTER TRUNCATE ON claims_claim
    FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_search_truncate()
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS claims_claim_search_truncated ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_claim_search_truncate()",
    "DROP TRIGGER IF EXISTS claims_claim_search_delete ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_claim_search_forget()",
    "DELETE FROM claims_claim_search WHERE claim_id NOT IN (SELECT id FROM claims_claim)",
    "ALTER TABLE claims_claim_search ADD CONSTRAINT claims_claim_search_claim_id_fkey "
    "FOREIGN KEY (claim_id) REFERENCES claims_claim (id) ON DELETE CASCADE "
    "DEFERRABLE INITIALLY DEFERRED",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_search")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
