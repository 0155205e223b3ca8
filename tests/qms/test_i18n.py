"""Dutch (the default) and English: complete catalogues, and the language switch."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

BASE_DIR = Path(__file__).resolve().parents[2]
CATALOGUE = BASE_DIR / "locale" / "nl" / "LC_MESSAGES" / "django.po"
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")
# Not the application's source: nothing in them is translated.
NOT_SOURCE = (".venv", ".git", "var", "staticfiles", "tests", "control", "htmlcov", "node_modules", "__pycache__")
NOT_SOURCE += (".pytest_cache", ".ruff_cache", ".coverage")


def untranslated(po_file: Path) -> list[str]:
    """The messages of a catalogue without a translation, or with only a fuzzy (guessed) one."""
    with po_file.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def messages(po_file: Path) -> set[tuple[str | None, str]]:
    """The messages of a catalogue, obsolete ones (`#~`) included, as (context, message id) pairs."""
    with po_file.open("rb") as handle:
        catalog = read_po(handle)
    return {
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in [*catalog, *catalog.obsolete.values()]
    }


@pytest.fixture(scope="module")
def updated_catalogue(tmp_path_factory) -> Path:
    """The Dutch catalogue as `make messages` would leave it: the same makemessages command, on a copy."""
    absent = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if absent:
        reason = f"GNU gettext is not installed ({', '.join(absent)} missing): apt-get install -y gettext"
        if os.environ.get("QMS_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    # makemessages writes into the `locale` folder it finds under the current directory, whatever
    # LOCALE_PATHS says: so it runs in a copy of the source, and the catalogue it updates is a copy too.
    tmp_path = tmp_path_factory.mktemp("i18n")
    source = tmp_path / "src"
    shutil.copytree(BASE_DIR, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(DEBUG="1", QMS_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run(
        # The options of the Makefile's `messages` target: keep the two the same.
        [sys.executable, "manage.py", "makemessages", "--locale", "nl", "--add-location", "file", "--no-obsolete"]
        + ["--ignore", ".venv/*", "--ignore", "tests/*", "--ignore", "staticfiles/*", "--ignore", "var/*"],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return source / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def test_it_has_a_dutch_translation_for_every_message_in_the_source(updated_catalogue):
    missing = untranslated(updated_catalogue)
    assert not missing, (
        f"{len(missing)} message(s) without a Dutch translation, such as {missing[:10]}: run `make messages` "
        "and translate what is empty or fuzzy in locale/nl/LC_MESSAGES/django.po"
    )


def test_it_keeps_no_message_the_source_no_longer_has_in_the_dutch_catalogue(updated_catalogue):
    stale = messages(CATALOGUE) - messages(updated_catalogue)
    assert not stale, (
        f"{len(stale)} message(s) in locale/nl/LC_MESSAGES/django.po that the source no longer has, such as "
        f"{sorted(message for _, message in stale)[:10]}: run `make messages`"
    )


def test_it_has_no_untranslated_or_fuzzy_messages_in_the_dutch_catalogue():
    assert untranslated(CATALOGUE) == []


def test_it_keeps_the_placeholders_of_every_message_in_its_dutch_translation():
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle)
    assert [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()] == []


# The language switch


def test_it_shows_an_anonymous_visitor_the_login_page_in_dutch(client, db):
    response = client.get("/login/")
    content = response.content.decode()
    assert response.headers["Content-Language"] == "nl"
    assert '<html lang="nl">' in content and "Inloggen" in content


def test_it_speaks_english_on_the_next_page_after_switching_to_english(client, db):
    response = client.post("/language/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302 and response.url == "/login/"
    content = client.get("/login/").content.decode()
    assert '<html lang="en">' in content and "Log in" in content and "Inloggen" not in content


def test_it_speaks_dutch_again_after_switching_back(client, db):
    client.post("/language/", {"language": "en", "next": "/login/"})
    client.post("/language/", {"language": "nl", "next": "/login/"})
    assert "Inloggen" in client.get("/login/").content.decode()


def test_it_switches_the_navigation_and_remembers_the_choice_for_a_person(cast, login):
    client = login(cast.viewer_a)
    assert "Mijn acties" in client.get("/").content.decode()
    client.post("/language/", {"language": "en", "next": "/"})
    content = client.get("/").content.decode()
    assert "My actions" in content and "Mijn acties" not in content
    cast.viewer_a.refresh_from_db()
    assert cast.viewer_a.language == "en"
    client.post("/language/", {"language": "nl", "next": "/"})
    assert "Mijn acties" in client.get("/").content.decode()


def test_it_ignores_a_language_it_does_not_speak(client, db):
    response = client.post("/language/", {"language": "de", "next": "/login/"})
    assert response.status_code == 302
    assert "qms_language" not in response.cookies
    assert "Inloggen" in client.get("/login/").content.decode()


def test_it_does_not_redirect_to_another_site_after_switching(client, db):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example.com/"})
    assert response.url == "/"
