#!/usr/bin/env python3
"""List the files `docker build .` would send from this checkout, after .dockerignore.

There is no Docker engine where this project is developed, so this applies .dockerignore the way
Docker does (the rules of moby's patternmatcher: Go `filepath.Match` wildcards plus `**`, `!` to
take a path back, the last matching rule wins, a rule that matches a folder matches everything in
it) to every file in the folder: tracked, untracked and git-ignored alike, since Docker knows
nothing of .gitignore.

    python3 scripts/build_context.py           # the files, one a line, then a summary
    python3 scripts/build_context.py --check   # only the summary; exit 1 if local state would be sent

tests/test_deployment_files.py runs the same check.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Never in an image: the private database, generated keys and media (.local), environments,
# secrets, installed packages, caches, build output the Dockerfile's stages make themselves.
FORBIDDEN = (
    ".git",
    ".local",
    ".venv",
    ".env",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "test-results",
    "staticfiles",
    "static/dist",
)


@dataclass(frozen=True)
class Rule:
    text: str
    regex: re.Pattern[str]
    takes_back: bool  # a `!` rule


def _to_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            if pattern.startswith("**", i):
                i += 1
                if pattern.startswith("/", i + 1):
                    out.append("(?:.*/)?")  # `**/` is zero or more folders
                    i += 1
                else:
                    out.append(".*")
            else:
                out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                out.append("[" + ("^" + body[1:] if body.startswith("^") else body) + "]")
                i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("^" + "".join(out) + "$")


def load_rules(dockerignore: Path) -> list[Rule]:
    rules = []
    for raw in dockerignore.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        takes_back = line.startswith("!")
        if takes_back:
            line = line[1:].strip()
        # Docker cleans each pattern like Go's filepath.Clean and drops a leading slash.
        text = os.path.normpath(line).lstrip("/")
        if text in ("", "."):
            continue
        rules.append(Rule(text=text, regex=_to_regex(text), takes_back=takes_back))
    return rules


def excluded(path: str, rules: list[Rule]) -> bool:
    """Whether `path` (relative, with `/`) stays out of the context: the last rule that matches the
    path or one of its parent folders decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for rule in rules:
        if any(rule.regex.match(candidate) for candidate in candidates):
            result = not rule.takes_back
    return result


def context_files(root: Path = ROOT, rules: list[Rule] | None = None) -> list[str]:
    """Every file (and symlink) under `root` that a build would send, as sorted relative paths."""
    if rules is None:
        ignore = root / ".dockerignore"
        rules = load_rules(ignore) if ignore.exists() else []
    takes_back = [r.text for r in rules if r.takes_back]
    sent = []
    for folder, dirs, files in os.walk(root):
        rel_folder = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel_folder == "." else rel_folder + "/"
        kept_dirs = []
        for name in dirs:
            rel = prefix + name
            # Skip a folder only when no `!` rule could take back something inside it.
            could_take_back = any(t.startswith(rel + "/") or t[:1] in "*?[" for t in takes_back)
            if excluded(rel, rules) and not could_take_back:
                continue
            if os.path.islink(os.path.join(folder, name)):
                if not excluded(rel, rules):
                    sent.append(rel)
                continue
            kept_dirs.append(name)
        dirs[:] = kept_dirs
        sent.extend(prefix + name for name in files if not excluded(prefix + name, rules))
    return sorted(sent)


def forbidden(files: list[str]) -> list[str]:
    """The files of `files` that are local state, secrets or caches (FORBIDDEN)."""
    bad = []
    for path in files:
        parts = path.split("/")
        for name in FORBIDDEN:
            n = name.count("/") + 1
            windows = ["/".join(parts[i : i + n]) for i in range(len(parts) - n + 1)]
            # `.env` and `.env.*` files, but not the documented example.
            env_file = name == ".env" and parts[-1].startswith(".env") and parts[-1] != ".env.example"
            if name in windows or env_file:
                bad.append(path)
                break
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="print only the summary and the forbidden files")
    options = parser.parse_args(argv)
    files = context_files()
    if not options.check:
        print("\n".join(files))
    size = sum((ROOT / f).lstat().st_size for f in files)
    bad = forbidden(files)
    print(f"build context: {len(files)} files, {size / 1_048_576:.1f} MiB", file=sys.stderr)
    for path in bad:
        print(f"would send local state or a secret: {path}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
