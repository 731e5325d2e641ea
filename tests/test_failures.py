"""Failures a person can see: a database that is locked or read-only answers 503 with
``Retry-After`` and a message saying nothing was saved, never a bare 500."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, InternalError, OperationalError, connection

from canvas.middleware import is_transient_database_error
from tests.conftest import client_for

FINANCES = "/ventures/sepsis-dx/canvas/finances/"


class _PgError(Exception):
    """Stands in for a psycopg error: Django keeps it as the __cause__ of its own."""

    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _django_error(kind: type[DatabaseError], message: str = "", sqlstate: str = ""):
    error = kind(message or sqlstate)
    if sqlstate:
        error.__cause__ = _PgError(sqlstate)
    return error


LOCKED = [
    _django_error(OperationalError, "database is locked"),
    _django_error(OperationalError, "attempt to write a readonly database"),
    _django_error(InternalError, sqlstate="25006"),  # read-only transaction (PostgreSQL)
    _django_error(OperationalError, sqlstate="55P03"),  # lock not available
    _django_error(OperationalError, sqlstate="57P01"),  # admin shutdown
]


@pytest.mark.parametrize("error", LOCKED, ids=str)
def test_locked_read_only_or_unreachable_databases_are_transient(error):
    assert is_transient_database_error(error)


@pytest.mark.parametrize(
    "error",
    [
        _django_error(OperationalError, "no such table: canvas_venture"),
        _django_error(IntegrityError, sqlstate="23505"),
        ValueError("database is locked"),
    ],
    ids=str,
)
def test_programming_and_data_errors_are_not(error):
    assert not is_transient_database_error(error)


def refuse_writes(error):
    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            raise error
        return execute(sql, params, many, context)

    return wrapper


FORM = {"version": "1", "cash_on_hand": "100", "monthly_burn": "10", "currency": "USD"}


@pytest.mark.parametrize("error", LOCKED[:3], ids=str)
def test_an_htmx_save_on_a_locked_database_answers_503_with_the_message(alice, venture, error):
    client = client_for(alice)
    with connection.execute_wrapper(refuse_writes(error)):
        response = client.post(FINANCES, FORM, headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "Not saved: the database is busy or read-only for a moment. "
        "Your text is still in the form; try again in a few seconds."
    )


def test_a_form_post_on_a_locked_database_answers_the_503_page(alice, venture):
    client = client_for(alice)
    with connection.execute_wrapper(refuse_writes(LOCKED[0])):
        response = client.post(FINANCES, FORM)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "<title>Busy for a moment · Operations Canvas</title>" in page
    assert "Nothing was saved" in page
