"""scripts/lint_rules.py: no view or API module touches the ORM (selectors do)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("lint_rules", ROOT / "scripts" / "lint_rules.py")
assert _spec is not None and _spec.loader is not None
lint_rules = importlib.util.module_from_spec(_spec)
sys.modules["lint_rules"] = lint_rules  # dataclasses look their module up by name
_spec.loader.exec_module(lint_rules)


def messages(source: str) -> list[tuple[int, str]]:
    return [(f.line, f.message.split("`")[1]) for f in lint_rules.check_source(source, "x/api.py")]


def test_it_flags_a_manager_and_the_query_shortcuts_in_a_view_module():
    source = (
        "from django.shortcuts import get_object_or_404\n"
        "from households.models import Member\n"
        "def get(request, pk):\n"
        "    a = Member.objects.filter(pk=pk).first()\n"
        "    b = get_object_or_404(Member, pk=pk)\n"
        "    c = Member._default_manager.count()\n"
        "    return shortcuts.get_list_or_404(Member)\n"
    )
    assert messages(source) == [
        (4, ".objects"),
        (5, "get_object_or_404"),
        (6, "._default_manager"),
        (7, "get_list_or_404"),
    ]


def test_it_lets_a_view_call_selectors_and_use_querysets_they_return():
    source = (
        "from households import selectors\n"
        "def get(request):\n"
        "    rows = selectors.family_list_for_user(user=request.user).filter(status='submitted')\n"
        "    return [r.pk for r in rows]\n"
    )
    assert messages(source) == []


def test_only_the_http_layer_is_held_to_it():
    assert lint_rules.is_view_module(Path("households/api.py"))
    assert lint_rules.is_view_module(Path("enumeration/views.py"))
    assert lint_rules.is_view_module(Path("fieldapp/api_urls.py"))
    assert lint_rules.is_view_module(Path("review/views/family.py"))
    assert not lint_rules.is_view_module(Path("households/selectors.py"))
    assert not lint_rules.is_view_module(Path("fieldapp/sync.py"))


def test_the_project_keeps_the_rule():
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "lint_rules.py")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
