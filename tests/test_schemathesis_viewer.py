"""Schemathesis as a viewer (see test_schemathesis.py)."""

from tests.test_api_hostile_input import demo  # noqa: F401 - the demo data, seeded for the test
from tests.test_schemathesis import in_process, schemathesis_run  # noqa: F401 - the application, in the test


def test_a_viewer_gets_only_answers_the_schema_documents(demo, in_process):  # noqa: F811
    schemathesis_run("lezer", in_process)
