"""The filter bar (``templates/generic/_filter_bar.html``): one partial on every list, Bootstrap-styled
whatever app's filterset it shows, and no technical field (a content type, a raw id) in a person's view."""

import re

import django_filters
import pytest
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from qms.filtersets import BaseFilterSet
from qms.models import Action
from tests.crawling import crawl
from tests.factories import ActionFactory

LISTS = [
    "qms:unit_list",
    "qms:user_list",
    "qms:my_actions",
    "qms:action_list",
    "qms:course_list",
    "risks:risk_list",
    "risks:board_overview",
    "risks:heatmap",
    "risks:investigation_list",
    "kpis:index",
    "kpis:objective_list",
    "kpis:feedback_list",
    "kpis:effect_list",
]
ROLES = ["admin_a", "qo_a", "board_a", "viewer_a", "risk_owner_a", "auditor_a", "team_lead_a", "group_mgmt"]
APP_MODEL = re.compile(r"^\w+\.\w+$")
TECHNICAL_LABELS = {"id", "content type", "source type (app.model)", "source id"}


def filter_bar(html: str) -> str | None:
    """The filter bar's markup (up to the end of its form), or None when the page has none."""
    start = html.find("data-filter-bar")
    return html[start : html.index("</form>", start)] if start >= 0 else None


def text(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup).strip()


def problems(bar: str) -> list[str]:
    """What a filter bar must not show: an unstyled or multiple select (several choices are check
    boxes, as in the register), an "app.model" choice, a technical label."""
    found = []
    for attrs in re.findall(r"<select\b([^>]*)>", bar):
        classes = re.search(r'class="([^"]*)"', attrs)
        if not classes or "form-select" not in classes.group(1).split():
            found.append(f"unstyled select: {attrs}")
        if re.search(r"\bmultiple\b", attrs):
            found.append(f"multiple select: {attrs}")
    for attrs in re.findall(r"<input\b([^>]*)>", bar):
        kind, classes = re.search(r'type="([^"]*)"', attrs), re.search(r'class="([^"]*)"', attrs)
        typed = kind and kind.group(1) not in ("hidden", "checkbox", "radio")
        if typed and (not classes or "form-control" not in classes.group(1).split()):
            found.append(f"unstyled input: {attrs}")
    for option in re.findall(r"<option\b[^>]*>(.*?)</option>", bar, re.S):
        if APP_MODEL.match(text(option)):
            found.append(f"option {text(option)!r}")
    for label in re.findall(r"<label\b[^>]*>(.*?)</label>", bar, re.S):
        if text(label).lower() in TECHNICAL_LABELS:
            found.append(f"label {text(label)!r}")
    return found


@pytest.mark.django_db
def test_every_list_shows_the_one_filter_bar_styled_and_without_technical_fields(cast, as_user):
    seen = set()
    for role in ROLES:
        client = as_user(getattr(cast, role))
        for name in LISTS:
            response = client.get(reverse(name))
            if response.status_code in (403, 404):  # a list this role has not (the board overview)
                continue
            assert response.status_code == 200, (role, name, response.status_code)
            bar = filter_bar(response.content.decode())
            assert bar is not None, (role, name)
            assert problems(bar) == [], (role, name)
            seen.add(name)
    assert seen == set(LISTS)


@pytest.mark.django_db
def test_every_filter_form_a_person_reaches_is_the_filter_bar(cast, as_user):
    # A list added later, with its own copy of the form, shows up here: a search form outside the bar.
    search_form = re.compile(r'<form\b[^>]*method="get"[^>]*>(?:(?!</form>).)*name="q"', re.S)
    for role in ("qo_a", "admin_a"):
        client = as_user(getattr(cast, role))
        pages = 0
        for path, response in crawl(client, limit=80):
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            pages += 1
            html = response.content.decode()
            bar = filter_bar(html)
            outside = html.replace(bar, "") if bar else html
            assert not search_form.search(outside), path
            if bar:
                assert problems(bar) == [], path
        assert pages > 10, role


@pytest.mark.django_db
def test_it_carries_a_technical_filter_along_hidden_and_applies_it(cast, as_user):
    ActionFactory(
        unit=cast.units.org_a,
        owner=cast.qo_a,
        title="From a risk",
        source_content_type=ContentType.objects.get(app_label="risks", model="risk"),
        source_object_id=7,
    )
    ActionFactory(unit=cast.units.org_a, owner=cast.qo_a, title="On its own")

    response = as_user(cast.qo_a).get(reverse("qms:action_list") + "?source_type=risks.risk&source_id=7")

    html = response.content.decode()
    bar = filter_bar(html)
    assert problems(bar) == []
    assert re.search(r'<input type="hidden" name="source_type" value="risks.risk"', bar)
    assert re.search(r'<input type="hidden" name="source_id" value="7"', bar)
    assert "From a risk" in html and "On its own" not in html


@pytest.mark.django_db
def test_it_shows_the_error_of_a_hidden_filter(cast, as_user):
    response = as_user(cast.qo_a).get(reverse("qms:action_list") + "?source_id=abc")

    assert response.status_code == 200
    bar = filter_bar(response.content.decode())
    assert 'role="alert"' in bar and "Source id: Enter a number." in text(bar)


class ProbeFilterSet(BaseFilterSet):
    content_type = django_filters.ModelChoiceFilter(
        queryset=ContentType.objects.all(), field_name="source_content_type", label="Content type"
    )
    owner_id = django_filters.NumberFilter(label="Owner id")
    secret = django_filters.CharFilter(field_name="title", label="Secret")
    status = django_filters.MultipleChoiceFilter(choices=[("open", "Open"), ("done", "Done")])
    open = django_filters.BooleanFilter(field_name="status", label="Open")
    technical_fields = ("secret",)

    class Meta:
        model = Action
        fields = ["q", "content_type", "owner_id", "secret", "status", "open"]


@pytest.mark.django_db
def test_it_hides_content_types_raw_ids_and_the_fields_a_filterset_names_technical():
    request = RequestFactory().get("/")
    filterset = ProbeFilterSet({"owner_id": "3"}, queryset=Action.objects.none(), request=request)

    bar = filter_bar(render_to_string("generic/_filter_bar.html", {"filter": filterset}, request=request))

    labels = [text(label) for label in re.findall(r"<label\b[^>]*>(.*?)</label>", bar, re.S)]
    assert "Content type" not in labels and "Owner id" not in labels and "Secret" not in labels
    assert '<input type="hidden" name="owner_id" value="3"' in bar
    assert 'name="content_type"' not in bar and 'name="secret"' not in bar  # no value: nothing to carry
    assert re.search(r'<input type="checkbox" name="status" value="open" class="filter-choices"', bar)
    # Yes/no as the register's: a blank choice, no "unknown" in the address.
    assert re.search(r'<select name="open" class="form-select"[^>]*>\s*<option value=""[^>]*>---------</option>', bar)
    assert problems(bar) == []
