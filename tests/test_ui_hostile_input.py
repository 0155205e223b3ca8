"""Bad input never breaks a page: every form the demo's quality officer and administrator reach by
following links, filled with wrong values (all fields at once, or one field in an otherwise untouched
form), posted (or, for filter forms, sent as a query) answers without a server error. A form with a
wrong value is re-rendered (200) or refused (4xx); a redirect means the input was taken.

The forms are found by crawling, so a page added later is covered without touching this test."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from qms.models import User
from tests.crawling import crawl, kind_of_page

# Forms that end the session, change the crawler's own account or only delete (no field to get wrong)
# would stop the crawl or empty the demo, not test a form.
SKIP_ACTIONS = re.compile(r"^/(logout|language|accounts|admin)/|/password/|/tokens/|/delete/|/unassign/|/revoke/")
PAGES_PER_PERSON = 250
ALL_FIELDS_VALUES = ["", "-1", "abc", "2026-02-30", "0000-01", "0000-Q1", "9" * 40, "x" * 5000, "\x00"]
# Files for every upload field: CSV with CR-only line endings (old Excel for Mac) and periods in year 0,
# a file that claims to be a workbook, NUL bytes, an empty file, a PDF.
HOSTILE_FILES = [
    ("cr-only.csv", b"kpi,period,value,title,unit,month,area,score\rCSAT,0000-01,4,x,y,0000-01,legal,1\rA,0000-Q1,1\r"),
    ("semicolons.csv", "kpi;period;value\r\nCSAT;0000-Q1;4,5\r\n".encode("cp1252")),
    ("fake.xlsx", b"PK\x03\x04 not really a workbook"),
    ("nul.csv", b"kpi,period\x00,value\n\x00\x00\n"),
    ("empty.csv", b""),
    ("report.pdf", b"%PDF-1.4"),
]
ONE_FIELD_VALUES = ["abc", "9" * 40]


class Forms(HTMLParser):
    """The forms of a page: method, action and their fields with the values they show."""

    def __init__(self):
        super().__init__()
        self.forms, self.form, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("hx-post") or attrs.get("action") or "",
                "fields": {},
                "files": [],
            }
            self.forms.append(self.form)
        elif self.form is None or not attrs.get("name"):
            return
        elif tag == "input" and attrs.get("type") == "file":
            self.form["files"].append(attrs["name"])
        elif tag == "input" and attrs.get("type") not in {"submit", "button", "file", "reset"}:
            checkable = attrs.get("type") in {"checkbox", "radio"}
            if not checkable or "checked" in attrs:
                self.form["fields"][attrs["name"]] = attrs.get("value", "on" if checkable else "")
            else:
                self.form["fields"].setdefault(attrs["name"], None)
        elif tag == "select":
            self.select = attrs["name"]
            self.form["fields"].setdefault(self.select, None)
        elif tag == "option" and self.select and ("selected" in attrs or self.form["fields"][self.select] is None):
            self.form["fields"][self.select] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.form["fields"][self.textarea] = ""
        elif tag == "button" and "value" in attrs:
            self.form["fields"].setdefault(attrs["name"], attrs["value"])

    def handle_data(self, data):
        if self.textarea and self.form is not None:
            self.form["fields"][self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_reached(client):
    """Every form on the pages reached (one page of each kind), once per kind of form:
    (page, method, action, fields)."""
    found = {}
    for path, response in crawl(client, limit=PAGES_PER_PERSON):
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = form["action"].replace("&amp;", "&") or path.split("?")[0]
            if SKIP_ACTIONS.search(action) or not action.startswith("/"):
                continue
            key = (form["method"], kind_of_page(action), tuple(sorted(form["fields"])))
            found.setdefault(key, (path, form["method"], action, {**form["fields"], FILES: form["files"]}))
    return list(found.values())


FILES = "<files>"  # the form's upload fields, kept beside its other fields


def filled(fields):
    """(what is wrong, data) pairs: every field wrong at once, then one field at a time, then each
    hostile file in each upload field (the other fields as the form shows them)."""
    files = fields.get(FILES, [])
    fields = {name: value for name, value in fields.items() if name != FILES}
    names = [name for name in fields if name != "csrfmiddlewaretoken"]
    shown = {name: value for name, value in fields.items() if value is not None and name != "csrfmiddlewaretoken"}
    for name in files:
        for filename, content in HOSTILE_FILES:
            yield f"{name}={filename}", {**shown, name: SimpleUploadedFile(filename, content)}
    if not names:
        return
    for value in ALL_FIELDS_VALUES:
        yield f"every field {value!r:.20}", dict.fromkeys(names, value)
    for name in names:
        for value in ONE_FIELD_VALUES:
            yield f"{name}={value!r:.20}", {**shown, name: value}


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", verbosity=0)


def test_no_form_answers_bad_input_with_a_server_error(demo):
    failures, tried, uploads, done = [], 0, 0, set()
    # The quality officer reaches most forms; the administrator those of units and people.
    for username in ("kwaliteit", "beheerder"):
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(User.objects.get(username=username))
        forms = forms_reached(client)
        assert len(forms) > 10, username
        for page, method, action, fields in forms:
            if (kind := (method, kind_of_page(action), tuple(sorted(fields)))) in done:
                continue
            done.add(kind)
            for label, data in filled(fields):
                tried += 1
                uploads += label.endswith(tuple(filename for filename, _content in HOSTILE_FILES))
                if method == "post":
                    response = client.post(action, data, HTTP_REFERER=page)
                else:
                    response = client.get(action, data)
                if response.status_code >= 500:
                    failures.append(f"{username}: {method.upper()} {action} (form on {page}) with {label}")
    assert tried > 500
    assert uploads >= 4 * len(HOSTILE_FILES), "the crawl reached fewer import forms than the four importers"
    assert failures == [], "\n".join(failures[:40])


# A person's own things: a viewer may change them.
# The viewer's own pages, and what everyone with a role may do: register a non-conformity (SPEC 5.6).
OWN = re.compile(r"^/(account|notifications)/|^/incidents/nonconformities/add/")


def test_a_viewer_posting_the_forms_of_a_quality_officer_changes_nothing(demo):
    """Every form the quality officer reaches, posted as they would post it, by a viewer of the same
    organisation: refused (403, or 404 out of sight), whatever the page."""
    officer = Client(raise_request_exception=False)
    officer.force_login(User.objects.get(username="kwaliteit"))
    forms = [form for form in forms_reached(officer) if form[1] == "post" and not OWN.search(form[2])]
    viewer = Client(raise_request_exception=False)
    viewer.force_login(User.objects.get(username="lezer"))
    changes_before = history_rows()
    answers = {}
    for _page, _method, action, fields in forms:
        response = viewer.post(
            action, {name: value for name, value in fields.items() if value is not None and name != FILES}
        )
        answers[action] = response.status_code
    assert len(answers) > 30
    assert {action: status for action, status in answers.items() if status not in (403, 404, 405)} == {}
    assert history_rows() == changes_before


def history_rows() -> int:
    """Every change to a business record leaves a row in its history."""
    return sum(model.objects.count() for model in apps.get_models() if model.__name__.startswith("Historical"))
