"""Project rules that ruff and mypy do not know, checked on the syntax tree.

ORM only in selectors: a view or API module (an app's `api.py`, `views.py`, `urls.py`,
`api_urls.py`, or a module of an `api/` or `views/` package) never touches a model's manager
(`Model.objects`, `_default_manager`, `_base_manager`) and never calls `get_object_or_404` /
`get_list_or_404` (they query on their own). It asks the app's selectors, which apply the user's
scope (../shared/docs/style.md, section 2).

Usage: python scripts/lint_rules.py [PATH ...]   (default: the whole project). Exit 1 on a finding.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".git", ".venv", ".local", "node_modules", "migrations", "tests", "scripts", "static", "staticfiles"}
VIEW_MODULES = {"api.py", "views.py", "urls.py", "api_urls.py"}
VIEW_PACKAGES = {"api", "views"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column + 1}: {self.message}"


def is_view_module(path: Path) -> bool:
    """An app's HTTP layer: api.py, views.py, the URL modules, or a module of an api/ or views/ package."""
    return path.name in VIEW_MODULES or bool(VIEW_PACKAGES.intersection(path.parent.parts[-1:]))


def check_source(source: str, path: str) -> list[Finding]:
    """The findings in one view or API module's source."""
    findings = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            findings.append(
                Finding(
                    path,
                    node.lineno,
                    node.col_offset,
                    f"`.{node.attr}` in a view or API module: read through the app's selectors",
                )
            )
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in SHORTCUTS:
                findings.append(
                    Finding(
                        path,
                        node.lineno,
                        node.col_offset,
                        f"`{name}` in a view or API module: a selector returns the row or None",
                    )
                )
    return sorted(findings, key=lambda f: (f.line, f.column))


def python_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        for found in sorted(path.rglob("*.py")):
            if not SKIPPED_DIRS.intersection(found.relative_to(path).parts[:-1]):
                yield found


def check_paths(paths: Iterable[Path]) -> list[Finding]:
    findings = []
    for path in python_files(paths):
        if is_view_module(path):
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            findings += check_source(path.read_text(encoding="utf-8"), str(shown))
    return findings


def main(argv: list[str]) -> int:
    findings = check_paths([Path(arg).resolve() for arg in argv] or [ROOT])
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
