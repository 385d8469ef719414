"""Property tests generated from the app's own OpenAPI schema (schemathesis, in-process ASGI).

Every operation, POST included (with the token, so random articles go through the real
pipeline), gets a bounded number of generated requests; none may end in a server error, and
every answer must match the schema and the documented status codes.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_api_support import build_synthetic_store  # noqa: E402

from marsad.api.app import create_app  # noqa: E402

with warnings.catch_warnings():  # starlette's note about httpx versions is not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "schema-token"


_STORE_DIR = tempfile.mkdtemp(prefix="marsad-schema-")
atexit.register(shutil.rmtree, _STORE_DIR, ignore_errors=True)
# Built at import, not in a fixture: schemathesis' lazy fixture path breaks on pytest 9.2.
_APP = create_app(
    build_synthetic_store(str(Path(_STORE_DIR) / "store.db")),
    token=TOKEN,
    reads_per_minute=100_000,
    writes_per_minute=100_000,
)
# The first article through POST builds the pipeline (gazetteer, models: seconds on a busy
# machine); built here, it does not eat the first generated request's timeout.
with TestClient(_APP) as _client:
    _client.post("/documents", json={"text": "نص تجريبي قصير."}, headers={"Authorization": f"Bearer {TOKEN}"})
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_no_server_error(case: schemathesis.Case) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"} if case.method.upper() == "POST" else None
    case.call_and_validate(
        headers=headers,
        checks=[
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
            content_type_conformance,
        ],
    )
