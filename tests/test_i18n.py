"""Every user-facing string has its English translation."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LC_MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"
# Python and templates ("django"), and the enumerator app's JavaScript ("djangojs").
DOMAINS = {
    "django": {"ignore_patterns": [".venv/*", "node_modules/*", ".local/*"]},
    "djangojs": {
        "ignore_patterns": [".venv/*", "node_modules/*", ".local/*", "static/dist/*", "*.test.js", "fake-server.js",
                            "property-harness.js", "testing.js", "eval-cli.js"],
    },
}  # fmt: skip


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_is_translated_to_english(domain):
    po = LC_MESSAGES / f"{domain}.po"
    msgattrib = shutil.which("msgattrib")
    assert msgattrib, "gettext is installed by scripts/install-system-deps.sh"
    untranslated = subprocess.run(
        [msgattrib, "--untranslated", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    assert "msgid" not in untranslated.replace('msgid ""\nmsgstr ""', "", 1), untranslated[:2000]
    # A fuzzy entry is a guess by msgmerge (often another sentence's translation): never shipped.
    fuzzy = subprocess.run(
        [msgattrib, "--only-fuzzy", "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    assert "msgid" not in fuzzy.replace('msgid ""\nmsgstr ""', "", 1), fuzzy[:2000]


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_po_file_is_in_sync_with_the_code_strings(domain):
    """makemessages would add nothing: a new string in code without an English line fails here."""
    import os

    from django.core.management import call_command

    po = LC_MESSAGES / f"{domain}.po"
    root = po.parent.parent.parent.parent
    before = po.read_text(encoding="utf-8")
    cwd = os.getcwd()
    try:
        os.chdir(root)
        call_command("makemessages", locale=["en"], domain=domain, verbosity=0, no_location=True, **DOMAINS[domain])
        after = po.read_text(encoding="utf-8")
    finally:
        po.write_text(before, encoding="utf-8")
        os.chdir(cwd)

    def msgids(text: str) -> set[str]:
        found = set()
        for block in text.split("\n\n"):
            lines = block.splitlines()
            starts = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
            if not starts:
                continue
            i = starts[0]
            parts = [lines[i][len("msgid ") :]]
            i += 1
            while i < len(lines) and lines[i].startswith('"'):
                parts.append(lines[i])
                i += 1
            found.add("".join(part.strip().strip('"') for part in parts))
        return found

    assert msgids(after) - msgids(before) == set()


def test_the_browser_language_does_not_override_indonesian(client, db):
    page = client.get("/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Kata sandi" in page and 'lang="id"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert "Password" in client.get("/masuk/").content.decode()
