"""Every page a demo person can reach by following links renders: the demo data, through every app's
pages, as each role sees it. A broken template, a missing context value or an unscoped lookup shows up
here as an exception, whatever page it hides on."""

import re
from collections import deque

import pytest
from django.core.management import call_command

from qms.models import User

# Links that change something on GET (none should), leave the site, or are files rather than pages.
SKIP = re.compile(r"^/(logout|language|static|media|api|\.well-known)/|[?&]export=|\.(csv|xlsx)$|/template\.csv")
HREF = re.compile(r'href="(/[^"#]*)"')
PAGES_PER_PERSON = 80


def crawl(client, start="/"):
    seen, queue, visited = {start}, deque([start]), []
    while queue and len(visited) < PAGES_PER_PERSON:
        path = queue.popleft()
        response = client.get(path)
        visited.append((path, response.status_code))
        assert response.status_code in (200, 302, 403, 404), (path, response.status_code)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in HREF.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if link not in seen and not SKIP.search(link):
                seen.add(link)
                queue.append(link)
    return visited


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0)


def test_every_page_a_demo_person_reaches_renders_and_an_outsider_reaches_no_record(demo, client):
    # One test for all of them: seeding the demo takes seconds, crawling as one more person less.
    for username in ("kwaliteit", "bestuur", "groep", "risico", "teamleider", "lezer", "toetser", "beheerder"):
        client.force_login(User.objects.get(username=username))
        visited = crawl(client)
        assert len([path for path, status in visited if status == 200]) > 10, username
    outsider = User.objects.get(username="buitenstaander")
    client.force_login(outsider)
    record = re.compile(r"/\d+/")
    own = f"/people/{outsider.pk}/"  # everyone sees their own person page
    reached = [path for path, status in crawl(client) if status == 200 and record.search(path)]
    assert [path for path in reached if not path.startswith(own)] == []
