"""Saving families with their members: validation, one transaction, retries, conflicts, revisions."""

from __future__ import annotations

import copy
import re
import uuid

import pytest

from households import form, identifiers, records, selectors, services
from households.models import Family, FamilyRevision, FamilyStatus, Member, ReviewEvent
from regsosek.errors import ConflictError, NotAllowedError
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.django_db


def test_a_valid_family_is_stored_with_its_members_in_typed_columns(petugas, field):
    sls = field["own1"]
    family = create_family(petugas, sls)
    assert family.status == FamilyStatus.SUBMITTED and family.revision == 1
    assert (family.building_no, family.family_no, family.head_name) == ("001", "001", "BUDI SANTOSO")
    assert family.welfare_estimate == 2 and family.photo_required is True and family.member_count == 4
    members = list(family.members.order_by("line_no"))
    assert [m.relationship for m in members] == [1, 2, 3, 3]
    assert members[0].birth_date.isoformat() == "1980-03-15" and members[0].age == 42
    # No plaintext identifiers anywhere in the row: only ciphertext and keyed hash, no digit beside them.
    assert "r114" not in family.data and all("r403" not in m.data for m in members)
    assert family.kk_hash == identifiers.lookup_hash("kk", "3674071503100001")
    assert identifiers.decrypt(members[0].nik_ciphertext) == "3674071503800001"
    assert ReviewEvent.objects.get(family=family).to_status == FamilyStatus.SUBMITTED
    assert FamilyRevision.objects.get(family=family).revision == 1


def test_an_invalid_family_is_refused_with_errors_per_variable_and_nothing_is_saved(petugas, field):
    record = record_for(field["own1"], r302=-5)
    record["members"][0]["r409"] = 3  # no head of family left
    with pytest.raises(services.RecordInvalidError) as caught:
        services.family_save(
            user=petugas, sls=field["own1"], client_uuid=uuid.uuid4(), record=record, base_revision=None
        )
    errors = caught.value.errors
    assert {e["number"] for e in errors} >= {"302"}
    assert all(e["severity"] == "error" and e["message"] for e in errors)
    assert any(e["member_index"] is None and e["variable"] == "r302" for e in errors)
    assert not Family.objects.exists() and not Member.objects.exists() and not ReviewEvent.objects.exists()


def test_area_codes_must_be_those_of_the_sls(petugas, field):
    record = record_for(field["own1"], r105="0099")
    with pytest.raises(services.RecordInvalidError) as caught:
        services.family_save(
            user=petugas, sls=field["own1"], client_uuid=uuid.uuid4(), record=record, base_revision=None
        )
    assert [(e["variable"], e["check"]) for e in caught.value.errors] == [("r105", "sls_area")]


def test_an_unknown_form_version_is_refused(petugas, field):
    record = record_for(field["own1"])
    record["version"] = "99"
    with pytest.raises(services.RecordInvalidError.__mro__[1]) as caught:
        services.family_save(
            user=petugas, sls=field["own1"], client_uuid=uuid.uuid4(), record=record, base_revision=None
        )
    assert caught.value.extra["errors"][0]["variable"] == "form"


def test_the_same_family_sent_twice_is_stored_once(petugas, field):
    key, record = uuid.uuid4(), record_for(field["own1"])
    first = services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=record, base_revision=None)
    again = services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=record, base_revision=None)
    assert (first.outcome, again.outcome) == ("created", "unchanged")
    assert Family.objects.count() == 1 and Member.objects.count() == 4


def test_an_update_from_the_current_revision_makes_a_new_revision_with_its_diff(petugas, field):
    key, record = uuid.uuid4(), record_for(field["own1"])
    services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=record, base_revision=None)
    record["family"]["r302"] = 60
    record["members"][0]["r403"] = "3674071503800009"
    result = services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=record, base_revision=1)
    assert result.outcome == "updated" and result.family.revision == 2
    changes = FamilyRevision.objects.get(family=result.family, revision=2).changes
    by_var = {(c["variable"], c["member_index"]): c for c in changes}
    assert by_var[("r302", None)] | {} == {"variable": "r302", "member_index": None, "old": 45, "new": 60}
    nik_change = by_var[("r403", 0)]
    old_hash, new_hash = (identifiers.lookup_hash("nik", n) for n in ("3674071503800001", "3674071503800009"))
    assert nik_change["old"] == identifiers.history_value(old_hash)
    assert nik_change["new"] == identifiers.history_value(new_hash)
    assert re.fullmatch(r"•{16}-[A-Z]{4} \[[A-Z]{8}\]", nik_change["new"])
    assert "0009" not in str(changes) and "3674071503800009" not in str(changes)


def test_a_stale_base_revision_is_a_conflict_never_an_overwrite(petugas, field):
    key, record = uuid.uuid4(), record_for(field["own1"])
    services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=record, base_revision=None)
    record["family"]["r302"] = 60
    services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=record, base_revision=1)
    record["family"]["r302"] = 70
    with pytest.raises(ConflictError) as caught:
        services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=record, base_revision=1)
    assert caught.value.extra["revision"] == 2
    assert Family.objects.get(client_uuid=key).data["r302"] == 60


def test_only_the_assigned_ppl_may_create(petugas, teammate, supervisor, other_petugas, field):
    for user in (teammate, supervisor, other_petugas):
        with pytest.raises(NotAllowedError):
            create_family(user, field["own1"])
    assert not Family.objects.exists()


@pytest.mark.parametrize(
    ("where", "variable", "check"),
    [
        ("family", "r108", "max_length"),
        ("member", "r402", "max_length"),
        ("family", "r107", "max_length"),
        ("roster", "members", "max_members"),
    ],
)
def test_oversized_answers_are_refused_not_crashed(petugas, field, where, variable, check):
    record = record_for(field["own1"])
    if where == "family":
        record["family"][variable] = "A" * 600
    elif where == "member":
        record["members"][0][variable] = "B" * 151
    else:
        record["members"] += [dict(record["members"][3], r401=i + 5) for i in range(60)]
    with pytest.raises(services.RecordInvalidError) as caught:
        services.family_save(
            user=petugas, sls=field["own1"], client_uuid=uuid.uuid4(), record=record, base_revision=None
        )
    assert (variable, check) in [(e["variable"], e["check"]) for e in caught.value.errors]
    assert not Family.objects.exists()


def test_revision_1_lists_no_changes_and_every_revision_can_be_rebuilt(petugas, field):
    """Revision 1 stores no change list; the answers at any revision are the current ones with the
    later revisions' old values put back (selectors.family_answers_at)."""
    key, first = uuid.uuid4(), record_for(field["own1"])
    services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=first, base_revision=None)
    second = copy.deepcopy(first)
    second["family"]["r302"] = 60
    second["members"][0]["r403"] = "3674071503800009"
    services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=second, base_revision=1)
    third = copy.deepcopy(second)
    third["family"]["r302"] = 70
    del third["members"][3]  # the last member leaves the roster
    result = services.family_save(user=petugas, sls=field["own1"], client_uuid=key, record=third, base_revision=2)
    family = result.family
    assert FamilyRevision.objects.get(family=family, revision=1).changes == []
    definition = form.definition_for_family(family)

    def flat(record: dict[str, object]) -> dict[str, object]:
        answers = records.flatten_for_history(definition, records.split(definition, record))
        return {k: v for k, v in sorted(answers.items()) if v is not None}

    for revision, record in ((1, first), (2, second), (3, third)):
        assert selectors.family_answers_at(family=family, revision=revision) == flat(record)
    assert flat(first)["members.3.r402"] == first["members"][3]["r402"]
    assert "3674071503800009" not in str(selectors.family_answers_at(family=family, revision=2))
    assert selectors.family_answers_at(family=family, revision=4) is None
    assert selectors.family_answers_at(family=family, revision=0) is None


def test_a_roster_over_the_limit_is_refused_before_anything_else_is_checked(petugas, field):
    record = record_for(field["own1"])
    record["members"] = [dict(record["members"][3], r401=i + 1, r402=None) for i in range(5000)]
    record["family"]["r302"] = -1  # would be an error too, were it checked
    with pytest.raises(services.RecordInvalidError) as caught:
        services.family_save(
            user=petugas, sls=field["own1"], client_uuid=uuid.uuid4(), record=record, base_revision=None
        )
    assert [(e["variable"], e["check"]) for e in caught.value.errors] == [("members", "max_members")]


@pytest.mark.parametrize("where", ["family", "member"])
def test_a_row_crowded_with_unknown_keys_is_refused_with_one_issue(petugas, field, where):
    record = record_for(field["own1"])
    row = record["family"] if where == "family" else record["members"][2]
    row.update({f"x{i}": i for i in range(100_000)})
    with pytest.raises(services.RecordInvalidError) as caught:
        services.family_save(
            user=petugas, sls=field["own1"], client_uuid=uuid.uuid4(), record=record, base_revision=None
        )
    assert [(e["check"], e["member_index"]) for e in caught.value.errors] == [
        ("max_keys", None if where == "family" else 2)
    ]


def test_a_few_unknown_keys_are_each_named(petugas, field):
    record = record_for(field["own1"])
    record["family"].update({"x1": 1, "x2": 2})
    with pytest.raises(services.RecordInvalidError) as caught:
        services.family_save(
            user=petugas, sls=field["own1"], client_uuid=uuid.uuid4(), record=record, base_revision=None
        )
    assert [(e["variable"], e["check"]) for e in caught.value.errors] == [("x1", "unknown"), ("x2", "unknown")]
