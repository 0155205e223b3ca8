"""Every page a demo person can reach by following links renders: the demo data, through every app's
pages, as each role sees it. A broken template, a missing context value or an unscoped lookup shows up
here as an exception, whatever page it hides on."""

import re

import pytest
from django.core.management import call_command

from qms.models import User
from tests.crawling import crawl

PAGES_PER_PERSON = 150


def statuses(client):
    """(path, status) of every page reached; a redirect counts as the page it ends on."""
    visited = []
    for path, response in crawl(client, limit=PAGES_PER_PERSON):
        final = response.redirect_chain[-1][0] if response.redirect_chain else path
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        visited.append((final, response.status_code))
    return visited


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0)


def test_every_page_a_demo_person_reaches_renders_and_an_outsider_reaches_no_record(demo, client):
    # One test for all of them: seeding the demo takes seconds, crawling as one more person less.
    for username in ("kwaliteit", "bestuur", "groep", "risico", "teamleider", "lezer", "toetser", "beheerder"):
        client.force_login(User.objects.get(username=username))
        visited = statuses(client)
        assert len([path for path, status in visited if status == 200]) > 10, username
    outsider = User.objects.get(username="buitenstaander")
    client.force_login(outsider)
    record = re.compile(r"/\d+/")
    own = f"/people/{outsider.pk}/"  # everyone sees their own person page
    reached = [path for path, status in statuses(client) if status == 200 and record.search(path)]
    assert [path for path in reached if not path.startswith(own)] == []
