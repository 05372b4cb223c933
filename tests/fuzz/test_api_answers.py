"""The answers of the family, review and duplicates API to real requests match the schema.

The fuzz (test_api_fuzz.py) rarely names the one family that exists, so most of its requests to
these endpoints are answered 404. Here each endpoint answers about a real family (with members,
history, a return with notes, duplicates, a VK1 row) as its supervisor and its PPL, and schemathesis
checks each answer against the OpenAPI schema (status code, content type, body field by field).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from enumeration.models import User
from households import services
from households.models import PrelistFamily
from tests.fuzz.test_api_fuzz import _device_headers, _session, keeping_the_test_connection
from tests.households.factories import create_family

pytestmark = pytest.mark.django_db

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


def _call(api: Any, method: str, path: str, credentials: tuple[dict[str, str], dict[str, str]], **case: Any) -> Any:
    headers, cookies = credentials
    operation = api[path][method]
    response = operation.Case(**case).call_and_validate(
        headers={**headers, "Accept-Encoding": "identity"}, cookies=cookies, checks=CHECKS
    )
    return response


def test_real_answers_match_the_schema(field: Any, petugas: User, supervisor: User, koseka: User) -> None:
    family = create_family(petugas, field["own1"])
    twin = create_family(petugas, field["own2"])  # the same NIK and KK: duplicates to list
    row = PrelistFamily.objects.create(sls=field["own1"], line_no=1, head_name="BUDI SANTOSO")
    pml = _session(supervisor)
    ppl: tuple[dict[str, str], dict[str, str]] = (_device_headers(petugas), {})
    pk = {"family_id": family.pk}
    with keeping_the_test_connection():
        api = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())
        listing = _call(api, "GET", "/api/v1/families/", pml, query={"sls": field["own1"].pk})
        assert [f["id"] for f in listing.json()["results"]] == [family.pk]
        assert _call(api, "GET", "/api/v1/families/{family_id}/", pml, path_parameters=pk).status_code == 200
        assert _call(api, "GET", "/api/v1/families/{family_id}/", ppl, path_parameters=pk).status_code == 200
        duplicates = _call(api, "GET", "/api/v1/duplicates/", pml).json()["results"]
        assert {"kind": "kk", "families": [family.pk, twin.pk], "elsewhere": 0} in duplicates
        note = {"variable": "r402", "member": 1, "comment": "nama beda dengan KK"}
        returned = _call(
            api, "POST", "/api/v1/families/{family_id}/return/", pml, path_parameters=pk, body={"notes": [note]}
        )
        assert returned.json()["status"] == "returned"
        detail = _call(api, "GET", "/api/v1/families/{family_id}/", ppl, path_parameters=pk).json()
        assert detail["review_notes"] == [note]
        resubmitted = _call(
            api, "POST", "/api/v1/families/{family_id}/resubmit/", ppl, path_parameters=pk, body={"comment": "sudah"}
        )
        assert resubmitted.json()["status"] == "submitted"
        approved = _call(api, "POST", "/api/v1/families/{family_id}/approve/", pml, path_parameters=pk, body={})
        assert approved.json()["status"] == "approved"
        history = _call(
            api, "GET", "/api/v1/families/{family_id}/history/", pml, path_parameters=pk, query={"revision": 1}
        ).json()
        assert [e["to"] for e in history["events"]] == ["submitted", "returned", "submitted", "approved"]
        assert history["answers_at"]["revision"] == 1
        revealed = _call(
            api,
            "POST",
            "/api/v1/families/{family_id}/reveal/",
            pml,
            path_parameters=pk,
            body={"reason": "cek dukcapil"},
        )
        assert revealed.json()["kind"] == "kk"
        sls = {"sls_id": field["own1"].pk}
        rows = _call(api, "GET", "/api/v1/sls/{sls_id}/prelist/", ppl, path_parameters=sls).json()
        assert [r["id"] for r in rows] == [row.pk]
        marked = _call(
            api,
            "POST",
            "/api/v1/prelist/{row_id}/status/",
            ppl,
            path_parameters={"row_id": row.pk},
            body={"status": "found", "family": family.pk},
        )
        assert marked.json()["status"] == "found"
        added = _call(
            api, "POST", "/api/v1/sls/{sls_id}/prelist/", ppl, path_parameters=sls, body={"head_name": "SITI"}
        )
        assert added.status_code == 201
        services.prelist_set_status(
            user=petugas, row=PrelistFamily.objects.get(pk=added.json()["id"]), status="not_found", family=None, note=""
        )
        confirmed = _call(api, "POST", "/api/v1/sls/{sls_id}/confirm/", _session(koseka), path_parameters=sls, body={})
        assert confirmed.json()["action"] == "confirm"
