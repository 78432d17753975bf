"""Calling the dashboard over HTTP as the browser does, for the tests and the benchmark.

`client` is any httpx-style client (`get`, `post`, cookies kept): Starlette's TestClient on the
app itself, or an httpx.Client on a running server. Typed as Any, since the two are classes of
different packages (Starlette's is httpx2's).
"""

from __future__ import annotations

from typing import Any

UPDATE = "/dashboard/_dash-update-component"


def sign_in(client: Any, email: str, password: str, next_url: str = "/dashboard/") -> None:
    """The login form, with its CSRF token; the client keeps the session cookie."""
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf": csrf, "next": next_url},
        follow_redirects=False,
    )
    if response.headers.get("location") != next_url:
        raise AssertionError(f"sign-in as {email} failed: {response.status_code}")


class Callbacks:
    """The page's callbacks by their first output ('kpis.children', 'inquiry-type.options')."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.dependencies: list[dict[str, Any]] = client.get("/dashboard/_dash-dependencies").json()

    def body(self, first_output: str, values: dict[str, Any]) -> dict[str, Any]:
        """The request body Dash's renderer sends; `values` maps 'id.property' to a value."""
        found = next(
            d for d in self.dependencies if d["output"].lstrip(".").startswith(first_output)
        )
        output = found["output"]
        outputs = [dict(zip(("id", "property"), o.split("."), strict=True))
                   for o in output.strip(".").split("...")]  # fmt: skip

        def props(items: list[dict[str, str]]) -> list[dict[str, Any]]:
            return [
                {**item, "value": values.get(f"{item['id']}.{item['property']}")} for item in items
            ]

        return {
            "output": output,
            "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": props(found["inputs"]),
            "state": props(found["state"]),
            "changedPropIds": [next(iter(values))] if values else [],  # the first value's
        }

    def post(self, first_output: str, values: dict[str, Any]) -> Any:
        """The HTTP response (204 when the callback left the page as it was)."""
        return self.client.post(UPDATE, json=self.body(first_output, values))

    def call(self, first_output: str, values: dict[str, Any]) -> Any:
        """The callback's answer: {component id: {property: value}}."""
        response = self.post(first_output, values)
        if response.status_code != 200:
            raise AssertionError(f"{first_output}: {response.status_code} {response.text[:300]}")
        return response.json()["response"]
