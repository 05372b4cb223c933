"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}.

Usage: python scripts/po_fill.py locale/en/LC_MESSAGES/django.po locale/en/translations.json
Keeps the .po file the single source Django compiles; the JSON is the translators' sheet.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def unquote(lines: list[str]) -> str:
    return "".join(json.loads(line[line.index('"') :]) for line in lines)


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main(po_path: str, sheet_path: str) -> int:
    sheet: dict[str, str] = json.loads(Path(sheet_path).read_text(encoding="utf-8"))
    blocks = Path(po_path).read_text(encoding="utf-8").split("\n\n")
    missing: list[str] = []
    out: list[str] = []
    for block in blocks:
        lines = block.split("\n")
        ids = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
        if not ids:
            out.append(block)
            continue
        start = ids[0]
        end = start + 1
        while end < len(lines) and lines[end].startswith('"'):
            end += 1
        msgid = unquote(lines[start:end])
        if not msgid:
            out.append(block)
            continue
        plural = end < len(lines) and lines[end].startswith("msgid_plural")
        head = [line for line in lines[: ids[0]] if not line.startswith("#, fuzzy")]
        translation = sheet.get(msgid)
        if translation is None:
            missing.append(msgid)
            out.append(block)
            continue
        body = lines[start:end]
        if plural:
            p_end = end + 1
            while p_end < len(lines) and lines[p_end].startswith('"'):
                p_end += 1
            body += lines[end:p_end]
            body += [f"msgstr[0] {quote(translation)}", f"msgstr[1] {quote(translation)}"]
        else:
            body.append(f"msgstr {quote(translation)}")
        out.append("\n".join(head + body))
    Path(po_path).write_text(re.sub(r"\n*$", "\n", "\n\n".join(out)), encoding="utf-8")
    if missing:
        print("No English for:", *missing, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
