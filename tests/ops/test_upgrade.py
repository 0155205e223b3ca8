"""The upgrade path: last release's demo database, migrated by this code, works.

``fixtures/previous-release-demo.dump`` is the demo of the previous release (commit 3ddce7b: migrate and
seed_demo there, then pg_dump --format=custom); docs/operations.md says how to make it anew at each release.
"""

import subprocess
import sys

import psycopg2
import pytest
from psycopg2 import sql

from tests.ops.fixtures.processes import (
    BASE_DIR,
    PREVIOUS_RELEASE_DUMP,
    create_database,
    database_url,
    django_env,
    drop_database,
    manage,
    restore_dump,
)

pytestmark = pytest.mark.services

COUNTED = ["qms_user", "qms_organisationunit", "qms_action", "qms_notification", "risks_risk", "risks_monthlyscore"]


def counts(name: str) -> dict[str, int]:
    connection = psycopg2.connect(database_url(name))
    try:
        with connection.cursor() as cursor:
            result = {}
            for table in COUNTED:
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                result[table] = cursor.fetchone()[0]
            return result
    finally:
        connection.close()


def test_last_releases_demo_database_migrates_forward(tmp_path):
    name = create_database("qms_upgrade")
    env = django_env(tmp_path, DATABASE_URL=database_url(name))
    try:
        restore_dump(PREVIOUS_RELEASE_DUMP, name)
        assert "[ ]" in manage("showmigrations", "--plan", env=env).stdout  # this release brings migrations
        before = counts(name)

        manage("migrate", "--noinput", env=env)

        assert "[ ]" not in manage("showmigrations", "--plan", env=env).stdout
        manage("migrate", "--check", env=env)
        manage("makemigrations", "--check", "--dry-run", env=env)
        assert counts(name) == before and before["risks_risk"] > 0
        # The upgraded copy works: a model of every app reads, and nothing old is due for e-mail.
        check = subprocess.run(
            [sys.executable, "-c", UPGRADED],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.stdout.strip() == "ok", check.stderr[-4000:]
    finally:
        drop_database(name)


UPGRADED = """
import django
django.setup()
from kpis.models import Kpi
from qms.models import Notification
from risks.models import Risk
assert Risk.objects.exists() and Kpi.objects.exists() and Notification.objects.exists()
assert not Notification.objects.filter(email_due_at__isnull=False).exists()
print("ok")
"""
