"""The sync benchmark's in-process mode (`make bench-sync STAGES=1`): every stage timed, nothing kept."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from enumeration.synthetic import synthetic_generate
from households.models import Family, FamilyRevision, Member

pytestmark = pytest.mark.django_db


def test_stages_time_every_stage_of_a_push_and_keep_nothing() -> None:
    synthetic_generate(families=500, seed=3)
    out = io.StringIO()
    call_command("bench_sync", families=60, stages=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert re.match(r"^60 families in \d+ batches, one process", lines[0])
    timed = [line for line in lines[1:] if re.match(r"^\s+\d+\.\d{3}  \S", line)]
    assert len(timed) == 6 and "validation against the definition" in out.getvalue()
    assert not Family.objects.exists() and not Member.objects.exists() and not FamilyRevision.objects.exists()


def test_without_stages_the_server_url_is_required() -> None:
    synthetic_generate(families=500, seed=3)
    with pytest.raises(CommandError, match="--url"):
        call_command("bench_sync", families=10, stdout=io.StringIO())
