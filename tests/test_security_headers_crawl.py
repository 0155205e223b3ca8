"""Every page a demo person reaches carries the security headers (issue 15, deliverable 4): the
Content-Security-Policy with its directives, ``no-store`` (an authenticated page), the Permissions-Policy;
and holds no inline script, style or handler that the policy would block."""

import re

import pytest
from django.core.management import call_command

from qms.models import User
from tests.crawling import crawl
from tests.qms.test_security_headers import BROWSER_FEATURES_OFF, EXPECTED_DIRECTIVES, directives

PAGES_PER_PERSON = 150
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"=\s*[\"']\s*javascript:", re.I),
}


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0)


def problems(path, response) -> list[str]:
    found = []
    policy = directives(response) if "Content-Security-Policy" in response else {}
    for name, value in EXPECTED_DIRECTIVES.items():
        if policy.get(name) != value:
            found.append(f"{path}: {name} is {policy.get(name)!r}")
    if response.get("Cache-Control") != "no-store" or response.get("Pragma") != "no-cache":
        found.append(f"{path}: Cache-Control {response.get('Cache-Control')!r}")
    if not all(feature in response.get("Permissions-Policy", "") for feature in BROWSER_FEATURES_OFF):
        found.append(f"{path}: Permissions-Policy {response.get('Permissions-Policy')!r}")
    if "text/html" in response.get("Content-Type", ""):
        content = response.content.decode()
        for what, pattern in INLINE.items():
            match = pattern.search(content)
            if match:
                found.append(f"{path}: {what} {match.group(0)[:80]!r}")
    return found


def test_every_page_a_demo_person_reaches_carries_the_security_headers_and_no_inline_code(demo, client):
    failures, pages = [], 0
    for username in ("kwaliteit", "beheerder"):
        client.force_login(User.objects.get(username=username))
        for path, response in crawl(client, limit=PAGES_PER_PERSON):
            if response.status_code == 200:
                pages += 1
                failures += problems(path, response)
    assert pages > 50
    assert failures == [], "\n".join(failures[:40])
