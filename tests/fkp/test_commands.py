"""make_fkp_forums: the demo's step, idempotent."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fkp.models import Forum

pytestmark = pytest.mark.django_db


def test_it_groups_every_ranked_kelurahan_once(world, bps_admin):
    out = io.StringIO()
    call_command("make_fkp_forums", "--run", "latest", stdout=out)
    assert "3 kelurahan grouped, 0 already had forums" in out.getvalue()
    assert sorted(Forum.objects.values_list("kelurahan_id", flat=True)) == ["3674010001", "3674010002", "3674060001"]
    call_command("make_fkp_forums", "--run", str(world.run.pk), stdout=out)
    assert "0 kelurahan grouped, 3 already had forums" in out.getvalue()
    assert Forum.objects.count() == 3


def test_it_refuses_without_a_finished_run(bps_admin):
    with pytest.raises(CommandError, match="No finished ranking run"):
        call_command("make_fkp_forums", stdout=io.StringIO())
