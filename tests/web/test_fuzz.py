"""Schemathesis over the app's own /openapi.json, signed in as an owner of the shop every path
names: no answer is a 5xx, and every answer is one the OpenAPI documents (status and body).
A fixed seed and a few examples an operation keep it quick and the same every run.

(Schemathesis's own pytest plugin does not run under this pytest; its Python API does.)
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.core.failures import FailureGroup

from barberbot.models import Shop, User

EXAMPLES = int(os.environ.get("BARBERBOT_FUZZ_EXAMPLES", "8"))  # an operation; `make fuzz`: 100
SLUG = "kings-cuts"
# a request the schema allows may still be refused: the rules check what a JSON schema
# cannot (a phone number valid for the shop's country, an inquiry type the shop offers)
NOT_CHECKED = [schemathesis.checks.positive_data_acceptance]
CONFIG = schemathesis.Config.from_str("seed = 4242")


def _problems(
    operation: schemathesis.APIOperation[Any, Any, Any, Any], headers: dict[str, str]
) -> list[str]:
    found: list[str] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(case: Any) -> None:
        if "slug" in (case.path_parameters or {}):
            case.path_parameters["slug"] = SLUG  # the signed-in owner's shop: past the 404
        try:
            case.call_and_validate(headers=headers, excluded_checks=NOT_CHECKED)
        except (FailureGroup, AssertionError) as failed:
            lines = [line for line in str(failed).splitlines() if line.strip()][:8]
            found.append(f"{operation.label}:\n" + "\n".join(lines))
        except Exception as crashed:  # the app raised: a 500 in production
            found.append(f"{operation.label}: {crashed!r}\n  {case.as_curl_command()}")

    run()
    return found


def test_the_api_answers_as_documented(
    app: FastAPI, shop: Shop, owner: User, owner_headers: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
    problems = []
    for result in schema.get_all_operations():
        problems += _problems(result.ok(), owner_headers)  # type: ignore[union-attr]
    assert not problems, "\n".join(problems)
