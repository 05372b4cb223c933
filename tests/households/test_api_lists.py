"""The family list and the duplicates list of the API: output serializers in the schema, cursor
pages over the id, django-filter filters, one grouped query for duplicates, and who may see them."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from households.models import Family, FamilyStatus
from regsosek.pagination import IdCursorPagination, KeyCursorPagination
from tests.households.factories import create_family, record_for, with_niks

pytestmark = pytest.mark.django_db

NIK_BASES = ["367407150380", "367407620783", "367407500105", "367407050519"]


def _schema(client: Client) -> dict[str, Any]:
    answer: dict[str, Any] = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return answer


def _answer_schema(schema: dict[str, Any], path: str, method: str, code: str = "200") -> dict[str, Any]:
    found: dict[str, Any] = schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
    return found


def test_every_answer_of_the_family_and_duplicates_api_is_a_named_schema(client, db):
    schema = _schema(client)
    expected = {
        ("/api/v1/families/", "get"): "#/components/schemas/PaginatedFamilySummaryList",
        ("/api/v1/families/{family_id}/", "get"): "#/components/schemas/FamilyDetail",
        ("/api/v1/families/{family_id}/approve/", "post"): "#/components/schemas/FamilySummary",
        ("/api/v1/families/{family_id}/return/", "post"): "#/components/schemas/FamilySummary",
        ("/api/v1/families/{family_id}/resubmit/", "post"): "#/components/schemas/FamilySummary",
        ("/api/v1/families/{family_id}/history/", "get"): "#/components/schemas/FamilyHistory",
        ("/api/v1/families/{family_id}/reveal/", "post"): "#/components/schemas/Revealed",
        ("/api/v1/families/save/", "post"): "#/components/schemas/FamilySaveResult",
        ("/api/v1/sls/{sls_id}/confirm/", "post"): "#/components/schemas/SLSConfirmation",
        ("/api/v1/prelist/{row_id}/status/", "post"): "#/components/schemas/PrelistRow",
        ("/api/v1/duplicates/", "get"): "#/components/schemas/PaginatedDuplicateList",
    }
    for (path, method), ref in expected.items():
        assert _answer_schema(schema, path, method)["$ref"] == ref, path
    components = schema["components"]["schemas"]
    page = components["PaginatedDuplicateList"]
    assert page["properties"]["results"] == {"type": "array", "items": {"$ref": "#/components/schemas/Duplicate"}}
    assert page["required"] == ["next", "previous", "results"]
    assert set(components["FamilySummary"]["properties"]) >= {"id", "client_uuid", "sls", "status", "kk", "updated_at"}
    assert set(components["FamilyHistory"]["properties"]) == {"revisions", "events", "answers_at"}
    assert set(components["ReviewEvent"]["properties"]) == {"from", "to", "actor", "at", "comment"}
    assert components["Duplicate"]["properties"]["kind"]["$ref"].endswith("KindEnum")
    # No answer of these endpoints is left as a bare "object".
    for path, operations in schema["paths"].items():
        if path.startswith(("/api/v1/families/", "/api/v1/duplicates/", "/api/v1/prelist/")):
            for operation in operations.values():
                for code, answer in operation["responses"].items():
                    body = answer.get("content", {}).get("application/json", {}).get("schema", {})
                    assert body.get("$ref") or body.get("items", {}).get("$ref"), (path, code)
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/families/"]["get"]["parameters"]}
    assert parameters["sls"] == {"type": "integer"}
    assert sorted(parameters["status"]["enum"]) == sorted(FamilyStatus.values)
    assert parameters["cursor"] == {"type": "string"}
    duplicates = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/duplicates/"]["get"]["parameters"]}
    assert duplicates == {"cursor": {"type": "string"}}


def _walk(client: Client, url: str, *, between_pages: Any = None) -> list[int]:
    seen: list[int] = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.content
        body = page.json()
        assert set(body) == {"next", "previous", "results"}
        seen += [family["id"] for family in body["results"]]
        url = body["next"]
        if url and between_pages is not None:
            between_pages()
    return seen


def test_cursor_pages_walk_every_family_once_while_families_are_added(client, petugas, supervisor, field, monkeypatch):
    monkeypatch.setattr(IdCursorPagination, "page_size", 3)
    for _ in range(8):
        create_family(petugas, field["own1"])
    before = sorted(Family.objects.values_list("pk", flat=True))
    added: list[int] = []

    def add_one() -> None:
        added.append(create_family(petugas, field["own2"]).pk)

    client.force_login(supervisor)
    seen = _walk(client, "/api/v1/families/", between_pages=add_one)
    assert len(seen) == len(set(seen)), "a family on two pages"
    assert seen == sorted(seen)
    assert set(before) <= set(seen), "a family that existed when the walk began was skipped"
    assert set(seen) <= set(before) | set(added)
    # The pages were filtered as the first one: only the SLS asked for.
    own1 = _walk(client, f"/api/v1/families/?sls={field['own1'].pk}")
    assert own1 == before
    # And back: the previous link of the last page lists the page before it.
    last = client.get(f"/api/v1/families/?sls={field['own1'].pk}&cursor=" + _cursor(position=before[5]))
    assert [f["id"] for f in last.json()["results"]] == before[6:]
    previous = client.get(last.json()["previous"]).json()
    assert [f["id"] for f in previous["results"]] == before[3:6]


def _cursor(*, position: Any, offset: int = 0, reverse: int = 0) -> str:
    return base64.b64encode(f"o={offset}&r={reverse}&p={position}".encode()).decode()


def test_a_cursor_the_server_did_not_make_is_a_400_on_the_cursor(client, petugas, supervisor, field):
    create_family(petugas, field["own1"])
    client.force_login(supervisor)
    for cursor in ("x", "%C3%A9", _cursor(position="x"), _cursor(position="1 OR 1=1"), _cursor(position=1, offset=-1)):
        refused = client.get(f"/api/v1/families/?cursor={cursor}")
        assert refused.status_code == 400, cursor
        assert refused.json()["code"] == "invalid" and list(refused.json()["errors"]) == ["cursor"], cursor


def test_the_list_is_one_query_per_page_whatever_the_page(
    client, petugas, supervisor, field, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(IdCursorPagination, "page_size", 2)
    for _ in range(5):
        create_family(petugas, field["own1"])
    client.force_login(supervisor)
    first = client.get("/api/v1/families/").json()
    with django_assert_num_queries(3):  # session, user, one page of families (SLS and author joined)
        second = client.get(first["next"]).json()
    assert len(second["results"]) == 2


def _pairs(petugas: Any, field: Any, count: int) -> None:
    """`count` pairs of families, each pair sharing NIK of its own (and all sharing the KK)."""
    for pair in range(count):
        niks = [f"{base}{pair + 10:04d}" for base in NIK_BASES]
        for sls in (field["own1"], field["own2"]):
            create_family(petugas, sls, with_niks(record_for(sls), *niks))


@pytest.mark.parametrize("pairs", [1, 4])
def test_the_duplicate_list_is_one_query_however_many_groups(
    client, petugas, supervisor, field, pairs, django_assert_num_queries
):
    _pairs(petugas, field, pairs)
    client.force_login(supervisor)
    with django_assert_num_queries(3):  # session, user, the grouped duplicates
        answer = client.get("/api/v1/duplicates/")
    body = answer.json()
    assert body["next"] is None and body["previous"] is None
    groups = body["results"]
    assert len([g for g in groups if g["kind"] == "nik"]) == 4 * pairs
    assert [g for g in groups if g["kind"] == "kk"] == [
        {"kind": "kk", "families": sorted(Family.objects.values_list("pk", flat=True)), "elsewhere": 0}
    ]
    assert all(set(g) == {"kind", "families", "elsewhere"} for g in groups)
    assert NIK_BASES[0] not in answer.content.decode()


def test_duplicate_pages_walk_every_group_once_and_back(
    client, petugas, supervisor, field, monkeypatch, django_assert_num_queries
):
    _pairs(petugas, field, 5)  # 5 first families of a group: the pair's first holds its 4 NIK groups
    client.force_login(supervisor)
    whole = client.get("/api/v1/duplicates/").json()["results"]
    monkeypatch.setattr(KeyCursorPagination, "page_size", 2)
    pages: list[dict[str, Any]] = []
    url = "/api/v1/duplicates/"
    while url:
        with django_assert_num_queries(3):  # session, user, one page of groups
            page = client.get(url)
        assert page.status_code == 200, page.content
        pages.append(page.json())
        url = pages[-1]["next"]
    assert [group for page in pages for group in page["results"]] == whole
    assert [len({g["families"][0] for g in page["results"]}) for page in pages] == [2, 2, 1]
    assert pages[0]["previous"] is None
    # The cursor is the last family id of the page, nothing else.
    token = pages[0]["next"].split("cursor=")[1].replace("%3D", "=")
    last = pages[0]["results"][-1]["families"][0]
    assert base64.b64decode(token).decode() == f"p={last}"
    # And back: each previous link lists the page before.
    back = client.get(pages[2]["previous"]).json()
    assert back["results"] == pages[1]["results"] and back["next"] is not None
    assert client.get(back["previous"]).json()["results"] == pages[0]["results"]


def test_a_duplicates_cursor_the_server_did_not_make_is_a_400(client, petugas, supervisor, field):
    _pairs(petugas, field, 1)
    client.force_login(supervisor)
    for cursor in (
        "x",
        _cursor(position="x"),
        _cursor(position=-1),
        _cursor(position=2**63),
        _cursor(position=1, offset=-1),
    ):
        refused = client.get(f"/api/v1/duplicates/?cursor={cursor}")
        assert refused.status_code == 400, cursor
        assert list(refused.json()["errors"]) == ["cursor"], cursor


@pytest.mark.parametrize("persona", ["petugas", "other_petugas", "pemkot"])
def test_a_ppl_and_pemkot_staff_may_not_see_duplicates(client, petugas, field, request, persona):
    _pairs(petugas, field, 1)
    client.force_login(request.getfixturevalue(persona))
    refused = client.get("/api/v1/duplicates/")
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    assert "families" not in refused.content.decode()
