"""The OpenAPI schema the app serves: it generates without warnings and describes the sync contract."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command


def test_the_schema_generates_valid_and_without_warnings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))  # raises on any warning
    schema = yaml.safe_load(target.read_text())
    push = schema["paths"]["/api/v1/sync/push/"]["post"]
    assert push["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/PushRequest")
    assert {"deviceToken": []} in push["security"]
    assert {"200", "400", "413", "503"} <= set(push["responses"])
    assert schema["components"]["securitySchemes"]["deviceToken"] == {"type": "http", "scheme": "bearer"}
    results = schema["components"]["schemas"]["PushResult"]["properties"]
    assert {"client_uuid", "result", "errors", "server", "photos_missing"} <= set(results)
    photo = schema["paths"]["/api/v1/sync/photos/{photo_uuid}"]["put"]
    assert {p["name"] for p in photo["parameters"] if p["in"] == "header"} == {"X-Family-UUID", "X-Content-SHA256"}


@pytest.mark.django_db
def test_the_schema_is_served(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/sync/pull/" in response.json()["paths"]


def _resolve(schema: dict, node: dict) -> dict:  # type: ignore[type-arg]
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _strings(schema: dict, node: dict, path: str, seen: set[str]):  # type: ignore[no-untyped-def,type-arg]
    """Every plain text property (no format, no enum) reachable from a request body's schema."""
    if "$ref" in node:
        if node["$ref"] in seen:
            return
        seen = seen | {node["$ref"]}
        node = _resolve(schema, node)
    for part in ("allOf", "oneOf", "anyOf"):
        for sub in node.get(part, []):
            yield from _strings(schema, sub, path, seen)
    # (An allow_blank field's second branch, `maxLength: 0`, is the empty text: no NUL in it.)
    if node.get("type") == "string" and not {"format", "enum"} & set(node) and node.get("maxLength") != 0:
        yield path, node
    for name, sub in node.get("properties", {}).items():
        yield from _strings(schema, sub, f"{path}.{name}", seen)
    if isinstance(node.get("items"), dict):
        yield from _strings(schema, node["items"], f"{path}[]", seen)


def test_every_text_a_request_may_send_states_that_nul_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # DRF's CharField refuses a NUL (400); a schema that does not say so lets the fuzz's valid
    # requests be refused (positive data acceptance), e.g. a password holding a NUL.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    unsaid = []
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not content:
                continue
            for path, node in _strings(schema, content["schema"], f"{method.upper()} {url}", set()):
                pattern = node.get("pattern")
                if pattern is None or re.search(pattern, "ab\x00c") is not None:
                    unsaid.append(path)
    assert unsaid == []
