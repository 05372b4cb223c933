"""A PML corrects a family through the API: the NIK / No. KK it was shown masked are kept (issue 17).

The PML receives identifiers masked (`family_detail`) and sends the record back with the masks: the
server puts the stored numbers back before checking, so nothing is erased, the PPL's next pull has
them in full and the PPL's identical content is answered unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client

from households import identifiers, records
from households.models import Family, FamilyRevision, Member
from tests.fieldapp.test_api_sync import device_client
from tests.households.factories import create_family

pytestmark = pytest.mark.django_db

NIKS = ["3674071503800001", "3674076207830002", "3674075001050003", "3674070505190004"]
KK = "3674071503100001"


def _shown_to(client: Client, family: Family) -> dict[str, Any]:
    detail = client.get(f"/api/v1/families/{family.pk}/").json()
    assert detail["identifiers_masked"] is True
    record: dict[str, Any] = detail["record"]
    return record


def _save(client: Client, family: Family, record: dict[str, Any], base: int) -> Any:
    body = {"client_uuid": str(family.client_uuid), "sls": family.sls_id, "base_revision": base, "record": record}
    return client.post("/api/v1/families/save/", body, "application/json")


def _numbers(family: Family) -> tuple[str | None, list[str | None]]:
    family.refresh_from_db()
    kk = identifiers.decrypt(family.kk_ciphertext) if family.kk_ciphertext is not None else None
    niks = [
        identifiers.decrypt(m.nik_ciphertext) if m.nik_ciphertext is not None else None
        for m in Member.objects.filter(family=family).order_by("line_no")
    ]
    return kk, niks


def _stored_state(family: Family) -> tuple[Any, ...]:
    family.refresh_from_db()
    members = list(Member.objects.filter(family=family).order_by("line_no").values_list("nik_hash", "data"))
    return family.revision, family.payload_sha256, family.kk_hash, family.data, members


def test_a_pml_correction_keeps_the_identifiers_and_the_ppl_pulls_them_in_full(petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    pml = Client()
    pml.force_login(supervisor)
    record = _shown_to(pml, family)
    # Sent back as received: nothing changed, nothing refused.
    unchanged = _save(pml, family, copy.deepcopy(record), 1)
    assert unchanged.status_code == 200 and unchanged.json()["result"] == "unchanged"
    record["family"]["r302"] = 60
    saved = _save(pml, family, record, 1)
    assert saved.status_code == 200 and saved.json()["result"] == "updated", saved.content
    assert _numbers(family) == (KK, NIKS)
    changes = FamilyRevision.objects.get(family=family, revision=2).changes
    assert [(c["variable"], c["old"], c["new"]) for c in changes] == [("r302", 45, 60)]

    ppl, _token, _device = device_client(petugas)
    pulled = next(
        f for f in ppl.get("/api/v1/sync/pull/").json()["families"] if f["client_uuid"] == str(family.client_uuid)
    )
    assert pulled["revision"] == 2 and pulled["record"]["family"]["r302"] == 60
    assert pulled["record"]["family"]["r114"] == KK
    assert [m["r403"] for m in pulled["record"]["members"]] == NIKS
    # The stored hash is that of the full record: the PPL's identical content is a retry.
    assert family.payload_sha256 == records.payload_sha256(pulled["record"])
    item = {
        "client_uuid": str(family.client_uuid),
        "sls": family.sls_id,
        "base_revision": 2,
        "record": pulled["record"],
    }
    pushed = ppl.post("/api/v1/sync/push/", {"families": [item]}, "application/json").json()["results"]
    assert pushed[0]["result"] == "unchanged" and pushed[0]["revision"] == 2


def test_masks_follow_their_members_when_the_pml_reorders_or_removes_them(petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    pml = Client()
    pml.force_login(supervisor)
    record = _shown_to(pml, family)
    head, spouse, daughter, son = record["members"]
    son["r401"], daughter["r401"] = 3, 4
    record["members"] = [head, spouse, son, daughter]
    saved = _save(pml, family, record, 1)
    assert saved.status_code == 200 and saved.json()["result"] == "updated", saved.content
    assert _numbers(family) == (KK, [NIKS[0], NIKS[1], NIKS[3], NIKS[2]])
    assert list(Member.objects.filter(family=family).order_by("line_no").values_list("name", flat=True))[2:] == [
        "ADI PRATAMA",
        "RINA LESTARI",
    ]
    # The son leaves the family (moved out): his NIK goes with him, the others stay.
    record = _shown_to(pml, family)
    record["members"] = record["members"][:2] + record["members"][3:]
    record["members"][2]["r401"] = 3
    record["family"]["r112"] = 3
    saved = _save(pml, family, record, 2)
    assert saved.status_code == 200 and saved.json()["result"] == "updated", saved.content
    assert _numbers(family) == (KK, [NIKS[0], NIKS[1], NIKS[2]])


def test_a_mask_that_matches_nothing_is_refused_per_field_and_nothing_is_saved(petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    before = _stored_state(family)
    pml = Client()
    pml.force_login(supervisor)
    record = _shown_to(pml, family)
    record["family"]["r302"] = 60
    record["family"]["r114"] = "•" * 12 + "0001"  # the old form of a mask
    record["members"][1]["r403"] = "•" * 16 + "-BBBB"
    # A well-formed mask of a number this family does not hold (another family's).
    record["members"][2]["r403"] = identifiers.mask(identifiers.lookup_hash("nik", "3674071503809999"))
    refused = _save(pml, family, record, 1)
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert [(e["variable"], e["number"], e["member_index"], e["check"]) for e in errors] == [
        ("r114", "114", None, "masked_unknown"),
        ("r403", "403", 1, "masked_unknown"),
        ("r403", "403", 2, "masked_unknown"),
    ]
    assert errors[0]["message"].startswith("Nilai tersamar ini bukan No. KK")
    assert errors[1]["message"].startswith("Nilai tersamar ini bukan NIK") and errors[1]["message_en"]
    assert not any(n in refused.content.decode() for n in [*NIKS, KK])
    assert _stored_state(family) == before
    assert FamilyRevision.objects.filter(family=family).count() == 1


def test_identifiers_a_supervisor_leaves_out_are_refused_and_null_empties_them(petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    before = _stored_state(family)
    pml = Client()
    pml.force_login(supervisor)
    record = _shown_to(pml, family)
    record["family"]["r302"] = 60
    left_out = copy.deepcopy(record)
    del left_out["family"]["r114"]
    for member in left_out["members"]:
        del member["r403"]
    refused = _save(pml, family, left_out, 1)
    assert refused.status_code == 400
    assert [(e["variable"], e["member_index"], e["check"]) for e in refused.json()["errors"]] == [
        ("r114", None, "identifier_omitted"),
        *(("r403", index, "identifier_omitted") for index in range(4)),
    ]
    assert _stored_state(family) == before
    # A member without a NIK may be left out once every stored NIK is accounted for.
    record["members"][3]["r403"] = None  # the son's NIK was wrong: emptied on purpose
    record["family"]["r114"] = None
    saved = _save(pml, family, record, 1)
    assert saved.status_code == 200 and saved.json()["result"] == "updated", saved.content
    assert _numbers(family) == (None, [*NIKS[:3], None])
    record = _shown_to(pml, family)
    assert "r403" not in record["members"][3] and "r114" not in record["family"]
    record["family"]["r302"] = 61
    again = _save(pml, family, record, 2)
    assert again.status_code == 200 and again.json()["result"] == "updated", again.content
    assert _numbers(family) == (None, [*NIKS[:3], None])


def _same_tag_for_head_and_spouse(family: Family) -> None:
    head, spouse = Member.objects.filter(family=family).order_by("line_no")[:2]
    spouse.nik_hash = head.nik_hash[:8] + "0" * 56  # the same tag and token, another number
    spouse.save()


def test_two_numbers_of_a_family_with_the_same_tag_are_told_apart_by_name(petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    _same_tag_for_head_and_spouse(family)
    pml = Client()
    pml.force_login(supervisor)
    record = _shown_to(pml, family)
    assert record["members"][0]["r403"] == record["members"][1]["r403"]
    record["family"]["r302"] = 60
    saved = _save(pml, family, copy.deepcopy(record), 1)
    assert saved.status_code == 200 and saved.json()["result"] == "updated", saved.content
    assert _numbers(family)[1] == NIKS
    _same_tag_for_head_and_spouse(family)
    record = _shown_to(pml, family)
    record["members"][1]["r402"] = "SITI AMINAH BINTI AHMAD"  # renamed: the tag no longer says whose
    refused = _save(pml, family, record, 2)
    assert refused.status_code == 400
    assert [(e["member_index"], e["check"]) for e in refused.json()["errors"]] == [(1, "masked_ambiguous")]
