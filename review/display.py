"""A stored family laid out for people: blocks of the definition with their labels, answers as
value labels, warnings beside their variable, identifiers masked, and revisions as readable changes.

Plain functions over the definition and the composed record (`households.records.compose` with
`reveal=False`, so NIK and No. KK are already masks). The definition's developer `note` fields
are never read here: they are not for reviewers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geotag.models import GeotagFlag
from households import records
from households.form import Definition
from households.models import FamilyConflict

EMPTY = "—"


def _english() -> bool:
    return (get_language() or "id").startswith("en")


def _label(item: dict[str, Any]) -> str:
    return str(item["label_en"] if _english() else item["label_id"])


def _message(warning: dict[str, Any]) -> str:
    text = warning.get("message_en") if _english() else warning.get("message")
    return str(text or warning.get("message") or "")


@dataclass
class ShownWarning:
    number: str
    message: str
    # The answer's row on the page ("" when the warning names no variable of the page).
    anchor: str


@dataclass
class Answer:
    variable: str
    number: str
    label: str
    value: str
    empty: bool
    anchor: str
    warnings: list[ShownWarning] = field(default_factory=list)
    # The member's roster line (None for a family answer).
    member_line: int | None = None
    # "kk" or "nik" when the answer is a masked identifier that may be revealed with a reason.
    identifier: str = ""

    @property
    def note_key(self) -> str:
        """The name of this answer's return-note field: `note:<variable>` or `note:<variable>:<line>`."""
        return f"note:{self.variable}" if self.member_line is None else f"note:{self.variable}:{self.member_line}"


@dataclass
class Block:
    id: str
    label: str
    answers: list[Answer]
    # Blok IV: the member roster is shown here.
    roster: bool = False


@dataclass
class MemberRow:
    index: int
    line_no: int
    name: str
    anchor: str
    # The roster's columns (401-409 as in the paper form's first columns), then every answer.
    summary: list[Answer]
    answers: list[Answer]
    warning_count: int


@dataclass
class Layout:
    blocks: list[Block]
    roster_columns: list[str]
    members: list[MemberRow]
    # Every warning in the stored order, each linking to its answer where it has one.
    warnings: list[ShownWarning]


@dataclass
class Change:
    label: str
    member: str
    old: str
    new: str


@dataclass
class RevisionView:
    revision: int
    author: str
    at: Any
    source: str
    changes: list[Change]


ROSTER_SUMMARY = ("401", "402", "403", "405", "406", "407", "409")


def format_value(item: dict[str, Any] | None, value: Any) -> str:
    """An answer as a reviewer reads it: code lists by their labels, yes/no as words."""
    if value is None or value == "" or value == []:
        return EMPTY
    if item is None:
        return str(value)
    labels = {str(code["code"]): _label(code) for code in item.get("codes") or []}
    kind = item.get("type")
    if kind == "code":
        return labels.get(str(value), _("%(value)s (kode tidak dikenal)") % {"value": value})
    if kind == "multicode" and isinstance(value, list):
        return ", ".join(labels.get(str(v), _("%(value)s (kode tidak dikenal)") % {"value": v}) for v in value)
    if kind == "boolean":
        return _("Ya") if value else _("Tidak")
    return str(value)


def _variables_by_id(definition: Definition) -> dict[str, dict[str, Any]]:
    return definition.cached(
        "review.variables_by_id",
        lambda d: {v["id"]: v for v in d.family_variables() + d.member_variables()},
    )


def _answer(
    item: dict[str, Any], value: Any, anchor: str, warnings: list[ShownWarning], member_line: int | None = None
) -> Answer:
    shown = format_value(item, value)
    number = str(item.get("number") or "")
    identifier = ""
    if shown != EMPTY:
        if member_line is None and number == records.KK_NUMBER:
            identifier = "kk"
        elif member_line is not None and number == records.NIK_NUMBER:
            identifier = "nik"
    return Answer(
        variable=item["id"],
        number=number,
        label=_label(item),
        value=shown,
        empty=shown == EMPTY,
        anchor=anchor,
        warnings=warnings,
        member_line=member_line,
        identifier=identifier,
    )


def family_layout(definition: Definition, record: dict[str, Any], warnings: list[dict[str, Any]]) -> Layout:
    """The record by block; members as roster rows; each warning beside its variable."""
    by_place: dict[tuple[int | None, str], list[ShownWarning]] = defaultdict(list)
    known = _variables_by_id(definition)
    listed: list[ShownWarning] = []
    for warning in warnings:
        index, variable = warning.get("member_index"), str(warning.get("variable") or "")
        place = index if isinstance(index, int) and not isinstance(index, bool) else None
        anchor = "" if variable not in known else f"m{place + 1}-{variable}" if place is not None else f"v-{variable}"
        shown = ShownWarning(number=str(warning.get("number") or ""), message=_message(warning), anchor=anchor)
        listed.append(shown)
        if anchor:
            by_place[(place, variable)].append(shown)

    family_answers = record.get("family") or {}
    blocks: list[Block] = []
    group: dict[str, Any] | None = None
    for block in definition.data["blocks"]:
        answers = []
        has_roster = False
        for item in block["items"]:
            if item.get("type") == "group":
                group, has_roster = item, True
                continue
            answers.append(
                _answer(item, family_answers.get(item["id"]), f"v-{item['id']}", by_place[(None, item["id"])])
            )
        blocks.append(Block(id=str(block["id"]), label=_label(block), answers=answers, roster=has_roster))

    members: list[MemberRow] = []
    columns: list[str] = []
    if group is not None:
        variables = list(group["variables"])
        summary_items: list[dict[str, Any]] = []
        for number in ROSTER_SUMMARY:
            summary_items += [v for v in variables if v.get("number") == number]
        columns = [_label(v) for v in summary_items]
        for index, row in enumerate(record.get("members") or []):
            answers = [
                _answer(v, row.get(v["id"]), f"m{index + 1}-{v['id']}", by_place[(index, v["id"])], index + 1)
                for v in variables
            ]
            by_id = {a.variable: a for a in answers}
            name_var = next((v["id"] for v in variables if v.get("number") == "402"), "")
            members.append(
                MemberRow(
                    index=index,
                    line_no=index + 1,
                    name=str(row.get(name_var) or ""),
                    anchor=f"m{index + 1}",
                    summary=[by_id[v["id"]] for v in summary_items],
                    answers=answers,
                    warning_count=sum(len(a.warnings) for a in answers),
                )
            )
    return Layout(
        blocks=blocks,
        roster_columns=columns,
        members=members,
        warnings=listed,
    )


def revision_views(definition: Definition, revisions: list[Any]) -> list[RevisionView]:
    """Each revision's changes as (variable label, member, old → new) with value labels. Identifiers
    appear as the revisions store them: a mask and a change token, never a digit."""
    known = _variables_by_id(definition)
    views = []
    for revision in revisions:
        changes = []
        for change in revision.changes or []:
            item = known.get(str(change.get("variable")))
            number = f"{item['number']} " if item and item.get("number") else ""
            index = change.get("member_index")
            changes.append(
                Change(
                    label=f"{number}{_label(item)}" if item else str(change.get("variable")),
                    member=_("Anggota %(n)d") % {"n": index + 1} if isinstance(index, int) else "",
                    old=format_value(item, change.get("old")),
                    new=format_value(item, change.get("new")),
                )
            )
        views.append(
            RevisionView(
                revision=revision.revision,
                author=revision.author.username,
                at=revision.created_at,
                source=revision.source,
                changes=changes,
            )
        )
    return views


def family_flags(family: Any) -> list[str]:
    """The flags of a family annotated by `review.selectors` (queue rows, the family page), as
    labels in the page's language; rule warnings are counted apart."""
    labels = [_("Geotag: %(flag)s") % {"flag": GeotagFlag.Kind(kind).label} for kind in family.geotag_flag_kinds or []]
    if family.duplicate_nik:
        labels.append(_("NIK ganda"))
    if family.duplicate_kk:
        labels.append(_("No. KK ganda"))
    if getattr(family, "photo_missing", False):
        labels.append(_("Foto rumah wajib belum ada"))
    if family.short_interview:
        labels.append(_("Wawancara terlalu singkat"))
    if getattr(family, "conflict_reason", None):
        reason = FamilyConflict.Reason(family.conflict_reason).label
        labels.append(_("Konflik sinkronisasi: %(reason)s") % {"reason": reason})
    return labels


@dataclass
class NoteView:
    label: str
    member: str
    comment: str


def note_views(definition: Definition, notes: list[dict[str, Any]]) -> list[NoteView]:
    """A return's notes per answer with the variable's number and label, and the member's line."""
    known = _variables_by_id(definition)
    shown = []
    for note in notes:
        item = known.get(str(note.get("variable")))
        number = f"{item['number']} " if item and item.get("number") else ""
        line = note.get("member")
        shown.append(
            NoteView(
                label=f"{number}{_label(item)}" if item else str(note.get("variable")),
                member=_("Anggota %(n)d") % {"n": line} if isinstance(line, int) else "",
                comment=str(note.get("comment") or ""),
            )
        )
    return shown
