"""The JSON API against its own OpenAPI schema, with generated requests (schemathesis).

Every operation gets a bounded number of generated requests, valid and invalid ones; none may be
a server error, and every answer must match the schema documented for its status code. (The
strategies are driven by Hypothesis here rather than by `schema.parametrize()`, whose lazy
fixture loader does not run on the pytest this project uses.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

OPERATIONS = ["/api/search", "/api/trends", "/api/rising", "/api/themes", "/api/themes/{theme_id}",
              "/api/competitors", "/api/competitors/{name}", "/api/items/{item_id}",
              "/api/sources", "/api/digests", "/api/digests/{week}"]  # fmt: skip
WITH_PARAMETERS = ["/api/search", "/api/trends", "/api/rising"]  # the others take any string
EXAMPLES = 40


@pytest.fixture(scope="module")
def api_schema(app: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_schema_lists_these_operations(api_schema: Any) -> None:
    assert sorted(r.ok().path for r in api_schema.get_all_operations()) == sorted(OPERATIONS)


@pytest.mark.parametrize(
    ("path", "mode"),
    [(p, GenerationMode.POSITIVE) for p in OPERATIONS]
    + [(p, GenerationMode.NEGATIVE) for p in WITH_PARAMETERS],
)
def test_api_conforms_to_its_schema(api_schema: Any, path: str, mode: GenerationMode) -> None:
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: Any) -> None:
        case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

    check()
