"""The family page: blocks with labels and value labels, roster, warnings, masks, history."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from households import services
from households.form import definition_for_family
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.django_db


def _page(client, family):
    response = client.get(f"/review/families/{family.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_record_reads_by_block_with_labels_not_codes(client, supervisor, family):
    client.force_login(supervisor)
    body = _page(client, family)
    definition = definition_for_family(family)
    blocks = definition.data["blocks"]
    for block in blocks:
        assert block["label_id"] in body
    r303 = definition.variable("r303")
    chosen = next(c for c in r303["codes"] if c["code"] == family.data["r303"])
    row = body[body.index('id="v-r303"') :]
    row = row[: row.index("</tr>")]
    assert r303["label_id"] in row and chosen["label_id"] in row
    # Member roster: a table with the names.
    assert "BUDI SANTOSO" in body and "SITI AMINAH" in body and 'id="m2-r402"' in body


def test_the_developer_notes_of_the_definition_are_not_shown(client, supervisor, family):
    client.force_login(supervisor)
    body = _page(client, family)
    definition = definition_for_family(family)
    notes = [v["note"] for v in definition.family_variables() + definition.member_variables() if v.get("note")]
    assert notes
    for note in notes:
        assert note not in body and json.dumps(note)[1:-1] not in body


def test_identifiers_are_masked(client, supervisor, family):
    client.force_login(supervisor)
    body = _page(client, family)
    assert "3674071503100001" not in body  # No. KK
    assert "3674071503800001" not in body  # a NIK
    assert "••••••••••••••••-" in body


def test_each_warning_stands_beside_its_variable(client, supervisor, petugas, field):
    record = record_for(field["own1"], r108="NAMA LAIN")  # differs from the head in the roster
    family = create_family(petugas, field["own1"], record)
    assert family.warnings
    client.force_login(supervisor)
    body = _page(client, family)
    row = body[body.index('id="v-r108"') :]
    row = row[: row.index("</tr>")]
    assert "has-warning" in body[body.index('id="v-r108"') - 40 : body.index('id="v-r108"') + 40]
    assert family.warnings[0]["message"] in row and "108" in row
    assert 'href="#v-r108"' in body


def test_the_page_follows_the_chosen_language(client, supervisor, family):
    client.force_login(supervisor)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = _page(client, family)
    definition = definition_for_family(family)
    assert definition.variable("r303")["label_en"] in body
    translation.activate("id")


def test_history_shows_changes_with_labels_who_and_when(client, supervisor, petugas, field):
    family = create_family(petugas, field["own1"])
    record = record_for(field["own1"])
    record["family"]["r302"] = 77
    services.family_save(
        user=petugas, sls=field["own1"], client_uuid=family.client_uuid, record=record, base_revision=1
    )
    services.family_return(user=supervisor, family=family, comment="Cek luas lantai")
    client.force_login(supervisor)
    body = _page(client, family)
    history = body[body.index('id="history-title"') :]
    label = definition_for_family(family).variable("r302")["label_id"]
    assert label in history and "<ins>77</ins>" in history
    assert petugas.username in history and "Cek luas lantai" in history
    assert "Dikirim → Dikembalikan" in history


def test_names_and_comments_are_shown_as_text(client, supervisor, petugas, field):
    record = record_for(field["own1"], r108="<img src=x onerror=alert(1)>")
    record["members"][1]["r402"] = "<script>alert(2)</script>"
    family = create_family(petugas, field["own1"], record)
    services.family_return(user=supervisor, family=family, comment="<b>tebal</b>")
    client.force_login(supervisor)
    body = _page(client, family)
    assert "<img src=x" not in body and "<script>alert(2)" not in body and "<b>tebal</b>" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in body and "&lt;b&gt;tebal&lt;/b&gt;" in body


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "bps_admin"])
def test_the_family_page_costs_a_fixed_number_of_queries(
    client, request, persona, petugas, field, django_assert_num_queries
):
    small = create_family(petugas, field["own1"])
    # Another family with more revisions and review events.
    big = create_family(petugas, field["own2"])
    for area in (60, 61, 62):
        record = record_for(field["own2"])
        record["family"]["r302"] = area
        big = services.family_save(
            user=petugas, sls=field["own2"], client_uuid=big.client_uuid, record=record, base_revision=big.revision
        ).family
    services.family_approve(user=request.getfixturevalue("supervisor"), family=big)
    client.force_login(request.getfixturevalue(persona))
    # session, user, synthetic banner, family (SLS, area, authors, geotag and VK1 row joined, the
    # geotag's flags as an array), the audit entry, members, photos, revisions, events, and the queue's
    # neighbours (the family's sort keys, the previous, the next)
    with django_assert_num_queries(12):
        client.get(f"/review/families/{small.pk}/")
    with django_assert_num_queries(12):
        client.get(f"/review/families/{big.pk}/")
