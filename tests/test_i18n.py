"""Every user-facing string has its English translation."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_to_english():
    msgattrib = shutil.which("msgattrib")
    assert msgattrib, "gettext is installed by scripts/install-system-deps.sh"
    untranslated = subprocess.run(
        [msgattrib, "--untranslated", "--no-obsolete", str(PO)], capture_output=True, text=True, check=True
    ).stdout
    assert "msgid" not in untranslated.replace('msgid ""\nmsgstr ""', "", 1), untranslated[:2000]


def test_the_po_file_is_in_sync_with_the_code_strings(tmp_path):
    """makemessages would add nothing: a new string in code without an English line fails here."""
    import os

    from django.core.management import call_command

    root = PO.parent.parent.parent.parent
    before = PO.read_text(encoding="utf-8")
    cwd = os.getcwd()
    try:
        os.chdir(root)
        call_command(
            "makemessages",
            locale=["en"],
            ignore_patterns=[".venv/*", "node_modules/*", ".local/*"],
            verbosity=0,
        )
        after = PO.read_text(encoding="utf-8")
    finally:
        PO.write_text(before, encoding="utf-8")
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
