"""Fuzz the API from its own OpenAPI document (schemathesis): no generated request gets a 5xx or a stack trace.

Every operation gets schema-valid requests and schema-violating ones, a few
hundred in all, with an admin token (so every route is reachable) and,
for a share of them, none at all. Hypothesis runs derandomised, so a failure
reproduces.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from review.api import Settings, create_app

from .conftest import CORRECTED, ORACLE, People, fresh_database, make_people

EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}


def test_no_request_from_the_openapi_document_gets_a_5xx(pg_url, sqlite_template, tmp_path):
    db = fresh_database("sqlite", pg_url, sqlite_template, tmp_path)
    people = make_people(db)
    app = create_app(Settings(warm=False, deliver_webhooks=False), db)
    from fastapi.testclient import TestClient

    with TestClient(app) as c:  # a few real articles, so generated ids sometimes exist
        for i, body in enumerate((ORACLE, CORRECTED, ORACLE + "\nAnother.\n")):
            c.post("/api/v1/articles", json={"external_id": f"seed-{i}", "title": "t", "body": body},
                   headers=People.auth(people.ada))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    calls: list[tuple[str, int]] = []
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 15
    for op in operations:
        for mode, n in EXAMPLES.items():
            _fuzz(op, mode, n, People.auth(people.ada), calls, failures)
    assert not failures, "\n".join(failures[:10])
    assert len(calls) >= 200
    assert {s for _, s in calls} & {200, 201} and {s for _, s in calls} & {401, 404, 409, 422}
    db.dispose()


def _fuzz(op, mode: GenerationMode, n: int, auth: dict, calls: list, failures: list) -> None:
    @settings(max_examples=n, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode), with_token=st.integers(0, 4))
    def exercise(case, with_token):
        response = case.call(headers=auth if with_token else {})
        calls.append((op.label, response.status_code))
        if response.status_code >= 500 or "Traceback" in response.text:
            failures.append(f"{op.label} [{mode.value}]: {response.status_code} {response.text[:300]}")

    try:
        exercise()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # an operation with no parameters and no body (GET /healthz) has nothing to make invalid
