"""`make run`'s demo data lets every role play its day: VK1 rows the demo PPL has not visited yet,
submitted families for the demo PML, an SLS the demo Koseka can confirm; and running it again
changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from enumeration.models import SLS, User
from geotag.models import Geotag
from households import services
from households.models import Family, FamilyStatus, PrelistFamily, PrelistStatus

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, ...]:
    return (
        Geotag.objects.count(),
        PrelistFamily.objects.count(),
        PrelistFamily.objects.filter(status=PrelistStatus.PENDING, family__isnull=True).count(),
        Family.objects.filter(status=FamilyStatus.SUBMITTED).count(),
        Family.objects.filter(status=FamilyStatus.APPROVED).count(),
    )


@override_settings(DEBUG=False)
def test_the_demo_refuses_without_its_opt_in_whatever_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "regsosek-demo-uji")
    monkeypatch.delenv("REGSOSEK_DEMO", raising=False)
    with pytest.raises(CommandError, match="REGSOSEK_DEMO"):
        call_command("seed_demo", families=300, stdout=io.StringIO())
    assert not User.objects.filter(username="ppl00001").exists()


@override_settings(DEBUG=False)
def test_the_demo_gives_every_role_its_day_and_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    # As `make run` calls it: debug off, like production, with the demo's opt-in.
    monkeypatch.setenv("REGSOSEK_DEMO", "1")
    monkeypatch.setenv("DEMO_PASSWORD", "regsosek-demo-uji")
    call_command("seed_demo", families=300, stdout=io.StringIO())
    ppl = User.objects.get(username="ppl00001")
    pml = User.objects.get(username="pml0001")
    koseka = User.objects.get(username="koseka001")
    first = SLS.objects.filter(assignments__ppl=ppl, assignments__ended_at__isnull=True).order_by("pk").first()
    assert first is not None
    # The PPL: rows nobody visited, so "Mulai wawancara" shows (two heads share a given name).
    unvisited = PrelistFamily.objects.filter(sls=first, status=PrelistStatus.PENDING, family__isnull=True)
    assert unvisited.count() == 6
    assert sum(row.head_name.startswith("BUDI") for row in unvisited) == 2
    # Its families already collected have geotags (the SLS map shows buildings), inside the kelurahan.
    collected = Family.objects.filter(sls=first)
    assert collected.exists() and not collected.filter(geotag__isnull=True).exists()
    assert not Geotag.objects.filter(sls=first, flags__isnull=False).exists()
    # The PML: submitted families of the team to review.
    assert Family.objects.filter(sls__assignments__ppl__supervisor=pml, status=FamilyStatus.SUBMITTED).exists()
    # The Koseka: one SLS of the kecamatan with nothing open, so it can be confirmed.
    ready = [
        s
        for s in SLS.objects.filter(kelurahan__kecamatan_id=koseka.kecamatan_id, prelist__isnull=False).distinct()
        if not any(services.sls_open_items(s).values())
    ]
    assert len(ready) == 1 and ready[0] != first
    services.sls_confirm(user=koseka, sls=ready[0])

    before = _state()
    call_command("seed_demo", families=300, stdout=io.StringIO())
    assert _state() == before
    assert ppl.check_password("regsosek-demo-uji")
