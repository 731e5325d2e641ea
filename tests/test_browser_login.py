"""A person signs in with a real browser and sees their ventures."""

import pytest

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_founder_signs_in_and_sees_her_venture(browser_page, alice, venture):
    login(browser_page, alice)
    assert browser_page.get_by_role("link", name=venture.name).is_visible()
    assert browser_page.get_by_role("heading", name="Your ventures").is_visible()
