"""The suite runs on the database the environment names: PostgreSQL when DATABASE_URL is
set (`make test-postgres`), SQLite otherwise, each configured for concurrent writers."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

ON_POSTGRES = bool(os.environ.get("DATABASE_URL"))


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_the_environment_names():
    assert connection.vendor == ("postgresql" if ON_POSTGRES else "sqlite")


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL settings apply only with DATABASE_URL")
@pytest.mark.django_db
def test_postgresql_uses_psycopg_3_with_checked_persistent_connections():
    import psycopg

    assert psycopg.__version__.startswith("3.")
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["CONN_MAX_AGE"] > 0
    assert db["CONN_HEALTH_CHECKS"] is True
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 140000


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite settings apply only without DATABASE_URL")
@pytest.mark.django_db
def test_sqlite_waits_for_locks_and_takes_the_write_lock_when_a_transaction_begins():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
