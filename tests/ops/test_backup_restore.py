"""The backup and restore drill: demo data -> make backup -> make restore into a fresh database -> no
migration left to apply, every table (history tables included) with the same row count, and the
application works on the restored copy. Also: restore refuses a database that is not empty."""

import subprocess
import sys

import psycopg2
import pytest
from psycopg2 import sql

from tests.ops.fixtures.processes import (
    BASE_DIR,
    create_database,
    database_url,
    django_env,
    drop_database,
    manage,
)

pytestmark = pytest.mark.services

# The application on the restored copy: a demo person logs in and reads the dashboard, the risk register
# and an API list, through Django's test client (the settings of the real processes).
SMOKE = """
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from django.urls import reverse
from qms.demo import DEMO_PASSWORD
client = Client()
response = client.post(reverse("login"), {"username": "kwaliteit", "password": DEMO_PASSWORD})
assert response.status_code == 302, ("login", response.status_code)
for path in ["/", "/risks/register/", "/api/v1/risks/"]:
    response = client.get(path, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, (path, response.status_code)
print("smoke ok")
"""


def script(name, *args, env):
    return subprocess.run(
        [str(BASE_DIR / "scripts" / name), *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def row_counts(name: str) -> dict[str, int]:
    with psycopg2.connect(database_url(name)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    connection.close()
    return counts


@pytest.fixture(scope="module")
def backup(tmp_path_factory):
    """A database with the demo, and its backup by scripts/backup.sh (once for this module)."""
    tmp_path = tmp_path_factory.mktemp("backup")
    source = create_database("qms_drill_source")
    env = django_env(tmp_path, DATABASE_URL=database_url(source), BACKUP_DIR=str(tmp_path / "backups"))
    try:
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("seed_demo", "--quiet-logins", env=env)
        result = script("backup.sh", env=env)
        assert result.returncode == 0, result.stderr
        (dump,) = result.stdout.split()
        assert dump.endswith(".dump") and (tmp_path / "backups").exists()
        yield source, dump, tmp_path
    finally:
        drop_database(source)


def test_a_backup_restores_to_an_equal_working_copy(backup):
    source, dump, tmp_path = backup
    target = create_database("qms_drill_restored")
    env = django_env(tmp_path, DATABASE_URL=database_url(target))
    try:
        result = script("restore.sh", dump, env=env)
        assert result.returncode == 0, result.stderr

        manage("migrate", "--check", env=env)  # fails if any migration is unapplied
        counts = row_counts(target)
        assert counts == row_counts(source)
        assert counts["qms_user"] > 0 and counts["risks_risk"] > 0
        history = {table: count for table, count in counts.items() if "historical" in table}
        assert history and sum(history.values()) > 0

        manage("check", env=env)
        smoke = subprocess.run(
            [sys.executable, "-c", SMOKE], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
        assert smoke.stdout.strip() == "smoke ok", smoke.stderr[-4000:]
    finally:
        drop_database(target)


def test_restore_refuses_a_database_that_is_not_empty(backup):
    source, dump, tmp_path = backup
    before = row_counts(source)
    result = script("restore.sh", dump, env=django_env(tmp_path, DATABASE_URL=database_url(source)))
    assert result.returncode != 0
    assert "not empty" in result.stderr
    assert row_counts(source) == before
