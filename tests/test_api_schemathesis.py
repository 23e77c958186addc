"""schemathesis against the OpenAPI document: no server error, no answer outside the document.

Runs in-process (WSGI) on the demo catalogue, authenticated with a Koordination token so the
write endpoints are exercised too. Examples per operation are limited to keep the suite's
run time moderate (CI runs it on SQLite and PostgreSQL); `SCHEMATHESIS_EXAMPLES` raises it.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .api_clients import account, token_for

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "50"))
ID_RANGE = 60  # demo ids start at 1; each kind has at least 20 records
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


@pytest.fixture(scope="module")
def coordination_token(app, demo_catalogue) -> str:
    return token_for(account("coordination", email="schemathesis@example.org"))


@pytest.fixture(scope="module")
def api_schema(app, demo_catalogue, coordination_token):
    limit = app.config.get("API_RATE_LIMIT")
    app.config["API_RATE_LIMIT"] = 0  # the fuzzer is faster than any real client
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    # Record ids up to 2^31 would almost never name a demo record: aim at the ones that exist.
    for methods in document["paths"].values():
        for op in methods.values():
            for param in op["parameters"]:
                if param["name"] == "record_id":
                    param["schema"]["maximum"] = ID_RANGE
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, prop in body.get("schema", {}).get("properties", {}).items():
                if name == "version":
                    prop["maximum"] = 3  # demo records are at version 1, changed ones above
                elif name.endswith("_id"):
                    prop["maximum"] = ID_RANGE
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = app
    loaded.location = "/api/v1/openapi.json"
    yield loaded
    app.config["API_RATE_LIMIT"] = limit


def _run(schema, headers: dict[str, str], examples: int,
         methods: set[str] | None = None) -> tuple[int, dict[str, Counter[int]]]:
    """Every operation, `examples` generated requests each; all failures reported together.

    (schemathesis' lazy pytest fixture does not work with pytest 9, so the operations are
    driven through their Hypothesis strategies directly.)
    """
    failures: dict[str, str] = {}
    statuses: dict[str, Counter[int]] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if methods and operation.method.upper() not in methods:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), print_blob=False)
        def run(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses.setdefault(case.operation.label, Counter())[response.status_code] += 1

        try:
            run()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # collect, then report every operation
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:2500]
    print("\n".join(f"{label}: {dict(c)}" for label, c in sorted(statuses.items())))
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
    return operations, statuses


def test_api_conforms_to_its_document(api_schema, coordination_token):
    operations, statuses = _run(api_schema, {"Authorization": f"Bearer {coordination_token}"},
                                EXAMPLES)
    assert operations >= 39
    created = sum(c[201] for label, c in statuses.items() if label.startswith("POST"))
    assert created >= 5  # the write path was reached, not only refused


def test_api_conforms_to_its_document_for_anonymous_readers(api_schema):
    operations, statuses = _run(api_schema, {}, max(EXAMPLES // 3, 5), methods={"GET"})
    assert operations >= 18 and statuses
