"""Reads of the ranking app: PMT models, ranking runs and their rows, scoped by
`enumeration/scoping.py` (BPS admins and Pemkot staff the kota, a Koseka their kecamatan,
anyone else nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, QuerySet, Subquery

from enumeration import scoping
from enumeration.models import Kecamatan, Kelurahan, User
from ranking.documents import ModelDocument
from ranking.models import PMTFit, PMTModel, RankedFamily, RankingRun, RunStatus, UnrankedFamily, WelfareGroup


def pmt_model_get(*, version: str) -> PMTModel:
    """The model of that version. Raises PMTModel.DoesNotExist."""
    return PMTModel.objects.get(version=version)


def pmt_model_current() -> PMTModel | None:
    """The model a run uses unless told otherwise: the most recently activated (drafts never)."""
    return PMTModel.objects.filter(activated_at__isnull=False).order_by("-activated_at", "-id").first()


def pmt_model_list(*, user: User) -> QuerySet[PMTModel]:
    """PMT models, newest first, for whoever may see ranking runs (empty for anyone else)."""
    if not scoping.can_view_rankings(user):
        return PMTModel.objects.none()
    return PMTModel.objects.all()


def pmt_model_for_user(*, user: User, model_id: int) -> PMTModel | None:
    """The model, or None if it does not exist or the user may not see models."""
    return pmt_model_list(user=user).filter(pk=model_id).first()


def pmt_fit_list(*, user: User) -> QuerySet[PMTFit]:
    """Fits from uploaded survey files, newest first, without the files: BPS admins only."""
    if not scoping.can_run_rankings(user):
        return PMTFit.objects.none()
    return PMTFit.objects.select_related("created_by", "model").defer("survey_csv")


def pmt_model_document(*, model: PMTModel) -> ModelDocument:
    """The stored model as its JSON document (the inverse of services.pmt_model_import)."""
    return ModelDocument(
        version=model.version,
        title=model.title,
        form=model.form_id,
        form_version=model.form_version,
        target=model.target,
        intercept=model.intercept,
        features=list(model.features),
        provenance=dict(model.provenance),
        accuracy=dict(model.accuracy),
        strata=list(model.strata),
    )


def ranking_run_list(*, user: User) -> QuerySet[RankingRun]:
    """Every run, newest first, for whoever may see runs (a Koseka sees the runs, and of their rows
    only their kecamatan's); empty for anyone else."""
    if not scoping.can_view_rankings(user):
        return RankingRun.objects.none()
    return RankingRun.objects.select_related("model", "created_by", "based_on")


def ranking_run_get(*, user: User, run_id: int) -> RankingRun | None:
    """The run, or None if it does not exist or the user may not see runs."""
    return ranking_run_list(user=user).filter(pk=run_id).first()


def ranking_run_previous(*, user: User, run: RankingRun) -> RankingRun | None:
    """The finished run before this one (by id): what a comparison is made against."""
    return ranking_run_list(user=user).filter(status=RunStatus.FINISHED, pk__lt=run.pk).order_by("-pk").first()


def ranking_run_final(*, user: User) -> RankingRun | None:
    """The run set as final, if any."""
    return ranking_run_list(user=user).filter(is_final=True).first()


def ranked_rows(*, user: User, run: RankingRun, kelurahan: Kelurahan | str | None = None) -> QuerySet[RankedFamily]:
    """The run's ranked families the user may see, optionally of one kelurahan, ordered by SLS code
    then rank. Carries the family (for its masked identifiers and head name) and the SLS."""
    rows = RankedFamily.objects.filter(scoping.ranking_area_q(user), run=run)
    if kelurahan is not None:
        rows = rows.filter(kelurahan_id=kelurahan.pk if isinstance(kelurahan, Kelurahan) else kelurahan)
    return rows.select_related("sls", "family").order_by("kelurahan_id", "sls__code", "sls__sub_code", "rank")


def unranked_rows(*, user: User, run: RankingRun) -> QuerySet[UnrankedFamily]:
    """The run's families that could not be ranked, with the reason, that the user may see."""
    return (
        UnrankedFamily.objects.filter(scoping.ranking_area_q(user), run=run)
        .select_related("sls", "kelurahan")
        .order_by("kelurahan_id", "sls__code", "sls__sub_code", "family_id")
    )


@dataclass
class AreaSummary:
    """Families of one area: per desil (1-10), per welfare group (1-4), unranked."""

    code: str
    name: str
    desil: list[int] = field(default_factory=lambda: [0] * 10)
    groups: list[int] = field(default_factory=lambda: [0] * 4)
    unranked: int = 0
    children: list[AreaSummary] = field(default_factory=list)  # a kecamatan's kelurahan

    @property
    def ranked(self) -> int:
        return sum(self.desil)


@dataclass
class RunSummary:
    total: AreaSummary
    kecamatan: list[AreaSummary]  # each with its kelurahan as `children`


def run_summary(*, user: User, run: RankingRun) -> RunSummary:
    """Families per desil and per welfare group, by kecamatan and by kelurahan, of what the user
    may see (three grouped queries, whatever the size of the run)."""
    kecamatan_names = dict(scoping.visible_kecamatan(user).values_list("bps_code", "name"))
    kelurahan_rows = scoping.visible_kelurahan(user).values_list("bps_code", "name", "kecamatan_id")
    kelurahan_names = {code: (name, kec) for code, name, kec in kelurahan_rows}
    total = AreaSummary(code="", name="")
    by_kec: dict[str, AreaSummary] = {}
    by_kel: dict[str, AreaSummary] = {}

    def area(code: str, kel: str) -> tuple[AreaSummary, AreaSummary]:
        kec = by_kec.setdefault(code, AreaSummary(code=code, name=kecamatan_names.get(code, code)))
        lur = by_kel.get(kel)
        if lur is None:
            lur = by_kel[kel] = AreaSummary(code=kel, name=kelurahan_names.get(kel, (kel, code))[0])
            kec.children.append(lur)
        return kec, lur

    ranked = (
        RankedFamily.objects.filter(scoping.ranking_area_q(user), run=run)
        .values("kecamatan_id", "kelurahan_id", "desil", "welfare_group")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in ranked:
        for summary in (total, *area(row["kecamatan_id"], row["kelurahan_id"])):
            summary.desil[row["desil"] - 1] += row["n"]
            summary.groups[row["welfare_group"] - 1] += row["n"]
    unranked = (
        UnrankedFamily.objects.filter(scoping.ranking_area_q(user), run=run)
        .values("kecamatan_id", "kelurahan_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in unranked:
        for summary in (total, *area(row["kecamatan_id"], row["kelurahan_id"])):
            summary.unranked += row["n"]
    kecamatan = [by_kec[code] for code in sorted(by_kec)]
    for kec in kecamatan:
        kec.children.sort(key=lambda a: a.code)
    return RunSummary(total=total, kecamatan=kecamatan)


def welfare_group_labels() -> list[str]:
    return [str(label) for label in WelfareGroup.labels]


def run_comparison(*, user: User, run: RankingRun, previous: RankingRun) -> QuerySet[RankedFamily]:
    """The families (that the user may see) ranked in both runs whose desil changed, annotated with
    `desil_before`, `group_before` and `rank_before`, ordered by SLS code then family."""
    before = RankedFamily.objects.filter(run=previous, family_id=OuterRef("family_id"))
    return (
        RankedFamily.objects.filter(scoping.ranking_area_q(user), run=run)
        .annotate(
            desil_before=Subquery(before.values("desil")[:1]),
            group_before=Subquery(before.values("welfare_group")[:1]),
            rank_before=Subquery(before.values("rank")[:1]),
        )
        .filter(desil_before__isnull=False)
        .exclude(desil_before=F("desil"))
        .select_related("sls", "kelurahan")
        .order_by("kelurahan_id", "sls__code", "sls__sub_code", "family_id")
    )


def kecamatan_of(user: User) -> QuerySet[Kecamatan]:
    return scoping.visible_kecamatan(user)
