"""Talk to static/js/questionnaire/eval-cli.js: the phone's engine, run by Node.

One `node` process serves a whole test module; requests and answers are JSON lines.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

from households.questionnaire.jsvalues import UNDEFINED, as_double, is_number

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "static" / "js" / "questionnaire" / "eval-cli.js"


def node_path() -> str | None:
    return shutil.which("node")


class NodeEngine:
    """A running eval-cli.js; `request` sends one line and reads one answer."""

    def __init__(self) -> None:
        node = node_path()
        if node is None:
            raise RuntimeError("node is not installed")
        self._process = subprocess.Popen(
            [node, str(CLI)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def request(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.request_many([payload])[0]

    def request_many(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send a few requests, then read their answers (keep batches well under 64 KB)."""
        assert self._process.stdin is not None and self._process.stdout is not None
        text = "".join(json.dumps(p, ensure_ascii=True, allow_nan=False) + "\n" for p in payloads)
        self._process.stdin.write(text)
        self._process.stdin.flush()
        answers = []
        for _ in payloads:
            line = self._process.stdout.readline()
            if not line:
                raise RuntimeError(f"eval-cli.js exited with {self._process.wait()}")
            answers.append(json.loads(line))
        return answers

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait(timeout=10)


def run_batch(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send many requests to one fresh node process at once (no round trips)."""
    node = node_path()
    if node is None:
        raise RuntimeError("node is not installed")
    text = "".join(json.dumps(p, ensure_ascii=True, allow_nan=False) + "\n" for p in payloads)
    completed = subprocess.run(
        [node, str(CLI)], cwd=ROOT, input=text, capture_output=True, text=True, encoding="utf-8", check=True
    )
    # Not splitlines(): it also splits on U+0085 and U+2028, which JSON leaves unescaped.
    return [json.loads(line) for line in completed.stdout.split("\n") if line]


def untag(tagged: list[Any]) -> Any:
    """Decode eval-cli.js's tagged value into the Python stand-ins of jsvalues.py."""
    kind = tagged[0]
    if kind == "u":
        return UNDEFINED
    if kind == "z":
        return None
    if kind in ("b", "s"):
        return tagged[1]
    if kind == "n":
        return float(tagged[1])
    if kind == "a":
        return [untag(item) for item in tagged[1]]
    if kind == "o":
        return {key: untag(item) for key, item in tagged[1]}
    raise ValueError(f"unexpected value from node: {tagged!r}")


def same_value(left: Any, right: Any) -> bool:
    """Structural equality of JS values; numbers as doubles, NaN equals NaN, -0 is not 0."""
    if left is UNDEFINED or right is UNDEFINED or left is None or right is None:
        return left is right
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) or is_number(right):
        if not (is_number(left) and is_number(right)):
            return False
        a, b = as_double(left), as_double(right)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(left, str) or isinstance(right, str):
        return isinstance(left, str) and isinstance(right, str) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same_value(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_value(left[key], right[key]) for key in left)
    return False
