"""The OpenAPI schema the app serves: it generates without warnings and describes the sync contract."""

from __future__ import annotations

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
