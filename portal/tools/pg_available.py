"""Exit 0 when PostgreSQL answers at 127.0.0.1:5432 (`make test`); --create NAME makes databases."""

import sys

import psycopg


def main(argv: list[str]) -> int:
    try:
        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3",
            autocommit=True,
        ) as conn:
            if len(argv) == 2 and argv[0] == "--create":
                name = argv[1]
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
                ).fetchone()
                if exists:
                    conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
                for worker in ("gw0", "gw1", "gw2", "gw3"):
                    wname = f"{name}_{worker}"
                    conn.execute(f'DROP DATABASE IF EXISTS "{wname}" WITH (FORCE)')
                    conn.execute(f'CREATE DATABASE "{wname}"')
    except psycopg.OperationalError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
