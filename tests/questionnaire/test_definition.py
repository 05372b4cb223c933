"""The definition loader, its structural checks, and the regsosek22k-1 content."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest

from households.questionnaire.definition import (
    DefinitionError,
    available_definitions,
    check_definition,
    definition_from_data,
    load_definition,
)
from households.questionnaire.validate import RecordError, validate
from tests.questionnaire.records import base_context, base_record

DEFINITION = load_definition("regsosek22k", "1")


def _data() -> dict[str, Any]:
    return copy.deepcopy(dict(DEFINITION.data))


def _variable(data: dict[str, Any], variable_id: str) -> dict[str, Any]:
    for block in data["blocks"]:
        for item in block["items"]:
            for variable in item.get("variables", [item]):
                if variable["id"] == variable_id:
                    return variable  # type: ignore[no-any-return]
    raise KeyError(variable_id)


def test_it_loads_the_2022_family_questionnaire() -> None:
    assert (DEFINITION.form, DEFINITION.version) == ("regsosek22k", "1")
    assert ("regsosek22k", "1") in available_definitions()
    assert [block["id"] for block in DEFINITION.data["blocks"]] == ["I", "II", "III", "IV", "V", "VI"]


def test_the_served_json_is_canonical_and_hashed() -> None:
    body = DEFINITION.canonical_json
    assert json.loads(body) == DEFINITION.data
    assert DEFINITION.sha256 == hashlib.sha256(body).hexdigest()
    assert DEFINITION.etag == f'"regsosek22k-1-{DEFINITION.sha256[:16]}"'
    assert body.startswith(b'{"blocks":[{"id":"I",')  # sorted keys, no whitespace
    assert b"\n" not in body


@pytest.mark.parametrize(("form", "version"), [("regsosek22k", "9"), ("../definitions/regsosek22k", "1"), ("x", "")])
def test_unknown_or_malformed_names_are_not_found(form: str, version: str) -> None:
    with pytest.raises(LookupError):
        load_definition(form, version)


# Every variable number of the codebook (domain.md A2) and the code lists it gives.
_CODEBOOK_NUMBERS_TEXT = (
    "101 102 103 104 105 105a 106 107 108 109 110 111 112 113 114 115 201 202 203 204 205 "
    "301a 301b 302 303 304 305 306a 306b 307a 307b1 307b2 307b3 308 309a 309b 310 "
    "401 402 403 404 405 406 407 408 409 410 411 412 413 414 415 416a 416b 417 418 419 420 421 422 423 424 "
    "425 426 427 428a 428b 428c 428d 428e 428f 428g 428h 428i 428j 429 430 431a 431b 431c 431d 431e 431f "
    "501a 501b 501c 501d 501e 501f 501g 502a 502b 502c 502d 502e 502f 502g 502h 502i 502j 502k 502l 502m "
    "502n 503a 503b 504a 504b 504c 504d 504e 505 506"
)
CODEBOOK_NUMBERS = _CODEBOOK_NUMBERS_TEXT.split()

CODE_LISTS: dict[str, set[int]] = {
    "r111": {1, 2, 3},
    "r115": {0, 1, 2},
    "r205": {1, 2, 3, 4, 5},
    "r301a": set(range(1, 6)),
    "r301b": set(range(1, 7)),
    "r303": set(range(1, 10)),
    "r304": set(range(1, 8)),
    "r305": set(range(1, 9)),
    "r306a": set(range(1, 12)),
    "r306b": {1, 2, 8},
    "r307a": {1, 2, 3, 4},
    "r307b1": set(range(1, 6)),
    "r308": set(range(0, 12)),
    "r309a": set(range(1, 7)),
    "r309b": {1, 2, 3, 4},
    "r310": set(range(1, 7)),
    "r404": set(range(1, 6)),
    "r405": {1, 2},
    "r408": {1, 2, 3, 4},
    "r409": set(range(1, 9)),
    "r410": {1, 2},
    "r411": {0, 1, 2, 4},
    "r412": {1, 2, 3},
    "r413": set(range(1, 23)),
    "r415": set(range(1, 24)),
    "r416a": {1, 2},
    "r417": set(range(1, 27)),
    "r418": set(range(1, 9)),
    "r419": {1, 2, 3},
    "r420": {1, 2},
    "r421": set(range(1, 27)),
    "r424": set(range(1, 13)),
    "r425": set(range(1, 8)),
    "r426": {0, 1, 2, 4, 8, 16, 32},
    "r427": {1, 2, 3, 8},
    "r428a": {1, 2, 3, 4},
    "r428j": {1, 2, 3, 4},
    "r429": {1, 2, 3},
    "r430": set(range(1, 19)),
    "r431a": {0, 1, 2, 4, 8, 99},
    "r431b": {1, 2, 8},
    "r431e": {1, 2, 8},
    "r431f": {0, 1, 2, 4, 8, 16, 99},
    "r501a": {1, 2},
    "r502a": {1, 2},
    "r503b": {1, 2},
    "r505": {0, 1, 2, 3},
    "r506": {1, 2, 3, 4},
}


def test_every_codebook_number_is_a_variable() -> None:
    numbers = {v["number"] for v in DEFINITION.family_variables() + DEFINITION.member_variables()}
    assert set(CODEBOOK_NUMBERS) - numbers == set()


@pytest.mark.parametrize(("variable_id", "codes"), CODE_LISTS.items())
def test_code_lists_follow_the_codebook(variable_id: str, codes: set[int]) -> None:
    variable = DEFINITION.variable(variable_id)
    assert {entry["code"] for entry in variable["codes"]} == codes


def test_members_live_in_the_repeated_group() -> None:
    group = DEFINITION.group()
    assert group is not None and group["id"] == "members"
    assert {v["number"] for v in DEFINITION.member_variables()} == {n for n in CODEBOOK_NUMBERS if n[0] == "4"}


def test_the_photo_trigger_codes_are_a_definition_setting() -> None:
    assert DEFINITION.data["context"]["photo_trigger_codes"]["default"] == [1, 2]
    assert [entry["id"] for entry in DEFINITION.data["derived"]] == ["photo_required"]


def test_help_for_the_ppl_is_in_both_languages_and_never_a_developer_note() -> None:
    variables = [
        variable
        for block in DEFINITION.data["blocks"]
        for item in block["items"]
        for variable in item.get("variables", [item])
    ]
    helped = [v for v in variables if "help_id" in v]
    assert len(helped) >= 10
    for variable in helped:
        assert variable["help_id"] != variable["help_en"]
        assert variable["help_id"] != variable.get("note")
    # The answers about the building are shared by its families: Blok III only.
    building = {v["id"] for v in variables if v.get("building")}
    blok_iii = {item["id"] for item in DEFINITION.data["blocks"][2]["items"]}
    assert building and building <= blok_iii


def test_the_nik_region_prefix_is_not_hard_coded() -> None:
    assert "3674" not in json.dumps([DEFINITION.data["blocks"], DEFINITION.data["derived"]])


# --- structural problems --------------------------------------------------------------


def _problems(edit: Any) -> list[str]:
    data = _data()
    edit(data)
    return check_definition(data)


def test_the_shipped_definition_has_no_problems() -> None:
    assert check_definition(_data()) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: _variable(d, "r102").__setitem__("id", "r101"), "duplicate id"),
        (
            lambda d: _variable(d, "r205")["codes"].append({"code": 1, "label_id": "x", "label_en": "x"}),
            "duplicate code 1",
        ),
        (
            lambda d: _variable(d, "r205")["codes"].append({"code": "6", "label_id": "x", "label_en": "x"}),
            "must be an integer",
        ),
        (
            lambda d: _variable(d, "r301b").__setitem__("relevant", {"log": 1}),
            "'log' is not on the whitelist",
        ),
        (
            lambda d: _variable(d, "r301b").__setitem__("relevant", {"==": [{"var": "family.r301x"}, 1]}),
            "unknown path 'family.r301x'",
        ),
        (
            lambda d: _variable(d, "r301b").__setitem__("relevant", {"==": [{"var": "member.r404"}, 1]}),
            "unknown path 'member.r404'",
        ),
        (
            lambda d: _variable(d, "r405").__setitem__("relevant", {"==": [{"var": "member.r301a"}, 1]}),
            "unknown path 'member.r301a'",
        ),
        (
            lambda d: _variable(d, "r405").__setitem__("relevant", {"==": [{"var": {"cat": ["member.", "r404"]}}, 1]}),
            "literal path",
        ),
        (lambda d: _variable(d, "r405").__setitem__("relevant", {"var": "context.nope"}), "unknown path"),
        (
            lambda d: _variable(d, "r405").__setitem__("relevant", {"var": "member.r404.constructor"}),
            "unknown path",
        ),
        (lambda d: _variable(d, "r405").__setitem__("relevent", True), "unknown key 'relevent'"),
        (lambda d: _variable(d, "r114").pop("help_en"), "help_id and help_en go together"),
        (lambda d: _variable(d, "r114").__setitem__("help_id", " "), "help_id must be a non-empty string"),
        (lambda d: _variable(d, "r405").__setitem__("building", True), "only on a family variable"),
        (lambda d: _variable(d, "r303").__setitem__("building", False), "building must be true"),
        (lambda d: _variable(d, "r405").__setitem__("type", "text"), "type must be one of"),
        (lambda d: _variable(d, "r405").pop("codes"), "codes must be a non-empty list"),
        (lambda d: _variable(d, "r402").__setitem__("codes", []), "only code and multicode"),
        (lambda d: _variable(d, "r302")["checks"][0].__setitem__("severity", "fatal"), "severity"),
        (
            lambda d: _variable(d, "r302")["checks"][0].__setitem__("variables", ["r999"]),
            "unknown variable 'r999'",
        ),
        (lambda d: _variable(d, "r302")["checks"][0].__setitem__("id", "r101_format"), "duplicate check id"),
        (lambda d: _variable(d, "r302")["checks"][0].__setitem__("rule", {"is_digits": ["1"]}), "takes 2-3"),
        (
            lambda d: _variable(d, "r302")["checks"][0].__setitem__("rule", {"map": [{"var": "members"}, 1, 2]}),
            "map takes 2",
        ),
        (
            lambda d: _variable(d, "r302")["checks"][0].__setitem__(
                "rule", {"some": [{"var": "members"}, {"var": "r999"}]}
            ),
            "unknown path 'r999'",
        ),
        (
            lambda d: _variable(d, "r302")["checks"][0].__setitem__("rule", {"missing": ["family.r999"]}),
            "missing: unknown path",
        ),
        (
            lambda d: _variable(d, "r302")["checks"][0].__setitem__("rule", {"==": [{"a": 1, "b": 2}, 1]}),
            "object literal",
        ),
        (lambda d: d["messages"].pop("code"), "messages.code"),
        (lambda d: d["context"].__setitem__("toString", {"default": 1}), "JavaScript built-in"),
        (lambda d: d.__setitem__("version", 1), "version"),
        (lambda d: d["blocks"][3]["items"][0].__setitem__("id", "anggota"), "group id must be 'members'"),
        (
            lambda d: d["derived"][0].__setitem__("rule", {"in": [{"var": "member.r111"}, [1]]}),
            "unknown path",
        ),
    ],
)
def test_structural_problems_are_reported(edit: Any, expected: str) -> None:
    problems = _problems(edit)
    assert any(expected in problem for problem in problems), problems


def test_a_malformed_definition_raises_with_every_problem() -> None:
    data = _data()
    _variable(data, "r302")["type"] = "enum"
    _variable(data, "r302")["checks"][0]["severity"] = "fatal"
    with pytest.raises(DefinitionError) as raised:
        definition_from_data(data, name="broken.json")
    assert len(raised.value.problems) == 2
    assert "broken.json" in str(raised.value)


def test_validate_accepts_a_plain_definition_dict() -> None:
    assert validate(_data(), base_record(), base_context()) == []


@pytest.mark.parametrize(
    "record",
    [
        [],
        {**base_record(), "version": "2"},
        {**base_record(), "form": "regsosek22xk"},
        {**base_record(), "family": []},
        {**base_record(), "members": {}},
        {**base_record(), "members": [1]},
    ],
)
def test_records_of_the_wrong_shape_are_refused(record: Any) -> None:
    with pytest.raises(RecordError):
        validate(DEFINITION, record, base_context())


def test_missing_family_and_members_count_as_empty() -> None:
    issues = validate(DEFINITION, {"form": "regsosek22k", "version": "1"}, base_context())
    assert issues[0]["check"] == "required" and issues[0]["variable"] == "r101"


def test_messages_name_the_variable_and_never_its_value() -> None:
    record = base_record()
    record["members"][0]["r403"] = "367407150380000X"
    record["family"]["r302"] = None
    issues = validate(DEFINITION, record, base_context())
    assert issues[0]["message"] == "302 Luas lantai (m2): wajib diisi."
    assert issues[0]["message_en"] == "302 Floor area (m2): an answer is required."
    assert issues[1]["message"] == "NIK harus 16 angka."
    assert all("367407150380000X" not in issue["message"] + issue["message_en"] for issue in issues)
