"""Writes of the FKP app: forums, outcomes, proposed families, re-rank, list documents (docs/fkp.md).

Every write is keyword-only, inside `transaction.atomic`, and refuses with an `ApplicationError`
whose message is shown to the user (Indonesian, through gettext); no message carries a name, an
address or a number of a family.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import Area, audit_record
from enumeration.models import SLS, Kelurahan, User
from enumeration.synthetic import synthetic_exists
from fkp import selectors
from fkp.grouping import MAX_SLS_LIMIT, group_sls
from fkp.models import (
    REASON_REQUIRED,
    Decision,
    DocumentKind,
    DocumentStatus,
    Forum,
    ForumSLS,
    ListDocument,
    Outcome,
    ProposedFamily,
)
from ranking.models import RankingRun
from ranking.services import DEFAULT_GROUP_MAX_DESIL, AdjustmentAction, RankingAdjustment, ranking_run_start
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError, NotFoundError

# How a forum's decision reaches the re-rank (ranking.services.RankingAdjustment.action).
RERANK_ACTIONS: dict[Decision, AdjustmentAction] = {
    Decision.WELFARE_HIGHER: "welfare_higher",
    Decision.WELFARE_LOWER: "welfare_lower",
    Decision.NOT_FOUND: "exclude",
    Decision.MOVED: "exclude",
    Decision.DECEASED: "exclude",
}
DOCUMENT_FOLDER = "fkp"


def _require_manager(user: User) -> None:
    if not selectors.can_manage(user):
        raise NotAllowedError(_("Hanya admin BPS Kota yang dapat mengubah forum dan hasilnya."))


def _require_finished(run: RankingRun) -> None:
    if run.status != selectors.FINISHED:
        raise ConflictError(_("Hasil pemeringkatan ini belum selesai."))


def _discard_documents(forums: Iterable[Forum]) -> None:
    """Drop the forums' PDFs and their kelurahan's PDFs (their lists changed); the files go once
    the transaction commits."""
    forums = list(forums)
    kelurahan_pdfs = Q()
    for run_id, kelurahan_id in {(f.run_id, f.kelurahan_id) for f in forums}:
        kelurahan_pdfs |= Q(kind=DocumentKind.KELURAHAN_PDF, run_id=run_id, kelurahan_id=kelurahan_id)
    documents = list(ListDocument.objects.filter(Q(forum__in=forums) | kelurahan_pdfs)) if forums else []
    paths = [_document_path(d) for d in documents if d.file_name]
    ListDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()

    def remove() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(remove)


@transaction.atomic
def forum_group_kelurahan(*, user: User, run: RankingRun, kelurahan: Kelurahan, max_sls: int) -> list[Forum]:
    """(Re)make the forums of a kelurahan for a run: its SLS with ranked families, in code order,
    in groups of at most `max_sls` (fkp/grouping.py). Locks the kelurahan row, so two admins
    grouping at once take turns. Refuses once a forum of the kelurahan has outcomes or proposed
    families (regrouping would detach them) or is marked held, and a `max_sls` outside
    1..MAX_SLS_LIMIT."""
    _require_manager(user)
    _require_finished(run)
    if not 1 <= max_sls <= MAX_SLS_LIMIT:
        raise ApplicationError(_("Jumlah SLS per forum harus antara 1 dan %(limit)d.") % {"limit": MAX_SLS_LIMIT})
    Kelurahan.objects.select_for_update().filter(pk=kelurahan.pk).first()
    existing = list(Forum.objects.filter(run=run, kelurahan=kelurahan))
    if (
        Outcome.objects.filter(forum__in=existing).exists()
        or ProposedFamily.objects.filter(forum__in=existing).exists()
    ):
        raise ConflictError(_("Forum kelurahan ini sudah mempunyai hasil; pengelompokan tidak dapat diubah lagi."))
    if any(f.is_held for f in existing):
        raise ConflictError(_("Forum kelurahan ini sudah ada yang selesai; pengelompokan tidak dapat diubah lagi."))
    _discard_documents(existing)
    Forum.objects.filter(pk__in=[f.pk for f in existing]).delete()
    forums = []
    for number, group in enumerate(group_sls(selectors.kelurahan_ranked_sls(run=run, kelurahan=kelurahan), max_sls), 1):
        forum = Forum(run=run, kelurahan=kelurahan, number=number, max_sls=max_sls, created_by=user)
        forum.full_clean()
        forum.save()
        ForumSLS.objects.bulk_create([ForumSLS(forum=forum, run=run, sls=sls) for sls in group])
        forums.append(forum)
    return forums


@transaction.atomic
def forum_sls_move(*, user: User, forum: Forum, sls: SLS, to_forum: Forum) -> None:
    """Move one SLS to another forum of the same run and kelurahan. Refuses a move that would
    leave a forum empty, fill the other past its maximum, carry away recorded outcomes, or touch
    a forum marked held."""
    _require_manager(user)
    if to_forum.run_id != forum.run_id or to_forum.kelurahan_id != forum.kelurahan_id or to_forum.pk == forum.pk:
        raise ApplicationError(_("Pilih forum lain di kelurahan dan hasil pemeringkatan yang sama."))
    locked = list(Forum.objects.select_for_update().filter(pk__in=[forum.pk, to_forum.pk]).order_by("pk"))
    if len(locked) != 2:
        raise NotFoundError(_("Forum tidak ditemukan."))
    if any(f.is_held for f in locked):
        raise ConflictError(_("SLS forum yang sudah selesai tidak dapat dipindahkan."))
    membership = ForumSLS.objects.filter(forum=forum, sls=sls).first()
    if membership is None:
        raise NotFoundError(_("SLS ini tidak ada di forum tersebut."))
    if ForumSLS.objects.filter(forum=forum).count() <= 1:
        raise ConflictError(_("Forum tidak boleh kosong: pindahkan SLS lain atau kelompokkan ulang."))
    if ForumSLS.objects.filter(forum=to_forum).count() >= to_forum.max_sls:
        raise ConflictError(
            _("Forum tujuan sudah berisi %(max)d SLS, batas untuk forum ini.") % {"max": to_forum.max_sls}
        )
    if (
        Outcome.objects.filter(forum=forum, ranked__sls=sls).exists()
        or ProposedFamily.objects.filter(forum=forum, sls=sls).exists()
    ):
        raise ConflictError(_("SLS ini sudah mempunyai hasil forum dan tidak dapat dipindahkan."))
    membership.forum = to_forum
    membership.save(update_fields=["forum"])
    _discard_documents([forum, to_forum])


MEETING_PLACE_MAX = 200


def _forum_area(forum: Forum) -> Area:
    return Area(kecamatan=forum.kelurahan.kecamatan_id, kelurahan=forum.kelurahan_id)


@transaction.atomic
def forum_meeting_set(*, user: User, forum: Forum, meeting_date: dt.date | None, meeting_place: str = "") -> Forum:
    """Set (or clear) when and where the forum meets. Locks the forum row. Refuses a forum already
    marked held (its date and place are what happened), a new date before the run's list existed,
    and a place longer than 200 characters. Setting the same values again changes and records nothing.
    The audit entry names the date, never the place (free text that may name a person)."""
    _require_manager(user)
    _require_finished(forum.run)
    locked = Forum.objects.select_for_update().select_related("kelurahan").get(pk=forum.pk)
    if locked.is_held:
        raise ConflictError(_("Forum ini sudah ditandai selesai; tanggal dan tempatnya tidak dapat diubah."))
    meeting_place = " ".join(meeting_place.split())
    if len(meeting_place) > MEETING_PLACE_MAX:
        raise ApplicationError(_("Tempat forum paling banyak 200 karakter."), extra={"field": "meeting_place"})
    made_on = timezone.localdate(forum.run.created_at)
    # An unchanged date is not checked again: a forum carried to a re-rank keeps the date it had.
    if meeting_date is not None and meeting_date != locked.meeting_date and meeting_date < made_on:
        raise ApplicationError(
            _("Tanggal forum tidak boleh sebelum daftarnya dibuat (%(date)s).") % {"date": date_format(made_on)},
            extra={"field": "meeting_date"},
        )
    if locked.meeting_date == meeting_date and locked.meeting_place == meeting_place:
        return locked
    locked.meeting_date, locked.meeting_place = meeting_date, meeting_place
    locked.full_clean()
    locked.save(update_fields=["meeting_date", "meeting_place"])
    _discard_documents([locked])  # the PDF prints the date and place
    audit_record(
        action=AuditAction.FKP_FORUM, actor=user, object_type="fkp_forum", object_id=locked.pk,
        area=_forum_area(locked),
        detail=f"event=meeting_set run={locked.run_id} date={meeting_date.isoformat() if meeting_date else '-'} "
        f"place={'set' if meeting_place else '-'}",
    )  # fmt: skip
    return locked


@transaction.atomic
def forum_mark_held(*, user: User, forum: Forum) -> Forum:
    """Mark the forum held (who, when). Needs a meeting date that is not in the future. After it
    the forum's date, place and SLS are fixed; outcomes and proposed families can still be recorded
    and corrected as before (append-only: a correction is a new row with who and when), since the
    secretary types the signed sheets after the meeting. Idempotent: marking twice keeps the first
    mark and records nothing."""
    _require_manager(user)
    _require_finished(forum.run)
    locked = Forum.objects.select_for_update().select_related("kelurahan").get(pk=forum.pk)
    if locked.is_held:
        return locked
    if locked.meeting_date is None:
        raise ApplicationError(_("Isi tanggal forum sebelum menandainya selesai."))
    if locked.meeting_date > timezone.localdate():
        raise ApplicationError(_("Forum yang tanggalnya belum tiba tidak dapat ditandai selesai."))
    locked.held_by, locked.held_at = user, timezone.now()
    locked.full_clean()
    locked.save(update_fields=["held_by", "held_at"])
    audit_record(
        action=AuditAction.FKP_FORUM, actor=user, object_type="fkp_forum", object_id=locked.pk,
        area=_forum_area(locked), detail=f"event=held run={locked.run_id} date={locked.meeting_date.isoformat()}",
    )  # fmt: skip
    return locked


@transaction.atomic
def outcome_record(*, user: User, forum: Forum, ranked_id: int, decision: str, reason: str = "") -> Outcome:
    """Record the forum's decision about one family of its list. Outcomes are never edited: a
    correction is a new row, so the history stays. Recording the same decision and reason again
    (a double submit) returns the current row unchanged. Refuses an unknown decision, a family
    not on the forum's list, and a move between groups without a reason."""
    _require_manager(user)
    _require_finished(forum.run)
    if decision not in Decision.values:
        raise ApplicationError(_("Pilih keputusan forum."))
    reason = reason.strip()
    if decision in REASON_REQUIRED and not reason:
        raise ApplicationError(_("Tuliskan alasan forum untuk perubahan kelompok kesejahteraan."))
    if len(reason) > Outcome._meta.get_field("reason").max_length:  # type: ignore[operator]  # an int here
        raise ApplicationError(_("Alasan terlalu panjang (paling banyak 500 karakter)."))
    ranked = selectors.ranked_get(forum=forum, ranked_id=ranked_id)
    if ranked is None:
        raise NotFoundError(_("Keluarga ini tidak ada dalam daftar forum."))
    current = Outcome.objects.select_for_update().filter(forum=forum, ranked_id=ranked.pk).order_by("-pk").first()
    if current is not None and current.decision == decision and current.reason == reason:
        return current
    outcome = Outcome(forum=forum, ranked=ranked, decision=decision, reason=reason, recorded_by=user)
    outcome.full_clean()
    outcome.save()
    return outcome


@transaction.atomic
def proposal_add(
    *, user: User, forum: Forum, sls_id: int, head_name: str, address: str = "", note: str = ""
) -> ProposedFamily:
    """Record a family the forum proposes to add (to be visited), in one of the forum's SLS."""
    _require_manager(user)
    _require_finished(forum.run)
    head_name, address, note = head_name.strip(), address.strip(), note.strip()
    if not head_name:
        raise ApplicationError(_("Tuliskan nama kepala keluarga yang diusulkan."))
    if len(head_name) > 150 or len(address) > 255 or len(note) > 255:
        raise ApplicationError(_("Isian terlalu panjang (nama 150, alamat dan catatan 255 karakter)."))
    if not ForumSLS.objects.filter(forum=forum, sls_id=sls_id).exists():
        raise ApplicationError(_("Pilih salah satu SLS forum ini."))
    proposal = ProposedFamily(
        forum=forum, sls_id=sls_id, head_name=head_name, address=address, note=note, recorded_by=user
    )
    proposal.full_clean()
    proposal.save()
    return proposal


@transaction.atomic
def proposal_withdraw(*, user: User, proposal: ProposedFamily) -> ProposedFamily:
    """Withdraw a proposal (typed by mistake). The row stays, marked with who withdrew it and when."""
    _require_manager(user)
    if proposal.withdrawn_at is None:
        proposal.withdrawn_by = user
        proposal.withdrawn_at = timezone.now()
        proposal.save(update_fields=["withdrawn_by", "withdrawn_at"])
    return proposal


def rerank_adjustments(*, run: RankingRun) -> list[RankingAdjustment]:
    """The run's current forum outcomes as ranking adjustments ("agreed" changes nothing). The
    reason handed to the ranking is a code, never the forum's free text."""
    adjustments = []
    for outcome in selectors.run_current_outcomes(run=run):
        action = RERANK_ACTIONS.get(Decision(outcome.decision))
        if action is not None:
            adjustments.append(
                RankingAdjustment(
                    family_id=outcome.ranked.family_id,
                    action=action,
                    reason=f"fkp:{outcome.decision} forum={outcome.forum_id} outcome={outcome.pk}",
                )
            )
    return adjustments


def _forums_carry(*, user: User, run: RankingRun, to_run: RankingRun) -> list[Forum]:
    """Copy every forum of `run` to `to_run`: same kelurahan, number, maximum and SLS (as they are
    now, moves included), meeting date, place and held mark (the same meeting), each pointing at
    the forum it was copied from. Open proposed families are copied too, with who recorded them and
    when, each pointing at its original (they are still to be visited; withdrawn ones stay
    behind). Outcomes stay with the old forums (append-only history of the run they were decided
    on)."""
    old_forums = list(Forum.objects.filter(run=run).order_by("kelurahan_id", "number"))
    new_forums = Forum.objects.bulk_create(
        [
            Forum(
                run=to_run,
                kelurahan_id=old.kelurahan_id,
                number=old.number,
                max_sls=old.max_sls,
                created_by=user,
                carried_from=old,
                meeting_date=old.meeting_date,
                meeting_place=old.meeting_place,
                held_by_id=old.held_by_id,
                held_at=old.held_at,
            )
            for old in old_forums
        ]
    )
    new_by_old = {old.pk: new for old, new in zip(old_forums, new_forums, strict=True)}
    ForumSLS.objects.bulk_create(
        [
            ForumSLS(forum=new_by_old[forum_id], run=to_run, sls_id=sls_id)
            for forum_id, sls_id in ForumSLS.objects.filter(forum__run=run).values_list("forum_id", "sls_id")
        ]
    )
    ProposedFamily.objects.bulk_create(
        [
            ProposedFamily(
                forum=new_by_old[old.forum_id],
                sls_id=old.sls_id,
                head_name=old.head_name,
                address=old.address,
                note=old.note,
                recorded_by_id=old.recorded_by_id,
                recorded_at=old.recorded_at,
                carried_from=old,
            )
            for old in ProposedFamily.objects.filter(forum__run=run, withdrawn_at__isnull=True).order_by("pk")
        ]
    )
    return new_forums


@transaction.atomic
def fkp_rerank(*, user: User, run: RankingRun) -> RankingRun:
    """Start a new ranking run from `run` with its forums' outcomes applied (ranking_run_start with
    based_on=run, its model and group cut-offs), and give the new run the same forums
    (`_forums_carry`), so Pemkot follows the same forums through the re-rank, with their open
    proposals; the new run's forums start without outcomes. One transaction: the run is queued (its
    task sent on commit) only with its forums. Refuses when no outcome changes anything, and
    whatever ranking_run_start refuses."""
    _require_manager(user)
    _require_finished(run)
    adjustments = rerank_adjustments(run=run)
    if not adjustments:
        raise ConflictError(_("Belum ada hasil forum yang mengubah peringkat."))
    parameters = run.parameters or {}
    statuses = tuple(parameters.get("statuses") or ("approved",))
    # The forums judged this run's ranking: the re-rank keeps its model and welfare-group cut-offs
    # (a model activated since applies to the next new run, not to a forum's corrections).
    cutoffs = tuple(parameters.get("group_max_desil") or DEFAULT_GROUP_MAX_DESIL)
    new_run = ranking_run_start(
        user=user,
        statuses=statuses,
        based_on=run,
        adjustments=adjustments,
        model=run.model,
        group_max_desil=cutoffs,
    )
    _forums_carry(user=user, run=run, to_run=new_run)
    return new_run


def _document_path(document: ListDocument) -> Path:
    return Path(settings.MEDIA_ROOT) / DOCUMENT_FOLDER / document.file_name


def _enqueue(document: ListDocument) -> None:
    from fkp.tasks import render_list_document

    transaction.on_commit(lambda: render_list_document.delay(document.pk))  # type: ignore[attr-defined]  # a Celery task


@transaction.atomic
def document_request_forum_pdf(*, user: User, forum: Forum) -> ListDocument:
    """The forum's PDF: the one made or being made, or a new one queued (the task is sent once the
    transaction commits). Idempotent: asking twice gives the same document."""
    if not selectors.can_view(user):
        raise NotAllowedError(_("Anda tidak berhak mengunduh daftar ini."))
    Forum.objects.select_for_update().filter(pk=forum.pk).first()
    current = ListDocument.objects.filter(kind=DocumentKind.FORUM_PDF, forum=forum).exclude(
        status=DocumentStatus.FAILED
    )
    if (found := current.first()) is not None:
        return found
    document = ListDocument.objects.create(kind=DocumentKind.FORUM_PDF, run=forum.run, forum=forum, requested_by=user)
    _enqueue(document)
    return document


@transaction.atomic
def document_request_kelurahan_pdf(*, user: User, run: RankingRun, kelurahan: Kelurahan) -> ListDocument:
    """One PDF of all the kelurahan's forums of a run: the one made or being made, or a new one
    queued (sent once the transaction commits). Idempotent. Locks the kelurahan row, as grouping
    does, so a request and a regrouping take turns. Refuses a kelurahan without forums."""
    if not selectors.can_view(user):
        raise NotAllowedError(_("Anda tidak berhak mengunduh daftar ini."))
    _require_finished(run)
    Kelurahan.objects.select_for_update().filter(pk=kelurahan.pk).first()
    if not Forum.objects.filter(run=run, kelurahan=kelurahan).exists():
        raise ConflictError(_("SLS kelurahan ini belum dikelompokkan ke forum."))
    current = ListDocument.objects.filter(kind=DocumentKind.KELURAHAN_PDF, run=run, kelurahan=kelurahan).exclude(
        status=DocumentStatus.FAILED
    )
    if (found := current.first()) is not None:
        return found
    document = ListDocument.objects.create(
        kind=DocumentKind.KELURAHAN_PDF, run=run, kelurahan=kelurahan, requested_by=user
    )
    _enqueue(document)
    return document


@transaction.atomic
def document_request_run_xlsx(*, user: User, run: RankingRun) -> ListDocument:
    """The XLSX of all the run's ranked families, for users who see the whole kota; idempotent."""
    if not selectors.can_download_run_file(user):
        raise NotAllowedError(_("Berkas seluruh kota hanya untuk admin BPS Kota dan staf Pemkot."))
    _require_finished(run)
    RankingRun.objects.select_for_update().filter(pk=run.pk).first()
    current = ListDocument.objects.filter(kind=DocumentKind.RUN_XLSX, run=run).exclude(status=DocumentStatus.FAILED)
    if (found := current.first()) is not None:
        return found
    document = ListDocument.objects.create(kind=DocumentKind.RUN_XLSX, run=run, requested_by=user)
    _enqueue(document)
    return document


def _write_forum_pdf(user: User, forum: Forum, path: Path) -> int:
    """One forum's list as a PDF at `path`, in `user`'s scope; returns its rows."""
    from fkp.documents import ForumSheet, render_pdf

    rows = list(selectors.forum_rows(user=user, forum=forum))
    sheet = ForumSheet(
        title=selectors.forum_title(forum),
        kecamatan=forum.kelurahan.kecamatan.name,
        kelurahan=forum.kelurahan.name,
        sls=[(selectors.sls_label(s), s.name) for s in selectors.forum_sls(forum=forum)],
        rows=rows,
        run_label=selectors.run_label(forum.run),
        meeting_date=forum.meeting_date,
        meeting_place=forum.meeting_place,
        proposals=selectors.forum_proposal_rows(forum=forum),
    )
    with path.open("wb") as target:
        render_pdf(sheet, target, printed_on=timezone.localdate(), synthetic=synthetic_exists())
    return len(rows)


def _render_forum_pdf(document: ListDocument, path: Path) -> int:
    forum = document.forum
    if forum is None:  # the kind's check constraint forbids it
        raise ValueError("A forum PDF without a forum.")
    return _write_forum_pdf(document.requested_by, forum, path)


def _render_kelurahan_pdf(document: ListDocument, path: Path) -> int:
    """Every forum of the kelurahan, in number order, in one PDF. Forums are laid out one at a
    time into files of their own (WeasyPrint holds a whole document's layout in memory: one forum's,
    never the kelurahan's) and then joined; each keeps its header, its "Halaman x dari y" and its
    signature block. The parts sit beside the final file (same volume, same permissions) and are
    removed when done."""
    from fkp.documents import join_pdfs

    kelurahan = document.kelurahan
    if kelurahan is None:  # the kind's check constraint forbids it
        raise ValueError("A kelurahan PDF without a kelurahan.")
    forums = selectors.kelurahan_forums(user=document.requested_by, run=document.run, kelurahan=kelurahan)
    if not forums:
        raise ValueError("A kelurahan PDF without forums.")
    rows = 0
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f"parts-{document.pk}-") as folder:
        parts = []
        for forum in forums:
            part = Path(folder) / f"forum-{forum.pk}.pdf"
            rows += _write_forum_pdf(document.requested_by, forum, part)
            parts.append((selectors.forum_title(forum), part))
        with path.open("wb") as target:
            join_pdfs(parts, target)
    return rows


def _render_run_xlsx(document: ListDocument, path: Path) -> int:
    from fkp.documents import RUN_COLUMNS, write_xlsx

    rows = selectors.run_rows(user=document.requested_by, run=document.run)
    with path.open("wb") as target:
        return write_xlsx(rows, RUN_COLUMNS, target, title=selectors.run_label(document.run), sheet="Peringkat")


def document_render(*, document_id: int) -> None:
    """Make a queued document's file (the Celery task's body), with the scope of whoever asked for
    it. Claims the document by a conditional update (queued -> running), so a second delivery of
    the task does nothing. A failure marks it failed with the error's class name only (an
    exception's text could quote a name)."""
    claimed = ListDocument.objects.filter(pk=document_id, status=DocumentStatus.QUEUED).update(
        status=DocumentStatus.RUNNING
    )
    if not claimed:
        return
    document = ListDocument.objects.select_related(
        "run", "forum__run", "forum__kelurahan__kecamatan", "requested_by"
    ).get(pk=document_id)
    suffix = "xlsx" if document.kind == DocumentKind.RUN_XLSX else "pdf"
    name = f"{document.kind}-{document.pk}-{secrets.token_hex(8)}.{suffix}"
    path = Path(settings.MEDIA_ROOT) / DOCUMENT_FOLDER / name
    path.parent.mkdir(parents=True, exist_ok=True)
    render = {
        DocumentKind.FORUM_PDF: _render_forum_pdf,
        DocumentKind.KELURAHAN_PDF: _render_kelurahan_pdf,
        DocumentKind.RUN_XLSX: _render_run_xlsx,
    }[DocumentKind(document.kind)]
    try:
        rows = render(document, path)
    except Exception as exc:
        path.unlink(missing_ok=True)
        ListDocument.objects.filter(pk=document_id).update(
            status=DocumentStatus.FAILED, error=type(exc).__name__[:200], finished_at=timezone.now()
        )
        raise
    finished = ListDocument.objects.filter(pk=document_id).update(
        status=DocumentStatus.DONE, file_name=name, rows=rows, size=path.stat().st_size, finished_at=timezone.now()
    )
    if not finished:  # the forums changed while it was made: the document was dropped, so is its file
        path.unlink(missing_ok=True)


def document_path(document: ListDocument) -> Path:
    return _document_path(document)
