"""The phone runs the server's own record checks before finalising (static/js/questionnaire/
server-checks.js): the same limits, check names and messages as households/form.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from enumeration.models import SLS
from households import form
from tests.households.factories import record_for

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "static/js/questionnaire/server-checks.js"


def test_the_limits_are_the_servers() -> None:
    source = SCRIPT.read_text()
    assert f"export const MAX_MEMBERS = {form.MAX_MEMBERS};" in source
    assert f"export const MAX_TEXT = {form.MAX_TEXT};" in source
    limits = dict(re.findall(r"(\d{3}): (\d+)", source.split("COLUMN_TEXT_LIMITS = ", 1)[1].split("}", 1)[0]))
    assert {k: int(v) for k, v in limits.items()} == form.COLUMN_TEXT_LIMITS


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_phone_and_the_server_find_the_same_issues(field) -> None:  # type: ignore[no-untyped-def]
    sls: SLS = field["own1"]
    definition = form.definition_or_none("regsosek22k", "1")
    assert definition is not None
    records = []
    for change in ("name", "address", "emoji", "half", "nul", "roster"):
        record = record_for(sls)
        if change == "name":
            record["members"][1]["r402"] = "A" * 151
        elif change == "address":
            record["family"]["r107"] = "🏠" * 501
        elif change == "emoji":
            record["members"][0]["r402"] = "SRI 🌸"
        elif change == "half":
            record["members"][2]["r402"] = "SRI \ud83c"
        elif change == "nul":
            record["family"]["r107"] = "Gg. Mawar\u0000"
        else:
            record["members"] = [dict(record["members"][3], r401=i + 1) for i in range(form.MAX_MEMBERS + 1)]
        records.append(record)
    script = (
        f"import {{ serverChecks }} from {json.dumps(SCRIPT.as_uri())};"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(input.records.map((r) => serverChecks(input.definition, r))));"
    )
    run = subprocess.run(
        ["node", "--input-type=module", "-e", script.replace("require('fs')", "(await import('node:fs'))")],
        input=json.dumps({"definition": definition.data, "records": records}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    phone = json.loads(run.stdout)
    server_checks = {"max_length", "character", "max_members"}
    server = [[i for i in form.validate(definition, r, sls=sls) if i["check"] in server_checks] for r in records]
    assert phone == server
    assert [len(issues) for issues in phone] == [1, 1, 0, 1, 1, 1]
