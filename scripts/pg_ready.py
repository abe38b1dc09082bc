"""Exit 0 when a PostgreSQL server answers at the given URL, 1 otherwise.

Connects to the server's ``postgres`` database, since the URL's own database may not
exist yet: the test run creates its own throwaway database.
"""

import sys

import dj_database_url
import psycopg


def main(url: str) -> int:
    config = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ):
            return 0
    except psycopg.Error as error:
        print(f"PostgreSQL does not answer: {error}".strip(), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
