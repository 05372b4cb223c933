"""All writes to family records: save (create/update with members), review transitions, the VK1
prelist, SLS confirmation and identifier reveals.

Every service takes the acting user, checks the right through `enumeration.scoping`, validates
against the questionnaire definition the record names, and writes in one transaction: a refused
or invalid record leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import Area, audit_record
from enumeration import scoping
from enumeration.models import SLS, Role, User
from households import conflicts, form, records
from households.models import (
    FINAL_PRELIST,
    Family,
    FamilyConflict,
    FamilyRevision,
    FamilyStatus,
    IdentifierReveal,
    Member,
    PrelistFamily,
    PrelistStatus,
    ReviewEvent,
    SLSConfirmation,
)
from regsosek import keylocks
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError, NotFoundError, TooManyRequestsError

logger = logging.getLogger(__name__)


class RecordInvalidError(ApplicationError):
    """The record breaks the questionnaire's hard rules; `errors` lists them per variable."""

    code = "invalid_record"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(_("Data keluarga tidak valid."), extra={"errors": errors})
        self.errors = errors


@dataclass
class SaveResult:
    outcome: str  # created | updated | unchanged
    family: Family
    warnings: list[dict[str, Any]] = field(default_factory=list)


# The interview times come from the phone's clock: a few minutes ahead is a clock that drifts, more
# is a wrong clock; before 2020 is a clock that reset (PostgreSQL cannot read a year-1 time back).
INTERVIEW_CLOCK_SKEW = dt.timedelta(minutes=10)
INTERVIEW_EARLIEST = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class InterviewTimes:
    """When the interview of a family began (its first answer on the phone) and was finalised."""

    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> InterviewTimes:
        """From a push item's `interview_started_at` / `interview_finished_at` (ISO 8601 with an
        offset; absent or null: not known, as from an older app). Raises ApplicationError with an
        error per field: not a time, no offset, in the future beyond the clock skew, before 2020,
        or a finish before the start."""
        errors: list[dict[str, Any]] = []
        times: dict[str, dt.datetime | None] = {}
        for name in ("interview_started_at", "interview_finished_at"):
            value = raw.get(name)
            times[name] = None
            if value is None:
                continue
            message = None
            try:
                moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                moment = None
            if moment is None:
                message = _("harus tanggal-waktu ISO 8601")
            elif moment.tzinfo is None:
                message = _("harus memuat zona waktu")
            elif moment > timezone.now() + INTERVIEW_CLOCK_SKEW:
                message = _("waktu di masa depan; periksa jam ponsel")
            elif moment < INTERVIEW_EARLIEST:
                message = _("waktu sebelum 2020; periksa jam ponsel")
            else:
                times[name] = moment
            if message:
                errors.append({"variable": name, "number": None, "member_index": None, "message": message})
        started, finished = times["interview_started_at"], times["interview_finished_at"]
        if started is not None and finished is not None and finished < started:
            errors.append(
                {
                    "variable": "interview_finished_at",
                    "number": None,
                    "member_index": None,
                    "message": _("waktu selesai wawancara sebelum waktu mulai"),
                }
            )
        if errors:
            raise ApplicationError(_("Waktu wawancara tidak valid."), extra={"errors": errors})
        return cls(started_at=started, finished_at=finished)


def _write_interview(family: Family, interview: InterviewTimes | None) -> None:
    """Keeps what the phone sent; a time it did not send (an older app) leaves the stored one."""
    if interview is None:
        return
    if interview.started_at is not None:
        family.interview_started_at = interview.started_at
    if interview.finished_at is not None:
        family.interview_finished_at = interview.finished_at


@dataclass
class NewFamily:
    """A validated new family and the rows that store it, not saved yet (the family has no id)."""

    family: Family
    members: list[Member]
    revision: FamilyRevision
    event: ReviewEvent
    warnings: list[dict[str, Any]]


def _sls_is_confirmed(sls: SLS) -> bool:
    last = SLSConfirmation.objects.filter(sls=sls).order_by("-at", "-id").first()
    return last is not None and last.action == SLSConfirmation.Action.CONFIRM


def _ensure_ppl_of(user: User, sls: SLS) -> None:
    if user.role != Role.PPL or not scoping.can_see_sls(user, sls):
        raise NotAllowedError(_("Hanya PPL yang ditugaskan di SLS ini yang dapat mengirim datanya."))


def _validate(record: dict[str, Any], sls: SLS) -> tuple[form.Definition, list[dict[str, Any]]]:
    definition = form.definition_for_record(record)
    issues: list[dict[str, Any]] = [dict(i) for i in form.validate(definition, record, sls=sls)]
    errors = [i for i in issues if i["severity"] == "error"]
    if errors:
        raise RecordInvalidError(errors)
    return definition, [i for i in issues if i["severity"] == "warning"]


def _write_parts(family: Family, parts: records.FamilyParts) -> None:
    for column, value in parts.columns.items():
        setattr(family, column, value)
    family.data = parts.data
    family.kk_ciphertext, family.kk_hash = parts.kk.ciphertext, parts.kk.hash
    family.member_count = len(parts.members)


def _member_rows(family: Family, parts: records.FamilyParts) -> list[Member]:
    return [
        Member(
            family=family,
            data=m.data,
            nik_ciphertext=m.nik.ciphertext,
            nik_hash=m.nik.hash,
            **m.columns,
        )
        for m in parts.members
    ]


def _write_members(family: Family, parts: records.FamilyParts) -> None:
    family.members.all().delete()
    Member.objects.bulk_create(_member_rows(family, parts))


def _current_parts(definition: form.Definition, family: Family) -> records.FamilyParts:
    record = records.compose(definition, family, list(family.members.all()), reveal=True)
    return records.split(definition, record)


def family_build_new(
    *,
    user: User,
    sls: SLS,
    client_uuid: uuid.UUID,
    record: dict[str, Any],
    digest: str,
    source: str,
    interview: InterviewTimes | None = None,
) -> NewFamily:
    """Validate a new family's record and build its rows, unsaved: the family (submitted, revision 1),
    its members, revision 1 and the draft → submitted event. The one definition of what a created
    family stores, for `family_save` and for the batched sync push. The caller has checked the
    right (`_ensure_ppl_of`, SLS not confirmed). Raises RecordInvalidError or UnknownFormError."""
    definition, warnings = _validate(record, sls)
    parts = records.split(definition, record)
    family = Family(
        client_uuid=client_uuid,
        sls=sls,
        form_id=definition.form,
        form_version=definition.version,
        status=FamilyStatus.SUBMITTED,
        revision=1,
        payload_sha256=digest,
        created_by=user,
        updated_by=user,
        submitted_at=timezone.now(),
        warnings=warnings,
        photo_required=form.photo_required(definition, record, sls=sls),
    )
    _write_parts(family, parts)
    _write_interview(family, interview)
    return NewFamily(
        family=family,
        members=_member_rows(family, parts),
        # Revision 1 lists no changes: the record as first submitted is the current record with
        # the `old` values of the later revisions put back (docs/architecture.md, "History").
        revision=FamilyRevision(family=family, revision=1, author=user, source=source, changes=[]),
        event=ReviewEvent(family=family, from_status=FamilyStatus.DRAFT, to_status=FamilyStatus.SUBMITTED, actor=user),
        warnings=warnings,
    )


@transaction.atomic
def family_save(
    *,
    user: User,
    sls: SLS,
    client_uuid: uuid.UUID,
    record: dict[str, Any],
    base_revision: int | None,
    source: str = "api",
    answers_return: int | None = None,
    interview: InterviewTimes | None = None,
) -> SaveResult:
    """Create or update one family with its members.

    - unknown UUID: created (status submitted, revision 1) by the PPL assigned to the SLS;
    - same content as stored: unchanged (a retry), whatever `base_revision` says;
    - `base_revision` equal to the stored revision: updated (a new revision with its diff);
    - otherwise ConflictError carrying the stored revision: never a silent overwrite.
    Who may update: the assigned PPL while submitted or returned (a returned family is
    resubmitted), the PML of the team while submitted. A PPL's new content for a returned family
    must name the return it answers (`answers_return`, the id `family_return_id` gives): a device
    that has not shown the supervisor's comment yet gets a ConflictError with reason "returned", so
    the comment reaches the PPL before the family leaves `returned`. A supervisor's record carries
    NIK / No. KK masked, as it was shown: the stored numbers are put back first
    (`_with_identifiers_restored`), so the content compared, validated, hashed and stored is the full
    record. `interview`: the interview times the phone sent (stored with a new content; a time not
    sent keeps the stored one). Raises RecordInvalidError (errors per variable), NotAllowedError,
    ConflictError. Locks the family row; a new family's UUID is locked (`keylocks`) before the
    insert, so a concurrent first push of it is waited for and answered like a retry, with no
    statement failing.
    """
    digest = records.payload_sha256(record)
    family = Family.objects.select_for_update().filter(client_uuid=client_uuid).first()
    if family is None:
        _ensure_ppl_of(user, sls)
        if _sls_is_confirmed(sls):
            raise NotAllowedError(_("SLS ini sudah dikonfirmasi Koseka; data tidak dapat ditambah."))
        new = family_build_new(
            user=user,
            sls=sls,
            client_uuid=client_uuid,
            record=record,
            digest=digest,
            source=source,
            interview=interview,
        )
        # A concurrent first push of the same UUID may be inserting it: wait for it, then look again
        # (instead of an INSERT that fails on the unique index; regsosek/keylocks.py).
        keylocks.client_uuids_lock([client_uuid])
        winner = Family.objects.filter(client_uuid=client_uuid).first()
        if winner is not None:
            # That push won: answer like a retry of it.
            return _retry_of_concurrent(winner, digest)
        family = new.family
        family.save()
        Member.objects.bulk_create(new.members)
        new.revision.save()
        new.event.save()
        logger.info("family.created", extra={"family_id": family.pk, "sls_id": sls.pk, "user_id": user.pk})
        return SaveResult("created", family, new.warnings)

    if family.sls_id != sls.pk:
        raise ConflictError(
            _("UUID ini sudah dipakai untuk keluarga di SLS lain."), extra={"revision": family.revision}
        )
    _ensure_may_edit(user, family)
    record, mask_errors = _with_identifiers_restored(user=user, family=family, record=record)
    digest = records.payload_sha256(record)
    if not mask_errors and family.payload_sha256 == digest:
        return SaveResult("unchanged", family, family.warnings)
    if base_revision != family.revision:
        raise ConflictError(
            _("Data di server sudah berubah (revisi %(rev)d). Muat ulang sebelum mengubah.") % {"rev": family.revision},
            extra={"revision": family.revision},
        )
    if family.status == FamilyStatus.RETURNED and user.role == Role.PPL:
        return_id = family_return_id(family)
        if return_id is not None and answers_return != return_id:
            raise ConflictError(
                _("PML mengembalikan keluarga ini dengan catatan. Baca catatannya, lalu kirim perbaikan Anda."),
                extra={"revision": family.revision, "reason": "returned"},
            )
    if mask_errors:
        raise RecordInvalidError(mask_errors)
    definition, warnings = _validate(record, family.sls)
    old = records.flatten_for_history(
        form.definition_for_family(family), _current_parts(form.definition_for_family(family), family)
    )
    parts = records.split(definition, record)
    _write_parts(family, parts)
    previous_status = family.status
    family.form_id, family.form_version = definition.form, definition.version
    family.revision += 1
    family.payload_sha256 = digest
    family.updated_by = user
    family.warnings = warnings
    family.photo_required = form.photo_required(definition, record, sls=family.sls)
    _write_interview(family, interview)
    if previous_status == FamilyStatus.RETURNED:
        family.status = FamilyStatus.SUBMITTED
        family.submitted_at = timezone.now()
    family.save()
    _write_members(family, parts)
    FamilyRevision.objects.create(
        family=family,
        revision=family.revision,
        author=user,
        source=source,
        changes=records.diff(old, records.flatten_for_history(definition, parts)),
    )
    if previous_status != family.status:
        ReviewEvent.objects.create(
            family=family,
            from_status=previous_status,
            to_status=family.status,
            actor=user,
            comment=_("diperbaiki dan dikirim ulang"),
        )
        _audit_transition(family, actor=user, from_status=previous_status, how=f"correction source={source}")
    logger.info("family.updated", extra={"family_id": family.pk, "revision": family.revision, "user_id": user.pk})
    return SaveResult("updated", family, warnings)


def family_return_id(family: Family) -> int | None:
    """The id of the review event that returned the family, while it is returned (else None).
    Devices show that return's comment and send the id back with the PPL's correction."""
    event = family_return_event(family)
    return event.pk if event is not None else None


def family_return_event(family: Family) -> ReviewEvent | None:
    """The review event that returned the family (its id, comment and notes per variable), while it
    is returned; else None. One query."""
    if family.status != FamilyStatus.RETURNED:
        return None
    return ReviewEvent.objects.filter(family=family, to_status=FamilyStatus.RETURNED).order_by("-id").first()


def _with_identifiers_restored(
    *, user: User, family: Family, record: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The record a supervisor sends back (identifiers masked, as they were shown: `family_detail`)
    with the stored numbers put back in memory, before anything is checked or hashed, and the
    refusals of masks that match nothing and of identifiers left out (docs/records.md,
    "Supervisors' edits"). A PPL's record is returned as it is unless it holds a mask."""
    sent_masked = user.role != Role.PPL
    if not sent_masked and not records.holds_mask(record):
        return record, []
    definition = form.definition_for_record(record)
    members = list(family.members.order_by("line_no"))
    return records.restore_masked(definition, record, family, members, sent_masked=sent_masked)


def _retry_of_concurrent(winner: Family, digest: str) -> SaveResult:
    if winner.payload_sha256 == digest:
        return SaveResult("unchanged", winner, winner.warnings)
    raise ConflictError(_("UUID ini sudah dipakai dengan isi berbeda."), extra={"revision": winner.revision})


def _ensure_may_edit(user: User, family: Family) -> None:
    if not scoping.can_see_sls(user, family.sls):
        raise NotAllowedError(_("Keluarga ini di luar wilayah tugas Anda."))
    if _sls_is_confirmed(family.sls):
        raise NotAllowedError(_("SLS ini sudah dikonfirmasi Koseka; data tidak dapat diubah."))
    if user.role == Role.PPL and family.status in (FamilyStatus.SUBMITTED, FamilyStatus.RETURNED):
        return
    if user.role == Role.PML and family.status == FamilyStatus.SUBMITTED:
        return
    if family.status == FamilyStatus.APPROVED:
        raise NotAllowedError(_("Keluarga ini sudah disetujui; minta Koseka mengembalikannya dulu."))
    raise NotAllowedError(
        _("Peran Anda tidak dapat mengubah keluarga berstatus %(status)s.")
        % {"status": FamilyStatus(family.status).label}
    )


# --- review workflow ------------------------------------------------------------------------------


def _transition(
    family: Family, *, actor: User, to: str, comment: str, notes: list[dict[str, Any]] | None = None
) -> Family:
    event = ReviewEvent(
        family=family, from_status=family.status, to_status=to, actor=actor, comment=comment, notes=notes or []
    )
    family.status = to
    family.reviewed_at = timezone.now()
    family.reviewed_by = actor
    family.review_comment = comment
    family.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment", "updated_at"])
    event.save()
    # Acting on the family settles a sync conflict the phone left (households/conflicts.py).
    resolution = FamilyConflict.Resolution.STORED if actor.role == Role.PPL else FamilyConflict.Resolution.REVIEWED
    conflicts.family_conflicts_resolve(family_ids=[family.pk], resolution=resolution)
    logger.info("family.transition", extra={"family_id": family.pk, "to": to, "user_id": actor.pk})
    _audit_transition(family, actor=actor, from_status=event.from_status, how="workflow")
    return family


_TRANSITION_ACTIONS = {
    FamilyStatus.APPROVED: AuditAction.FAMILY_APPROVE,
    FamilyStatus.RETURNED: AuditAction.FAMILY_RETURN,
    FamilyStatus.SUBMITTED: AuditAction.FAMILY_RESUBMIT,
}


def _audit_transition(family: Family, *, actor: User, from_status: str, how: str) -> None:
    # Statuses only: the comment is free text for the PPL and may name people (it stays in ReviewEvent).
    audit_record(
        action=_TRANSITION_ACTIONS[FamilyStatus(family.status)],
        actor=actor,
        object_type="family",
        object_id=family.pk,
        area=Area.of_sls(family.sls),
        detail=f"from={from_status} to={family.status} via={how}",
    )


def _locked(family: Family) -> Family:
    return Family.objects.select_for_update().select_related("sls__kelurahan").get(pk=family.pk)


@transaction.atomic
def family_approve(*, user: User, family: Family, comment: str = "") -> Family:
    """PML of the team: submitted → approved."""
    family = _locked(family)
    if user.role != Role.PML:
        raise NotAllowedError(_("Hanya PML yang dapat menyetujui data keluarga."))
    if not scoping.can_see_sls(user, family.sls):
        raise NotAllowedError(_("Keluarga ini bukan dari tim Anda."))
    if family.status != FamilyStatus.SUBMITTED:
        raise ConflictError(
            _("Hanya keluarga berstatus dikirim yang dapat disetujui (status sekarang: %(s)s).")
            % {"s": FamilyStatus(family.status).label}
        )
    return _transition(family, actor=user, to=FamilyStatus.APPROVED, comment=comment.strip())


MAX_RETURN_NOTES = 100
MAX_NOTE_LENGTH = 500


def _clean_return_notes(family: Family, notes: Any) -> list[dict[str, Any]]:
    """Notes per answer as stored: each names a variable of the family's definition (a member
    variable with the member's roster line, a family variable with `member` null) and a comment.
    Raises ApplicationError (field `notes`) naming the note's position, never its text."""
    if notes is None:
        return []
    if not isinstance(notes, list) or len(notes) > MAX_RETURN_NOTES:
        raise ApplicationError(
            _("Catatan per rincian harus berupa daftar (paling banyak %(n)d).") % {"n": MAX_RETURN_NOTES},
            extra={"field": "notes"},
        )
    definition = form.definition_for_family(family)
    family_variables = {v["id"] for v in definition.family_variables()}
    member_variables = {v["id"] for v in definition.member_variables()}
    cleaned: list[dict[str, Any]] = []
    seen: set[tuple[str, int | None]] = set()
    for index, note in enumerate(notes):
        variable = note.get("variable") if isinstance(note, dict) else None
        member = note.get("member") if isinstance(note, dict) else None
        comment = note.get("comment") if isinstance(note, dict) else None
        if member is None:
            known = variable in family_variables
        else:
            known = (
                isinstance(member, int)
                and not isinstance(member, bool)
                and 1 <= member <= family.member_count
                and variable in member_variables
            )
        if not known or (variable, member) in seen:
            raise ApplicationError(
                _("Catatan ke-%(n)d menunjuk rincian yang tidak ada (atau sudah dicatat) di keluarga ini.")
                % {"n": index + 1},
                extra={"field": "notes", "index": index},
            )
        text = comment.strip() if isinstance(comment, str) else ""
        if not text or len(text) > MAX_NOTE_LENGTH:
            raise ApplicationError(
                _("Catatan ke-%(n)d harus diisi, paling banyak %(max)d karakter.")
                % {"n": index + 1, "max": MAX_NOTE_LENGTH},
                extra={"field": "notes", "index": index},
            )
        seen.add((str(variable), member))
        cleaned.append({"variable": variable, "member": member, "comment": text})
    return cleaned


@transaction.atomic
def family_return(*, user: User, family: Family, comment: str, notes: list[dict[str, Any]] | None = None) -> Family:
    """Back to the PPL with a comment and/or notes on single answers (`notes`: a list of
    {variable, member, comment}, stored on the return's ReviewEvent; the phone shows each on its
    field): by the team's PML (submitted), or by the Koseka of the kecamatan / a BPS admin
    (approved, while the SLS is not confirmed). Raises ApplicationError (nothing to say, a note on
    an unknown answer), NotAllowedError, ConflictError. Locks the family row."""
    family = _locked(family)
    # Who may return comes first: a PPL or someone out of scope is refused whatever the body says.
    if not scoping.can_see_sls(user, family.sls):
        raise NotAllowedError(_("Keluarga ini di luar wilayah Anda."))
    if user.role == Role.PML:
        allowed_from = FamilyStatus.SUBMITTED
    elif user.role in (Role.KOSEKA, Role.BPS_ADMIN):
        allowed_from = FamilyStatus.APPROVED
    else:
        raise NotAllowedError(_("Peran Anda tidak dapat mengembalikan data keluarga."))
    comment = comment.strip()
    cleaned = _clean_return_notes(family, notes)
    if not comment and not cleaned:
        raise ApplicationError(_("Tuliskan alasan pengembalian untuk PPL."), extra={"field": "comment"})
    if family.status != allowed_from:
        raise ConflictError(
            _("Keluarga berstatus %(s)s tidak dapat dikembalikan oleh peran Anda.")
            % {"s": FamilyStatus(family.status).label}
        )
    if _sls_is_confirmed(family.sls):
        raise NotAllowedError(_("SLS ini sudah dikonfirmasi; buka kembali SLS dulu."))
    return _transition(family, actor=user, to=FamilyStatus.RETURNED, comment=comment, notes=cleaned)


@transaction.atomic
def family_resubmit(*, user: User, family: Family, comment: str = "") -> Family:
    """The PPL sends a returned family back unchanged (with an explanation)."""
    family = _locked(family)
    _ensure_ppl_of(user, family.sls)
    if family.status != FamilyStatus.RETURNED:
        raise ConflictError(_("Hanya keluarga yang dikembalikan yang dapat dikirim ulang."))
    family.submitted_at = timezone.now()
    family.save(update_fields=["submitted_at"])
    return _transition(family, actor=user, to=FamilyStatus.SUBMITTED, comment=comment.strip())


# --- SLS completeness -----------------------------------------------------------------------------


def sls_open_items(sls: SLS) -> dict[str, int]:
    """What keeps an SLS from being confirmed: prelist rows without a final status, families not approved."""
    return {
        "prelist_pending": PrelistFamily.objects.filter(sls=sls).exclude(status__in=FINAL_PRELIST).count(),
        "families_not_approved": Family.objects.filter(sls=sls).exclude(status=FamilyStatus.APPROVED).count(),
    }


@transaction.atomic
def sls_confirm(*, user: User, sls: SLS, comment: str = "") -> SLSConfirmation:
    """Koseka of the kecamatan (or a BPS admin): every VK1 family final, every family approved."""
    SLS.objects.select_for_update().get(pk=sls.pk)
    if user.role not in (Role.KOSEKA, Role.BPS_ADMIN) or not scoping.can_see_sls(user, sls):
        raise NotAllowedError(_("Hanya Koseka kecamatan ini yang dapat mengonfirmasi SLS."))
    if _sls_is_confirmed(sls):
        raise ConflictError(_("SLS ini sudah dikonfirmasi."))
    if not PrelistFamily.objects.filter(sls=sls).exists():
        raise ApplicationError(_("SLS ini belum memiliki prelist VK1."))
    open_items = sls_open_items(sls)
    if any(open_items.values()):
        raise ApplicationError(
            _("SLS belum lengkap: %(p)d keluarga VK1 belum berstatus akhir, %(f)d keluarga belum disetujui PML.")
            % {"p": open_items["prelist_pending"], "f": open_items["families_not_approved"]},
            extra={"open": open_items},
        )
    confirmation = SLSConfirmation.objects.create(
        sls=sls, action=SLSConfirmation.Action.CONFIRM, actor=user, comment=comment.strip()
    )
    audit_record(action=AuditAction.SLS_CONFIRM, actor=user, object_type="sls", object_id=sls.pk, area=Area.of_sls(sls))
    return confirmation


@transaction.atomic
def sls_reopen(*, user: User, sls: SLS, comment: str) -> SLSConfirmation:
    SLS.objects.select_for_update().get(pk=sls.pk)
    if user.role not in (Role.KOSEKA, Role.BPS_ADMIN) or not scoping.can_see_sls(user, sls):
        raise NotAllowedError(_("Hanya Koseka kecamatan ini yang dapat membuka kembali SLS."))
    if not _sls_is_confirmed(sls):
        raise ConflictError(_("SLS ini belum dikonfirmasi."))
    if not comment.strip():
        raise ApplicationError(_("Tuliskan alasan membuka kembali SLS."), extra={"field": "comment"})
    confirmation = SLSConfirmation.objects.create(
        sls=sls, action=SLSConfirmation.Action.REOPEN, actor=user, comment=comment.strip()
    )
    audit_record(action=AuditAction.SLS_REOPEN, actor=user, object_type="sls", object_id=sls.pk, area=Area.of_sls(sls))
    return confirmation


# --- VK1 prelist ----------------------------------------------------------------------------------


@transaction.atomic
def prelist_set_status(
    *, user: User, row: PrelistFamily, status: str, family: Family | None = None, note: str = ""
) -> PrelistFamily:
    """The PPL marks a VK1 family: found (linked to its K record), moved, deceased, not found, duplicate."""
    row = PrelistFamily.objects.select_for_update().get(pk=row.pk)
    _ensure_ppl_of(user, row.sls)
    if _sls_is_confirmed(row.sls):
        raise NotAllowedError(_("SLS ini sudah dikonfirmasi Koseka."))
    if status not in PrelistStatus.values or status in (PrelistStatus.PENDING, PrelistStatus.NEW):
        raise ApplicationError(_("Status VK1 tidak dikenal."), extra={"field": "status"})
    if status == PrelistStatus.FOUND:
        if family is None or family.sls_id != row.sls_id:
            raise ApplicationError(
                _("Keluarga yang ditemukan harus dihubungkan ke data K di SLS yang sama."),
                extra={"field": "family"},
            )
        if PrelistFamily.objects.filter(family=family).exclude(pk=row.pk).exists():
            raise ConflictError(_("Data K ini sudah terhubung ke baris VK1 lain."))
    else:
        family = None
    row.status, row.family, row.note = status, family, note.strip()[:255]
    row.status_by, row.status_at = user, timezone.now()
    row.save()
    return row


@transaction.atomic
def prelist_add_new(
    *, user: User, sls: SLS, head_name: str, address: str = "", family: Family | None = None
) -> PrelistFamily:
    """A family found in the field but not pre-listed."""
    _ensure_ppl_of(user, sls)
    head_name = head_name.strip()
    if not head_name:
        raise ApplicationError(_("Nama kepala keluarga wajib diisi."), extra={"field": "head_name"})
    SLS.objects.select_for_update().get(pk=sls.pk)
    last = PrelistFamily.objects.filter(sls=sls).aggregate(m=Max("line_no"))["m"] or 0
    if family is not None and family.sls_id != sls.pk:
        raise ApplicationError(_("Data K harus dari SLS yang sama."), extra={"field": "family"})
    return PrelistFamily.objects.create(
        sls=sls,
        line_no=last + 1,
        head_name=head_name[:150],
        address=address.strip()[:255],
        status=PrelistStatus.NEW,
        family=family,
        status_by=user,
        status_at=timezone.now(),
    )


# --- identifiers ----------------------------------------------------------------------------------

REVEAL_ROLES = {Role.PML, Role.KOSEKA, Role.BPS_ADMIN}


@transaction.atomic
def identifier_reveal(*, user: User, family: Family, member: Member | None, reason: str) -> str:
    """The full NIK (of `member`) or No. KK (of `family`), for roles that need it; always audited.

    At most IDENTIFIER_REVEAL_LIMIT reveals per user within IDENTIFIER_REVEAL_WINDOW_MINUTES (a
    sliding window over the user's `IdentifierReveal` rows, counted under a lock on the user's row
    so that parallel requests cannot all slip under it). Beyond it: TooManyRequestsError (429) and a
    WARNING `identifier.reveal_limited` for operations to alert on (ids and counts only). Raises
    NotAllowedError, ApplicationError (no reason), NotFoundError, TooManyRequestsError."""
    if user.role not in REVEAL_ROLES or not scoping.can_see_sls(user, family.sls):
        raise NotAllowedError(_("Anda tidak berwenang melihat NIK / No. KK lengkap."))
    reason = reason.strip()
    if len(reason) < 5:
        raise ApplicationError(
            _("Tuliskan alasan membuka NIK / No. KK (minimal 5 karakter)."), extra={"field": "reason"}
        )
    if member is not None and member.family_id != family.pk:
        raise NotFoundError(_("Anggota keluarga tidak ditemukan."))
    ciphertext = member.nik_ciphertext if member is not None else family.kk_ciphertext
    if ciphertext is None:
        raise NotFoundError(_("Nomor ini tidak diisi."))
    _ensure_reveal_allowance(user=user, family=family)
    IdentifierReveal.objects.create(
        actor=user, family=family, member=member, kind="nik" if member else "kk", reason=reason[:255]
    )
    logger.info("identifier.revealed", extra={"family_id": family.pk, "user_id": user.pk})
    # The reason is kept in the audit log too (it outlives the family's rows), never in a log line.
    audit_record(
        action=AuditAction.IDENTIFIER_REVEAL,
        actor=user,
        object_type="family",
        object_id=family.pk,
        area=Area.of_sls(family.sls),
        detail=f"kind=nik line={member.line_no}" if member is not None else "kind=kk",
        reason=reason,
    )
    return records.identifier_text(ciphertext, "", reveal=True) or ""


def _ensure_reveal_allowance(*, user: User, family: Family) -> None:
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    limit, minutes = settings.IDENTIFIER_REVEAL_LIMIT, settings.IDENTIFIER_REVEAL_WINDOW_MINUTES
    now = timezone.now()
    window = dt.timedelta(minutes=minutes)
    recent = IdentifierReveal.objects.filter(actor=user, at__gt=now - window)
    times = list(recent.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return
    # Free again when the oldest of the last `limit` reveals leaves the window.
    retry_after = max(1, math.ceil((times[-1] + window - now).total_seconds()))
    logger.warning(
        "identifier.reveal_limited",
        extra={
            "user_id": user.pk,
            "role": user.role,
            "family_id": family.pk,
            "limit": limit,
            "window_minutes": minutes,
            "retry_after_s": retry_after,
        },
    )
    raise TooManyRequestsError(
        _(
            "Batas membuka NIK / No. KK tercapai: %(limit)d kali dalam %(minutes)d menit. Coba lagi "
            "dalam %(wait)d menit, atau hubungi admin BPS bila memang perlu lebih."
        )
        % {"limit": limit, "minutes": minutes, "wait": math.ceil(retry_after / 60)},
        retry_after=retry_after,
    )
