"""NIK and No. KK: never in plaintext at rest, rotatable keys, masked APIs, audited reveals, duplicates."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import re
import shutil
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from households import identifiers, services
from households.models import Family, FamilyRevision, IdentifierReveal, Member
from households.selectors import duplicate_identifiers_for_user
from regsosek.errors import ApplicationError, NotAllowedError
from tests.households.factories import create_family, record_for, with_niks

NIKS = ["3674071503800001", "3674076207830002", "3674075001050003", "3674070505190004"]
KK = "3674071503100001"


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_no_plaintext_nik_or_kk(petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    services.family_return(user=supervisor, family=family, comment="cek")
    services.family_save(
        user=petugas,
        sls=field["own1"],
        client_uuid=family.client_uuid,
        record=with_niks(record_for(field["own1"], r302=50), "3674071503800099"),
        base_revision=1,
        answers_return=services.family_return_id(Family.objects.get(pk=family.pk)),
    )
    settings_dict = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings_dict["PASSWORD"] or ""}
    dump = subprocess.run(
        [
            shutil.which("pg_dump") or "pg_dump",
            "--data-only",
            "-h",
            settings_dict["HOST"] or "localhost",
            "-p",
            str(settings_dict["PORT"] or 5432),
            "-U",
            settings_dict["USER"],
            settings_dict["NAME"],
        ],
        capture_output=True,
        check=True,
        env=env,
        timeout=120,
    ).stdout.decode()
    assert "BUDI SANTOSO" in dump  # the dump does hold the family
    for number in [*NIKS, KK, "3674071503800099"]:
        assert number not in dump
        assert number[::-1] not in dump


@pytest.mark.django_db
def test_keys_rotate_without_losing_a_number(petugas, field, settings):
    create_family(petugas, field["own1"])
    old = settings.FIELD_ENCRYPTION_KEYS
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *old]
    call_command("rotate_identifier_keys", verbosity=0)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    niks = [identifiers.decrypt(m.nik_ciphertext) for m in Member.objects.order_by("line_no")]
    assert niks == NIKS


@pytest.mark.django_db
def test_a_supervisor_reveals_with_a_reason_and_it_is_audited(petugas, supervisor, field):
    family = create_family(petugas, field["own1"])
    head = family.members.get(line_no=1)
    with pytest.raises(ApplicationError):
        services.identifier_reveal(user=supervisor, family=family, member=head, reason="")
    assert services.identifier_reveal(user=supervisor, family=family, member=head, reason="cek ganda NIK") == NIKS[0]
    assert services.identifier_reveal(user=supervisor, family=family, member=None, reason="cek KK dobel") == KK
    audit = list(IdentifierReveal.objects.order_by("at").values_list("actor__username", "kind", "reason"))
    assert audit == [
        (supervisor.username, "nik", "cek ganda NIK"),
        (supervisor.username, "kk", "cek KK dobel"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["petugas", "other_supervisor", "pemkot"])
def test_others_cannot_reveal(petugas, field, request, persona):
    family = create_family(petugas, field["own1"])
    with pytest.raises(NotAllowedError):
        services.identifier_reveal(
            user=request.getfixturevalue(persona), family=family, member=None, reason="ingin tahu"
        )
    assert not IdentifierReveal.objects.exists()


@pytest.mark.django_db
def test_one_nik_in_two_families_and_one_kk_twice_are_flagged(petugas, supervisor, koseka, field, other_supervisor):
    first = create_family(petugas, field["own1"])
    second = create_family(
        petugas,
        field["own2"],
        with_niks(record_for(field["own2"]), NIKS[0], "3674076207830012", "3674075001050013", "3674070505190014"),
    )
    flags = duplicate_identifiers_for_user(user=supervisor).groups
    assert {"kind": "nik", "families": [first.pk, second.pk], "elsewhere": 0} in flags
    assert {"kind": "kk", "families": [first.pk, second.pk], "elsewhere": 0} in flags
    assert duplicate_identifiers_for_user(user=other_supervisor).groups == []
    assert len(duplicate_identifiers_for_user(user=koseka).groups) == 2


@pytest.mark.django_db
def test_one_nik_twice_in_one_family_is_flagged(petugas, supervisor, field):
    family = create_family(petugas, field["own1"], with_niks(record_for(field["own1"]), NIKS[0], NIKS[0]))
    flags = duplicate_identifiers_for_user(user=supervisor).groups
    assert {"kind": "nik_in_family", "families": [family.pk], "elsewhere": 0} in flags


def test_the_mask_holds_no_digit_and_its_tag_tells_numbers_apart(settings):
    settings.IDENTIFIER_HASH_KEY = "kunci uji"
    hashes = [identifiers.lookup_hash("nik", number) for number in NIKS]
    masks = [identifiers.mask(h) for h in hashes]
    assert all(re.fullmatch(r"•{16}-[BCDFGHJKLMNPQRSTVWXZ]{4}", m) for m in masks)
    assert len(set(masks)) == len(NIKS)
    assert identifiers.mask("") == "" and identifiers.history_value(hashes[0]).startswith(masks[0] + " [")
    # Keyed: another key gives other tags for the same numbers.
    settings.IDENTIFIER_HASH_KEY = "kunci lain"
    assert [identifiers.mask(identifiers.lookup_hash("nik", n)) for n in NIKS] != masks


@pytest.mark.django_db
def test_the_backfill_rewrites_old_revisions_without_the_last_four_digits(petugas, field):
    """Revisions written before the tags kept "••••••••••••<last four> [<hash[:8]>]"."""
    family = create_family(petugas, field["own1"])
    corrected = with_niks(record_for(field["own1"]), "3674071503800099")
    services.family_save(
        user=petugas, sls=field["own1"], client_uuid=family.client_uuid, record=corrected, base_revision=1
    )
    revision = FamilyRevision.objects.get(family=family, revision=2)
    new_style = list(revision.changes)
    old_hash, new_hash = (identifiers.lookup_hash("nik", n) for n in (NIKS[0], "3674071503800099"))
    old_values = {"old": f"{'•' * 12}0001 [{old_hash[:8]}]", "new": f"{'•' * 12}0099 [{new_hash[:8]}]"}
    revision.changes = [
        {"variable": "r403", "member_index": 0, **old_values},
        {"variable": "r302", "member_index": None, "old": 45, "new": "•••• is an answer, not a number"},
    ]
    revision.save()
    backfill = importlib.import_module("households.migrations.0003_fill_revision_identifier_tokens")
    backfill.fill_revision_identifier_tokens(django_apps, None)
    revision.refresh_from_db()
    assert revision.changes[0] == new_style[0] | {
        "old": identifiers.history_value(old_hash),
        "new": identifiers.history_value(new_hash),
    }
    assert revision.changes[1]["new"] == "•••• is an answer, not a number"
    assert "0001" not in str(revision.changes) and "0099" not in str(revision.changes)


@pytest.mark.django_db
def test_bulk_reveals_are_limited_per_user_and_alerted(client, petugas, supervisor, koseka, field, settings, caplog):
    settings.IDENTIFIER_REVEAL_LIMIT, settings.IDENTIFIER_REVEAL_WINDOW_MINUTES = 3, 60
    family = create_family(petugas, field["own1"])
    client.force_login(supervisor)
    url = f"/api/v1/families/{family.pk}/reveal/"
    for line in (1, 2, 3):
        assert (
            client.post(url, {"member_line_no": line, "reason": "cek dukcapil"}, "application/json").status_code == 200
        )
    with caplog.at_level(logging.WARNING, logger="households.services"):
        refused = client.post(url, {"member_line_no": 4, "reason": "cek dukcapil"}, "application/json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_requests" and "Batas membuka NIK" in refused.json()["message"]
    assert 3500 < int(refused["Retry-After"]) <= 3600 and refused["Cache-Control"] == "no-store"
    assert NIKS[3] not in refused.content.decode()
    alert = [r for r in caplog.records if r.getMessage() == "identifier.reveal_limited"]
    assert len(alert) == 1 and alert[0].levelno == logging.WARNING
    assert (alert[0].user_id, alert[0].family_id, alert[0].limit) == (supervisor.pk, family.pk, 3)  # type: ignore[attr-defined]
    assert not any(n[-4:] in str(vars(alert[0])) for n in NIKS)
    assert IdentifierReveal.objects.filter(actor=supervisor).count() == 3  # the refused one revealed nothing
    # Per user: the Koseka still may; and once the window has passed, the PML may again.
    assert services.identifier_reveal(user=koseka, family=family, member=None, reason="cek KK dobel") == KK
    IdentifierReveal.objects.filter(actor=supervisor).update(at=timezone.now() - dt.timedelta(minutes=61))
    assert (
        client.post(url, {"member_line_no": 4, "reason": "cek dukcapil"}, "application/json").json()["value"] == NIKS[3]
    )


@pytest.mark.django_db
def test_duplicates_are_one_query_and_count_families_out_of_scope(
    petugas, other_petugas, supervisor, bps_admin, pemkot, field, django_assert_num_queries
):
    first = create_family(petugas, field["own1"])
    twice = create_family(petugas, field["own2"], with_niks(record_for(field["own2"]), NIKS[1], NIKS[1]))
    # Another kecamatan's family with the first family's NIK: outside the PML's scope.
    elsewhere = create_family(
        other_petugas,
        field["other"],
        with_niks(record_for(field["other"], r114="3674071503100099"), NIKS[0], "3674076207830022"),
    )
    with django_assert_num_queries(1):
        flags = duplicate_identifiers_for_user(user=supervisor).groups
    assert {"kind": "nik", "families": [first.pk], "elsewhere": 1} in flags
    assert {"kind": "nik_in_family", "families": [twice.pk], "elsewhere": 0} in flags
    assert {"kind": "kk", "families": [first.pk, twice.pk], "elsewhere": 0} in flags
    assert {"kind": "nik", "families": [first.pk, elsewhere.pk], "elsewhere": 0} in duplicate_identifiers_for_user(
        user=bps_admin
    ).groups
    assert duplicate_identifiers_for_user(user=pemkot).groups == []
