"""The ranking job: features from the stored records, scores, ranks, desil and welfare groups, written
as a run's rows (docs/ranking.md, "How a run works").

`ranking_run_execute(run_id)` is the whole job; the Celery task (ranking/tasks.py) and
`manage.py rank_families` call it. Why it is safe to run twice, or to be killed:

- one run at a time: a session-level advisory lock is held for the whole job; a killed worker's
  connection closes and the lock goes with it;
- claim: a conditional UPDATE moves the run from queued (or running: a task redelivered after its
  worker died) to running; anything else (finished, failed, cancelled) means there is nothing to do;
- scores are computed in SQL (ranking/sqlscore.py); ranking/features.py explains the families SQL
  could not score;
- nothing half-done is visible: every row is written in ONE transaction that also sets the run
  `finished`, under the run's row lock, after checking it was not cancelled meanwhile. A worker
  killed before that commit leaves the run `running` with no rows; the redelivered task redoes it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audit.services import audit_ranking_run
from households.models import Family, Member
from ranking.documents import score
from ranking.features import (
    AGE,
    MEMBER_STATUS,
    RELATIONSHIP,
    FeatureError,
    feature_scope,
    feature_variables,
    feature_vector,
)
from ranking.models import ACTIVE_STATUSES, RankedFamily, RankingRun, RunStatus, UnrankedFamily
from ranking.selectors import pmt_model_document
from ranking.sqlscore import scoring_query
from regsosek import pgcopy

logger = logging.getLogger(__name__)

RUN_LOCK: Final = 7_110_002  # pg advisory lock key: one ranking job at a time
CHUNK: Final = 5000  # families read per round trip; progress and cancellation are checked per chunk
RANKED_COLUMNS: Final = (
    "run_id",
    "family_id",
    "kecamatan_id",
    "kelurahan_id",
    "sls_id",
    "score",
    "rank",
    "rank_kelurahan",
    "percentile",
    "desil",
    "welfare_group",
    "adjustment",
)
UNRANKED_COLUMNS: Final = ("run_id", "family_id", "kecamatan_id", "kelurahan_id", "sls_id", "reason_code", "reason")


class RunCancelledError(Exception):
    """The run was cancelled while the job was computing it."""


def reason_text(reason_code: str, variable: str | None) -> str:
    """The Indonesian reason shown for an unrankable family (codes and variable ids only)."""
    with override("id"):
        texts = {
            "no_members": _("Tidak ada anggota keluarga yang tinggal bersama (%(var)s)."),
            "no_head": _("Tidak ada kepala keluarga di antara anggota yang tinggal bersama (%(var)s)."),
            "missing_answer": _("Jawaban %(var)s kosong; skor PMT tidak dapat dihitung."),
            "other_form": _("Data keluarga memakai formulir lain (%(var)s) dari model PMT."),
        }
        return texts.get(reason_code, _("Skor PMT tidak dapat dihitung (%(var)s).")) % {"var": variable or "-"}


@dataclass
class Scored:
    """The families a run could score (parallel arrays) and the ones it could not."""

    family: list[int] = field(default_factory=list)
    kecamatan: list[str] = field(default_factory=list)
    kelurahan: list[str] = field(default_factory=list)
    sls: list[int] = field(default_factory=list)
    score: list[float] = field(default_factory=list)
    unranked: list[tuple[int, str, str, int, str, str]] = field(default_factory=list)


def _read_sql(family_vars: Sequence[str], member_vars: Sequence[str]) -> str:
    """The records of the families whose id is in %s, with only the answers the model reads,
    members in roster order. Variable ids come from a checked model (`[a-z0-9_]` questionnaire ids)."""

    def pick(alias: str, variables: Sequence[str]) -> str:
        pairs = ", ".join(f"'{v}', {alias}.data -> '{v}'" for v in variables)
        return f"jsonb_build_object({pairs})" if pairs else "'{}'::jsonb"

    for var in (*family_vars, *member_vars):
        if not var.replace("_", "").isalnum():
            raise ValueError(f"unexpected variable id {var!r}")
    family = Family._meta.db_table
    member = Member._meta.db_table
    return (
        f"SELECT f.id, {pick('f', family_vars)}::text, "  # noqa: S608 - ids checked above
        f"(SELECT coalesce(jsonb_agg({pick('m', member_vars)} ORDER BY m.line_no), '[]'::jsonb) "
        f"FROM {member} m WHERE m.family_id = f.id)::text "
        f"FROM {family} f WHERE f.id = ANY(%s) ORDER BY f.id"
    )


def _model_variables(features: Sequence[dict[str, Any]]) -> tuple[list[str], list[str]]:
    family_vars: set[str] = set()
    member_vars: set[str] = {MEMBER_STATUS, RELATIONSHIP, AGE}
    for feature in features:
        variables = feature_variables(feature)
        if feature["kind"] == "derived":
            # derived values read the roster (already picked) and, for floor area, a family number
            family_vars.update(v for v in variables if v not in member_vars)
        elif feature_scope(feature) == "member":
            member_vars.update(variables)
        else:
            family_vars.update(variables)
    return sorted(family_vars), sorted(member_vars)


def _progress(run_id: int, done: int, total: int | None = None) -> None:
    """Commit progress at once (autocommit) and tell whether the run was cancelled meanwhile."""
    values: dict[str, Any] = {"progress_done": done}
    if total is not None:
        values["progress_total"] = total
    updated = RankingRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(**values)
    if not updated:
        raise RunCancelledError


def score_families(run: RankingRun) -> Scored:
    """The score of every family in the run's scope, computed in SQL (ranking/sqlscore.py) and read
    in chunks through one server-side cursor (one snapshot). A family whose SQL score is NULL is
    evaluated by ranking/features.py, which says why it cannot be scored (FeatureError); it is kept,
    with that reason, never dropped."""
    model = run.model
    features = list(model.features)
    statuses = list(run.parameters.get("statuses") or ["approved"])
    total = Family.objects.filter(status__in=statuses).count()
    _progress(run.pk, 0, total)
    out = Scored()
    unscored: list[tuple[int, str, str, int]] = []
    done = 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(scoring_query(model.intercept, features, list(model.strata)), [statuses])
        while batch := cursor.fetchmany(CHUNK):
            for family_id, kel, kec, sls, form_id, form_version, score in batch:
                if (form_id, form_version) != (model.form_id, model.form_version):
                    code, text = "other_form", reason_text("other_form", f"{form_id} {form_version}")
                    out.unranked.append((family_id, kec, kel, sls, code, text))
                elif score is None:
                    unscored.append((family_id, kec, kel, sls))
                else:
                    out.family.append(family_id)
                    out.kecamatan.append(kec)
                    out.kelurahan.append(kel)
                    out.sls.append(sls)
                    out.score.append(score)
            done += len(batch)
            _progress(run.pk, done)
    _explain_unscored(run, unscored, out)
    return out


def _explain_unscored(run: RankingRun, unscored: list[tuple[int, str, str, int]], out: Scored) -> None:
    """The reason of each family SQL could not score, from ranking/features.py (the reference)."""
    if not unscored:
        return
    model = run.model
    features = list(model.features)
    family_vars, member_vars = _model_variables(features)
    document = pmt_model_document(model=model)
    areas = {row[0]: row[1:] for row in unscored}
    ids = sorted(areas)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            cursor.execute(_read_sql(family_vars, member_vars), [ids[start : start + CHUNK]])
            for family_id, answers, members in cursor.fetchall():
                kec, kel, sls = areas[family_id]
                record = {"family": json.loads(answers), "members": json.loads(members)}
                try:
                    values = feature_vector(features, record)
                except FeatureError as error:
                    text = reason_text(error.reason, error.variable)
                    out.unranked.append((family_id, kec, kel, sls, error.reason, text))
                    continue
                # SQL and Python disagree: a bug of the compiler; the reference's score is used.
                logger.warning("ranking run %s: family %s scored in Python only", run.pk, family_id)
                out.family.append(family_id)
                out.kecamatan.append(kec)
                out.kelurahan.append(kel)
                out.sls.append(sls)
                out.score.append(score(document, values, kecamatan=kec))


def ntile(positions: np.ndarray, n: int, buckets: int = 10) -> np.ndarray:
    """SQL's ntile(buckets) for 0-based positions among n rows: sizes differ by at most one, the
    larger buckets first."""
    size, extra = divmod(n, buckets)
    big = extra * (size + 1)
    small = (positions - big) // size + extra + 1 if size else np.zeros_like(positions)
    return np.where(positions < big, positions // (size + 1) + 1, small)


@dataclass
class Ranked:
    order: np.ndarray  # indexes of Scored's arrays, poorest first
    rank: np.ndarray
    rank_kelurahan: np.ndarray
    percentile: np.ndarray
    desil: np.ndarray
    group: np.ndarray
    adjustment: list[str]


def rank_families(
    family: np.ndarray,
    kelurahan: Sequence[str],
    score: np.ndarray,
    *,
    group_max_desil: Sequence[int],
    moves: dict[int, str],
) -> Ranked:
    """Ranks of scored families (docs/ranking.md, "Ties and cut-offs").

    Order: score ascending (1 = poorest), ties broken by family id ascending; rank is the position
    in that order (no shared ranks). Percentile = 100 * rank / n. Desil = ntile(10) of that order.
    Rank in the kelurahan: the same order within each kelurahan. `moves` (family id -> FKP action)
    moves a family one desil after ranking; the welfare group follows the final desil.
    """
    n = len(family)
    order = np.lexsort((family, score))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    desil = ntile(rank - 1, n)
    kel_codes = np.asarray(kelurahan)
    kel_order = np.lexsort((family, score, kel_codes))
    rank_kelurahan = np.empty(n, dtype=np.int64)
    if n:
        sorted_kel = kel_codes[kel_order]
        starts = np.r_[True, sorted_kel[1:] != sorted_kel[:-1]]
        group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
        rank_kelurahan[kel_order] = np.arange(n) - group_start + 1
    adjustment = [""] * n
    if moves:
        index_of = {int(f): i for i, f in enumerate(family)}
        for family_id, action in moves.items():
            i = index_of.get(family_id)
            if i is None:
                continue
            step = 1 if action == "welfare_higher" else -1
            desil[i] = min(10, max(1, desil[i] + step))
            adjustment[i] = action
    cuts = np.asarray(list(group_max_desil))
    group = np.searchsorted(cuts, desil, side="left") + 1
    percentile = 100.0 * rank / max(n, 1)
    return Ranked(order, rank, rank_kelurahan, percentile, desil, group, adjustment)


def _claim(run_id: int) -> bool:
    now = timezone.now()
    claimed = RankingRun.objects.filter(pk=run_id, status__in=ACTIVE_STATUSES).update(
        status=RunStatus.RUNNING, started_at=now, progress_done=0, error="", attempts=F("attempts") + 1
    )
    return bool(claimed)


def _chunks(rows: Sequence[Any], size: int = 50_000) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _write(run: RankingRun, scored: Scored, ranked: Ranked, excluded: dict[int, str]) -> dict[str, Any]:
    """Write every row and finish the run, in the caller's transaction."""
    assert pgcopy.Table.of(RankedFamily).columns == RANKED_COLUMNS  # noqa: S101 - the COPY below relies on it
    assert pgcopy.Table.of(UnrankedFamily).columns == UNRANKED_COLUMNS  # noqa: S101
    run_id = run.pk
    ranked_rows = [
        (
            run_id,
            scored.family[i],
            scored.kecamatan[i],
            scored.kelurahan[i],
            scored.sls[i],
            scored.score[i],
            int(ranked.rank[i]),
            int(ranked.rank_kelurahan[i]),
            float(ranked.percentile[i]),
            int(ranked.desil[i]),
            int(ranked.group[i]),
            ranked.adjustment[i],
        )
        for i in ranked.order.tolist()
    ]
    unranked_rows = [(run_id, *row) for row in scored.unranked]
    # No earlier attempt can have left rows: they commit only together with `finished`, and the
    # unique (run, family) constraints would refuse a second copy.
    for part in _chunks(ranked_rows):
        pgcopy.copy_prepared(RankedFamily, part)
    pgcopy.copy_prepared(UnrankedFamily, unranked_rows)
    return {
        "in_scope": len(scored.family) + len(scored.unranked) + len(excluded),
        "ranked": len(ranked_rows),
        "unranked": len(unranked_rows),
        "excluded_by_fkp": len(excluded),
        "moved_by_fkp": sum(1 for a in ranked.adjustment if a),
        "desil": np.bincount(ranked.desil, minlength=11)[1:].tolist() if len(ranked_rows) else [0] * 10,
        "groups": np.bincount(ranked.group, minlength=5)[1:].tolist() if len(ranked_rows) else [0] * 4,
    }


def _apply_exclusions(scored: Scored, excluded: dict[int, str]) -> Scored:
    """Families an FKP excluded leave the ranking and are listed as unranked with the forum's reason."""
    if not excluded:
        return scored
    out = Scored(unranked=[row for row in scored.unranked if row[0] not in excluded])
    for i, family_id in enumerate(scored.family):
        row = (family_id, scored.kecamatan[i], scored.kelurahan[i], scored.sls[i])
        if family_id in excluded:
            out.unranked.append((*row, "excluded_by_fkp", excluded[family_id][:255]))
            continue
        out.family.append(family_id)
        out.kecamatan.append(row[1])
        out.kelurahan.append(row[2])
        out.sls.append(row[3])
        out.score.append(scored.score[i])
    for old in scored.unranked:
        if old[0] in excluded:
            out.unranked.append((*old[:4], "excluded_by_fkp", excluded[old[0]][:255]))
    return out


def ranking_run_execute(run_id: int) -> RankingRun | None:
    """Compute a run and store its rows (see the module docstring for locking and idempotency).

    Returns the run as left (finished, failed or cancelled), or None when there was nothing to do
    (unknown run, or already finished / failed / cancelled). A bug or a bad model marks the run
    failed with the error's class name (never a value: values may be personal data) and does not raise.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK])
    try:
        return _execute_locked(run_id)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])


def _execute_locked(run_id: int) -> RankingRun | None:
    if not _claim(run_id):
        return None
    run = RankingRun.objects.select_related("model").get(pk=run_id)
    started = time.perf_counter()
    try:
        scored = score_families(run)
        t_features = time.perf_counter()
        adjustments = list(run.parameters.get("adjustments") or [])
        excluded = {int(a["family_id"]): str(a["reason"]) for a in adjustments if a["action"] == "exclude"}
        moves = {int(a["family_id"]): str(a["action"]) for a in adjustments if a["action"] != "exclude"}
        scored = _apply_exclusions(scored, excluded)
        ranked = rank_families(
            np.asarray(scored.family, dtype=np.int64),
            scored.kelurahan,
            np.asarray(scored.score, dtype=np.float64),
            group_max_desil=run.parameters.get("group_max_desil") or [1, 2, 4],
            moves=moves,
        )
        t_rank = time.perf_counter()
        with transaction.atomic():
            current = RankingRun.objects.select_for_update().get(pk=run_id)
            if current.status != RunStatus.RUNNING:
                raise RunCancelledError
            counts = _write(current, scored, ranked, excluded)
            t_write = time.perf_counter()
            current.status = RunStatus.FINISHED
            current.finished_at = timezone.now()
            current.counts = counts
            current.progress_done = current.progress_total
            current.timings = {
                "features_s": round(t_features - started, 3),
                "rank_s": round(t_rank - t_features, 3),
                "write_s": round(t_write - t_rank, 3),
                "total_s": round(time.perf_counter() - started, 3),
            }
            current.save(update_fields=["status", "finished_at", "counts", "progress_done", "timings"])
            audit_ranking_run(actor=None, run_id=run_id, event="finished")
        logger.info("ranking run %s finished: %s ranked, %s unranked", run_id, counts["ranked"], counts["unranked"])
        return current
    except RunCancelledError:
        logger.info("ranking run %s cancelled", run_id)
        return RankingRun.objects.get(pk=run_id)
    except Exception as error:
        logger.exception("ranking run %s failed", run_id)
        with transaction.atomic():
            RankingRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
                status=RunStatus.FAILED, finished_at=timezone.now(), error=type(error).__name__
            )
            audit_ranking_run(actor=None, run_id=run_id, event="failed")
        return RankingRun.objects.get(pk=run_id)
