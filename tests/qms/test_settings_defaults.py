"""What the settings give a developer and a reader: e-mail to files on the embedded default, day-month dates
and the 24-hour clock in English, the product's name and icon on the login page."""

import datetime
import logging

from django.contrib.staticfiles import finders
from django.core import mail
from django.utils import formats, timezone, translation

from qms.models import Notification
from qms.services.notifications import notify
from tests.qms.test_platform import clean_env, production_env, settings_in

# E-mail on the embedded default


def test_the_embedded_default_writes_e_mails_to_files_under_var(tmp_path):
    values = settings_in(clean_env(tmp_path, DEBUG="1"), "EMAIL_BACKEND", "EMAIL_FILE_PATH")
    assert values["EMAIL_BACKEND"] == "qms.mail.FileEmailBackend"
    assert values["EMAIL_FILE_PATH"] == str(tmp_path / "var" / "mail")


def test_production_e_mail_stays_as_configured(tmp_path):
    values = settings_in(production_env(tmp_path), "EMAIL_BACKEND")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    smtp = production_env(tmp_path, EMAIL_URL="smtp://mailer:s3cret@smtp.example.org:587?tls=1")
    assert settings_in(smtp, "EMAIL_BACKEND")["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    # A developer who names a backend gets it, DEBUG or not.
    console = clean_env(tmp_path, DEBUG="1", EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert settings_in(console, "EMAIL_BACKEND")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_the_file_backend_writes_the_whole_mail_to_a_file_and_logs_one_line(tmp_path, caplog, capsys):
    connection = mail.get_connection("qms.mail.FileEmailBackend", file_path=str(tmp_path))
    messages = [
        mail.EmailMessage("[QMS] Overdue action: Fix it", "A long body\n" * 50, to=["ann@example.org"]),
        mail.EmailMessage("[QMS] New action for you", "Due on 03-12-2026.", to=["bob@example.org"]),
    ]
    with caplog.at_level(logging.INFO, logger="qms.mail"):
        assert connection.send_messages(messages) == 2
    (written,) = tmp_path.iterdir()
    text = written.read_text()
    assert "A long body" in text and "Due on 03-12-2026." in text and "bob@example.org" in text
    assert [record.getMessage() for record in caplog.records if record.name == "qms.mail"] == [
        f"e-mail to ann@example.org: [QMS] Overdue action: Fix it (in {written})",
        f"e-mail to bob@example.org: [QMS] New action for you (in {written})",
    ]
    assert "A long body" not in capsys.readouterr().out  # nothing of the message itself on the terminal


# Dates in English


def test_english_dates_put_the_day_first_and_use_the_24_hour_clock():
    day = datetime.date(2026, 12, 3)
    moment = datetime.datetime(2026, 12, 3, 19, 11)
    with translation.override("en"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "03-12-2026"
        assert formats.date_format(day) == "3 December 2026"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "03-12-2026 19:11"
        assert formats.time_format(moment.time()) == "19:11"
        assert "%d-%m-%Y" in formats.get_format("DATE_INPUT_FORMATS")
        assert "%d/%m/%Y" in formats.get_format("DATE_INPUT_FORMATS")
        assert "%Y-%m-%d" in formats.get_format("DATE_INPUT_FORMATS")
        assert formats.number_format(88.4, 1) == "88.4"  # numbers stay English
    with translation.override("nl"):
        # Dutch keeps Django's Dutch formats.
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "3-12-2026"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "3-12-2026 19:11"


def test_an_english_page_shows_day_month_dates_and_the_24_hour_clock(cast, as_user):
    (notification,) = notify(recipients=[cast.viewer_a], verb="test", title="Hello")
    at = timezone.make_aware(datetime.datetime(2026, 12, 3, 19, 11))
    Notification.objects.filter(pk=notification.pk).update(created_at=at)
    content = as_user(cast.viewer_a).get("/notifications/").content.decode()
    assert "03-12-2026 19:11" in content
    assert "p.m." not in content and "12/03/2026" not in content


# The login page


def test_the_login_page_shows_the_product_name_not_the_host(client, db, settings):
    content = client.get("/login/", HTTP_HOST="127.0.0.1").content.decode()
    title = content[content.index("<title>") : content.index("</title>")]
    assert settings.SITE_NAME in title and "127.0.0.1" not in title
    brand = content[content.index('class="navbar-brand') :][:200]
    assert settings.SITE_NAME in brand and "127.0.0.1" not in brand


def test_every_page_links_the_favicon_served_from_static(client, db):
    assert finders.find("favicon.svg")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get("/login/").content.decode()


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_svg(client, db):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, "/static/favicon.svg")
