"""Sign-in, the home page and /healthz."""

import pytest

from canvas.models import Venture, create_venture
from tests.conftest import PASSWORD, big_document


def test_healthz_answers_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.splitlines()[0] == b"ok"


def test_anonymous_is_sent_to_the_login_page(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_has_labelled_fields(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">' in page and '<label for="id_password">' in page


def test_founder_signs_in_and_sees_her_venture_with_role_and_score(client, alice, venture):
    response = client.post(
        "/accounts/login/", {"username": alice.username, "password": PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert venture.name in page
    assert "you are founder" in page
    assert f">{venture.canvas.score}<" in page


def test_staff_see_their_cohort_on_the_home_page(carol_client, cohort):
    page = carol_client.get("/").content.decode()
    assert cohort.name in page and f"/cohorts/{cohort.slug}/" in page


def test_outsider_sees_an_empty_state(mallory_client, venture):
    page = mallory_client.get("/").content.decode()
    assert venture.name not in page
    assert "not a founder or advisor" in page


@pytest.mark.parametrize("extra", [0, 10])
def test_home_runs_a_constant_number_of_queries(
    alice, alice_client, django_assert_num_queries, extra
):
    from canvas.models import Membership

    for i in range(extra):
        v = create_venture(f"extra-{i}", big_document(5))
        Membership.objects.create(venture=v, user=alice, role="founder")
    assert Venture.objects.count() == 1 + extra
    # session + user, ventures, cohorts
    with django_assert_num_queries(4):
        assert alice_client.get("/").status_code == 200
