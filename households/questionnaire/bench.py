"""How long validate() and derive() take, single-threaded, on records like the example family.

    .venv/bin/python -m households.questionnaire.bench [--number 200] [--repeat 7]

Run it from the repository root: the records come from tests/questionnaire/records.py (the
clean family of four, and random edits of it as the validator tests make them). Each line
gives the best of `repeat` rounds of `number` calls, and their median, in ms per call. The
last line is the first validation with a new Definition object, which builds (compiles)
its validation plan.
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from households.questionnaire.definition import definition_from_data, load_definition
from households.questionnaire.validate import derive, validate


def _rounds(call: Callable[[], Any], number: int, repeat: int) -> list[float]:
    """ms per call, one value per round."""
    call()  # warm up (and build the plan)
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            call()
        rounds.append((time.perf_counter() - start) * 1000 / number)
    return rounds


def _line(label: str, rounds: list[float]) -> str:
    best = min(rounds)
    return f"{label:<50} {best:7.3f} ms  (median {statistics.median(rounds):.3f} ms, {1000 / best:,.0f} per second)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--number", type=int, default=200, help="calls per round (default 200)")
    parser.add_argument("--repeat", type=int, default=7, help="rounds (default 7)")
    options = parser.parse_args(argv)

    # Imported here: the records live in the tests, found from the repository root.
    from tests.questionnaire.records import base_context, base_record, mutate

    definition = load_definition("regsosek22k", "1")
    context = base_context()
    record = base_record()
    rng = random.Random(20221020)  # noqa: S311 - reproducible test records, not secrets
    edited = [mutate(base_record(), rng) for _ in range(50)]
    issues = sum(len(validate(definition, other, context)) for other in edited)
    cycle = iter(edited * (options.number * (options.repeat + 1) // len(edited) + 1))

    number, repeat = options.number, options.repeat
    print(f"validate/derive, regsosek22k-1, best of {repeat} rounds of {number} calls")
    clean = _rounds(lambda: validate(definition, record, context), number, repeat)
    print(_line("validate: base_record (clean, 4 members)", clean))
    varied = _rounds(lambda: validate(definition, next(cycle), context), number, repeat)
    print(_line(f"validate: 50 edited base_records ({issues} issues)", varied))
    print(_line("derive: base_record", _rounds(lambda: derive(definition, record, context), number, repeat)))

    data = copy.deepcopy(dict(definition.data))
    firsts = []
    for _ in range(3):
        fresh = definition_from_data(data)
        start = time.perf_counter()
        validate(fresh, record, context)
        firsts.append((time.perf_counter() - start) * 1000)
    print(f"{'first validate, new Definition (builds the plan)':<50} {min(firsts):7.3f} ms")


if __name__ == "__main__":
    main()
