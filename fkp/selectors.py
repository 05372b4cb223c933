"""Reads for the FKP and Pemkot pages, narrowed by `enumeration.scoping` (docs/fkp.md).

Who sees what: BPS Kota admins and Pemkot staff the whole kota, a Koseka the kelurahan of their
kecamatan; PPL and PML nothing. Only finished runs have lists. A list row carries what the FKP
list prints and nothing more: names and addresses from the family records, building and family
numbers, the head's NIK and the No. KK as masks (from the keyed hashes: nothing is decrypted),
ranks, desil and welfare group.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Max, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from enumeration import scoping
from enumeration.models import SLS, Kelurahan, Role, User
from fkp.documents import ListRow, ProposalRow
from fkp.models import Decision, DocumentKind, Forum, ForumSLS, ListDocument, Outcome, ProposedFamily
from households import form
from households.identifiers import MASK_CHAR, mask
from households.models import Member
from ranking import selectors as ranking_selectors
from ranking.models import RankedFamily, RankingRun

VIEWER_ROLES = (Role.BPS_ADMIN, Role.PEMKOT, Role.KOSEKA)
HEAD_RELATIONSHIP = 1  # 409: kepala keluarga
ADDRESS_NUMBER = "107"
FINISHED = "finished"


def can_view(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in VIEWER_ROLES)


def can_download_run_file(user: User) -> bool:
    """The file of a whole run (every kelurahan): for the roles that see the whole kota."""
    return bool(user.is_authenticated and user.is_active and user.role in (Role.BPS_ADMIN, Role.PEMKOT))


def can_manage(user: User) -> bool:
    """Grouping forums, recording outcomes and re-ranking: BPS Kota admins (the FKP administrator)."""
    return bool(user.is_authenticated and user.is_active and user.role == Role.BPS_ADMIN)


def run_list(*, user: User) -> QuerySet[RankingRun]:
    """Finished runs the user may read, newest first."""
    if not can_view(user):
        return RankingRun.objects.none()
    return ranking_selectors.ranking_run_list(user=user).filter(status=FINISHED).order_by("-created_at", "-pk")


def run_get(*, user: User, run_id: int) -> RankingRun | None:
    return run_list(user=user).filter(pk=run_id).first()


def run_is_final(run: RankingRun) -> bool:
    return bool(getattr(run, "is_final", False))


def forum_title(forum: Forum) -> str:
    return _("FKP Kelurahan %(kelurahan)s, forum %(number)d") % {
        "kelurahan": forum.kelurahan.name,
        "number": forum.number,
    }


def forum_heading(forum: Forum) -> str:
    """The forum's title with its meeting (date, place, held), as the XLSX's title line prints it."""
    parts = [forum_title(forum)]
    if forum.meeting_date is not None:
        with translation.override("id"):
            meeting = _("forum %(date)s") % {"date": date_format(forum.meeting_date, "j F Y")}
            if forum.meeting_place:
                meeting += f", {forum.meeting_place}"
            if forum.held_at is not None:
                meeting += f" ({_('selesai')})"
        parts.append(meeting)
    return "; ".join(parts)


def run_label(run: RankingRun) -> str:
    label = _("Pemeringkatan #%(id)d") % {"id": run.pk}
    return f"{label} ({_('final')})" if run_is_final(run) else label


def visible_kelurahan(*, user: User) -> QuerySet[Kelurahan]:
    if not can_view(user):
        return Kelurahan.objects.none()
    return scoping.visible_kelurahan(user)


def kelurahan_get(*, user: User, code: str) -> Kelurahan | None:
    return visible_kelurahan(user=user).select_related("kecamatan").filter(pk=code).first()


@dataclass(frozen=True)
class KelurahanLine:
    kelurahan: Kelurahan
    families: int
    forums: int
    outcomes: int


def kelurahan_lines(*, user: User, run: RankingRun) -> list[KelurahanLine]:
    """The run's kelurahan in the user's scope: ranked families, forums and families decided."""
    kelurahan = list(visible_kelurahan(user=user).select_related("kecamatan").order_by("bps_code"))
    codes = [k.pk for k in kelurahan]
    families = dict(
        RankedFamily.objects.filter(run=run, kelurahan_id__in=codes)
        .values_list("kelurahan_id")
        .annotate(n=Count("pk"))
        .values_list("kelurahan_id", "n")
    )
    forums = dict(
        Forum.objects.filter(run=run, kelurahan_id__in=codes)
        .values_list("kelurahan_id")
        .annotate(n=Count("pk"))
        .values_list("kelurahan_id", "n")
    )
    decided = dict(
        Outcome.objects.filter(forum__run=run, forum__kelurahan_id__in=codes)
        .values_list("forum__kelurahan_id")
        .annotate(n=Count("ranked_id", distinct=True))
        .values_list("forum__kelurahan_id", "n")
    )
    return [
        KelurahanLine(k, families.get(k.pk, 0), forums.get(k.pk, 0), decided.get(k.pk, 0))
        for k in kelurahan
        if families.get(k.pk)
    ]


@dataclass
class SummaryLine:
    """Families of a run in one area, per desil (1-10) and per welfare group (1-4)."""

    code: str
    name: str
    kecamatan: str
    total: int = 0
    desil: list[int] = field(default_factory=lambda: [0] * 10)
    groups: list[int] = field(default_factory=lambda: [0] * 4)

    def add(self, other: SummaryLine) -> None:
        self.total += other.total
        self.desil = [a + b for a, b in zip(self.desil, other.desil, strict=True)]
        self.groups = [a + b for a, b in zip(self.groups, other.groups, strict=True)]


def run_summary(*, user: User, run: RankingRun) -> tuple[list[SummaryLine], list[SummaryLine]]:
    """Families per desil and group, by kecamatan and by kelurahan, in the user's scope: one
    grouped query over the run's rows (counts only, no family)."""
    counts = {f"d{d}": Count("pk", filter=Q(desil=d)) for d in range(1, 11)}
    counts.update({f"g{g}": Count("pk", filter=Q(welfare_group=g)) for g in range(1, 5)})
    grouped = (
        RankedFamily.objects.filter(run=run, kelurahan_id__in=visible_kelurahan(user=user).values("pk"))
        .values("kecamatan_id", "kecamatan__name", "kelurahan_id", "kelurahan__name")
        .annotate(total=Count("pk"), **counts)
        .order_by("kelurahan_id")
    )
    kelurahan: list[SummaryLine] = []
    kecamatan: dict[str, SummaryLine] = {}
    for item in grouped:
        line = SummaryLine(
            code=item["kelurahan_id"],
            name=item["kelurahan__name"],
            kecamatan=item["kecamatan__name"],
            total=item["total"],
            desil=[item[f"d{d}"] for d in range(1, 11)],
            groups=[item[f"g{g}"] for g in range(1, 5)],
        )
        kelurahan.append(line)
        area = kecamatan.setdefault(
            item["kecamatan_id"], SummaryLine(code=item["kecamatan_id"], name=item["kecamatan__name"], kecamatan="")
        )
        area.add(line)
    return [kecamatan[code] for code in sorted(kecamatan)], kelurahan


def forum_qs(*, user: User) -> QuerySet[Forum]:
    if not can_view(user):
        return Forum.objects.none()
    return Forum.objects.filter(
        kelurahan__in=scoping.visible_kelurahan(user).values("pk"), run__in=run_list(user=user).values("pk")
    )


def forum_list(*, user: User, run: RankingRun, kelurahan: Kelurahan) -> list[Forum]:
    forums: list[Forum] = list(
        forum_qs(user=user)
        .filter(run=run, kelurahan=kelurahan)
        .select_related("held_by")
        .annotate(
            sls_count=Count("memberships", distinct=True),
            decided=Count("outcomes__ranked_id", distinct=True),
        )
        .order_by("number")
    )
    sls_by_forum: dict[int, list[SLS]] = {f.pk: [] for f in forums}
    for membership in (
        ForumSLS.objects.filter(forum__in=forums).select_related("sls").order_by("sls__code", "sls__sub_code")
    ):
        sls_by_forum[membership.forum_id].append(membership.sls)
    for forum in forums:
        forum.sls_list = sls_by_forum[forum.pk]  # type: ignore[attr-defined]  # for the template
    return forums


def kelurahan_forums(*, user: User, run: RankingRun, kelurahan: Kelurahan) -> list[Forum]:
    """The kelurahan's forums of a run in the user's scope, by number (what its PDF prints)."""
    return list(
        forum_qs(user=user)
        .filter(run=run, kelurahan=kelurahan)
        .select_related("run", "kelurahan__kecamatan")
        .order_by("number")
    )


def forum_get(*, user: User, forum_id: int) -> Forum | None:
    return forum_qs(user=user).select_related("run", "kelurahan__kecamatan", "held_by").filter(pk=forum_id).first()


def forum_sls(*, forum: Forum) -> list[SLS]:
    return [m.sls for m in forum.memberships.select_related("sls").order_by("sls__code", "sls__sub_code")]


def kelurahan_ranked_sls(*, run: RankingRun, kelurahan: Kelurahan) -> list[SLS]:
    """The kelurahan's SLS that have ranked families in the run, in code order (what forums group)."""
    ids = RankedFamily.objects.filter(run=run, kelurahan=kelurahan).values("sls_id")
    return list(SLS.objects.filter(pk__in=ids).order_by("code", "sub_code"))


def _address_keys() -> list[str]:
    keys = {form.family_ids_by_number(d).get(ADDRESS_NUMBER) for d in form.all_definitions()}
    return sorted(k for k in keys if k)


def _sls_code(code: str, sub_code: str) -> str:
    return code if sub_code == "00" else f"{code}-{sub_code}"


def sls_label(sls: SLS) -> str:
    """An SLS's code as the list prints it: "0001", or "0001-01" for a sub-SLS."""
    return _sls_code(sls.code, sls.sub_code)


ROW_FIELDS = (
    "pk",
    "kecamatan__name",
    "kelurahan__name",
    "sls__code",
    "sls__sub_code",
    "sls__name",
    "family__head_name",
    "address",
    "family__building_no",
    "family__family_no",
    "head_nik_hash",
    "family__kk_hash",
    "rank",
    "rank_kelurahan",
    "desil",
    "welfare_group",
)


def _with_outcomes(queryset: QuerySet[RankedFamily]) -> QuerySet[RankedFamily]:
    """Each row's newest recorded outcome and its reason ("" when none): one index probe per row
    (fkp_outcome_latest, ranked then -id)."""
    latest = Outcome.objects.filter(ranked_id=OuterRef("pk")).order_by("-pk")
    forum = ForumSLS.objects.filter(run_id=OuterRef("run_id"), sls_id=OuterRef("sls_id"))
    return queryset.annotate(
        outcome_decision=Coalesce(Subquery(latest.values("decision")[:1]), Value(""), output_field=CharField()),
        outcome_reason=Coalesce(Subquery(latest.values("reason")[:1]), Value(""), output_field=CharField()),
        forum_number=Subquery(forum.values("forum__number")[:1]),
        forum_date=Subquery(forum.values("forum__meeting_date")[:1]),
        forum_place=Coalesce(Subquery(forum.values("forum__meeting_place")[:1]), Value(""), output_field=CharField()),
    )


def _rows(
    queryset: QuerySet[RankedFamily], *, with_outcomes: bool = False, chunk_size: int = 2000
) -> Iterator[ListRow]:
    with translation.override("id"):  # the lists are Indonesian, whatever the page's language
        labels = {decision.value: str(decision.label) for decision in Decision}
    if with_outcomes:
        queryset = _with_outcomes(queryset)
    keys = _address_keys()
    parts = [KeyTextTransform(k, "family__data") for k in keys]
    address = Coalesce(*parts, Value(""), output_field=TextField()) if parts else Value("")
    head_nik = Subquery(
        Member.objects.filter(family_id=OuterRef("family_id"), relationship=HEAD_RELATIONSHIP)
        .order_by("line_no")
        .values("nik_hash")[:1]
    )
    head_nik_hash = Coalesce(head_nik, Value(""), output_field=CharField())
    outcome_fields = ("outcome_decision", "outcome_reason", "forum_number", "forum_date", "forum_place")
    fields = (*ROW_FIELDS, *outcome_fields) if with_outcomes else ROW_FIELDS
    values = queryset.annotate(address=address, head_nik_hash=head_nik_hash).values_list(*fields)
    for (pk, kec, kel, code, sub, _sls_name, head, addr, building, family_no, nik_hash, kk_hash, rank,
         rank_kel, desil, group, *outcome) in values.iterator(chunk_size=chunk_size):  # fmt: skip
        decision, reason, forum_number, forum_date, forum_place = outcome or ("", "", None, None, "")
        yield ListRow(
            ranked_id=pk,
            kecamatan=kec,
            kelurahan=kel,
            sls_code=_sls_code(code, sub),
            sls_name=_sls_name,
            head_name=head,
            address=addr or "",
            building_no=building,
            family_no=family_no,
            nik=mask(nik_hash),
            kk=mask(kk_hash),
            rank=rank,
            rank_kelurahan=rank_kel,
            desil=desil,
            welfare_group=group,
            decision=labels.get(decision, decision),
            reason=reason,
            forum_number=forum_number,
            forum_date=forum_date.isoformat() if forum_date else "",
            forum_place=forum_place,
        )


def forum_rows(*, user: User, forum: Forum, with_outcomes: bool = False) -> Iterator[ListRow]:
    """The forum's list: its SLS's ranked families, by SLS code then rank; `with_outcomes`: with
    each family's newest recorded outcome (the XLSX and CSV downloads)."""
    queryset = ranking_selectors.ranked_rows(user=user, run=forum.run, kelurahan=forum.kelurahan).filter(
        sls_id__in=ForumSLS.objects.filter(forum=forum).values("sls_id")
    )
    return _rows(queryset.order_by("sls__code", "sls__sub_code", "rank"), with_outcomes=with_outcomes)


def forum_row_count(*, user: User, forum: Forum) -> int:
    return (
        ranking_selectors.ranked_rows(user=user, run=forum.run, kelurahan=forum.kelurahan)
        .filter(sls_id__in=ForumSLS.objects.filter(forum=forum).values("sls_id"))
        .count()
    )


def run_rows(
    *, user: User, run: RankingRun, kelurahan: Kelurahan | None = None, with_outcomes: bool = False
) -> Iterator[ListRow]:
    """A run's ranked families in the user's scope, by rank in the kota (or one kelurahan's);
    `with_outcomes`: with each family's newest recorded outcome (a kelurahan's downloads)."""
    queryset = ranking_selectors.ranked_rows(user=user, run=run, kelurahan=kelurahan).filter(
        kelurahan_id__in=scoping.visible_kelurahan(user).values("pk")
    )
    return _rows(queryset.order_by("rank", "pk"), with_outcomes=with_outcomes)


def run_row_count(*, user: User, run: RankingRun, kelurahan: Kelurahan | None = None) -> int:
    return (
        ranking_selectors.ranked_rows(user=user, run=run, kelurahan=kelurahan)
        .filter(kelurahan_id__in=scoping.visible_kelurahan(user).values("pk"))
        .count()
    )


def ranked_get(*, forum: Forum, ranked_id: int) -> RankedFamily | None:
    """A ranked family of the forum's list (None if it is not on it)."""
    return (
        RankedFamily.objects.filter(
            run_id=forum.run_id, pk=ranked_id, sls_id__in=ForumSLS.objects.filter(forum=forum).values("sls_id")
        )
        .select_related("sls")
        .first()
    )


def current_outcomes(*, forum: Forum) -> dict[int, Outcome]:
    """The newest outcome per ranked family of the forum."""
    latest = Outcome.objects.filter(forum=forum).values("ranked_id").annotate(last=Max("pk")).values("last")
    return {o.ranked_id: o for o in Outcome.objects.filter(pk__in=latest).select_related("recorded_by")}


def outcome_history(*, forum: Forum) -> QuerySet[Outcome]:
    return Outcome.objects.filter(forum=forum).select_related("recorded_by", "ranked").order_by("-recorded_at", "-pk")


def run_current_outcomes(*, run: RankingRun) -> QuerySet[Outcome]:
    """The newest outcome per ranked family across the run's forums (what a re-rank applies)."""
    latest = Outcome.objects.filter(forum__run=run).values("ranked_id").annotate(last=Max("pk")).values("last")
    return Outcome.objects.filter(pk__in=latest).select_related("ranked").order_by("pk")


def proposal_list(*, forum: Forum) -> QuerySet[ProposedFamily]:
    return (
        ProposedFamily.objects.filter(forum=forum, withdrawn_at__isnull=True)
        .select_related("sls", "recorded_by")
        .order_by("sls__code", "sls__sub_code", "pk")
    )


# A NIK or No. KK has 16 digits; any run of 10 or more (spaces, dots or dashes between them
# allowed) typed into a proposal's text is masked in the downloads.
LONG_NUMBER = re.compile(r"\d(?:[ .\-]?\d){9,}")


def mask_numbers(text: str) -> str:
    return LONG_NUMBER.sub(MASK_CHAR * 16, text)


def _proposal_rows(queryset: QuerySet[ProposedFamily]) -> list[ProposalRow]:
    return [
        ProposalRow(
            forum_number=p.forum.number,
            sls_code=sls_label(p.sls),
            head_name=mask_numbers(p.head_name),
            address=mask_numbers(p.address),
            note=mask_numbers(p.note),
            recorded_on=timezone.localdate(p.recorded_at).isoformat(),
        )
        for p in queryset.select_related("forum", "sls").order_by("forum__number", "sls__code", "sls__sub_code", "pk")
    ]


def forum_proposal_rows(*, forum: Forum) -> list[ProposalRow]:
    """The forum's open proposals (withdrawn ones left out) as the downloads show them; the caller
    has the forum from `forum_get` (in the user's scope)."""
    return _proposal_rows(ProposedFamily.objects.filter(forum=forum, withdrawn_at__isnull=True))


def kelurahan_proposal_rows(*, user: User, run: RankingRun, kelurahan: Kelurahan) -> list[ProposalRow]:
    """The open proposals of the kelurahan's forums of a run in the user's scope, by forum."""
    forums = forum_qs(user=user).filter(run=run, kelurahan=kelurahan)
    return _proposal_rows(ProposedFamily.objects.filter(forum__in=forums, withdrawn_at__isnull=True))


def proposal_get(*, forum: Forum, proposal_id: int) -> ProposedFamily | None:
    return proposal_list(forum=forum).filter(pk=proposal_id).first()


def run_outcome_counts(*, run: RankingRun) -> dict[str, int]:
    counts = {"decided": 0, "proposals": 0}
    counts["decided"] = run_current_outcomes(run=run).count()
    counts["proposals"] = ProposedFamily.objects.filter(forum__run=run, withdrawn_at__isnull=True).count()
    return counts


def derived_runs(*, user: User, run: RankingRun) -> QuerySet[RankingRun]:
    """Runs started from this one (re-ranks), whatever their status."""
    return ranking_selectors.ranking_run_list(user=user).filter(based_on=run).order_by("-created_at")


def document_for_forum(*, forum: Forum) -> ListDocument | None:
    return ListDocument.objects.filter(kind=DocumentKind.FORUM_PDF, forum=forum).exclude(status="failed").first()


def document_for_kelurahan(*, run: RankingRun, kelurahan: Kelurahan) -> ListDocument | None:
    return (
        ListDocument.objects.filter(kind=DocumentKind.KELURAHAN_PDF, run=run, kelurahan=kelurahan)
        .exclude(status="failed")
        .first()
    )


def document_for_run(*, run: RankingRun) -> ListDocument | None:
    return ListDocument.objects.filter(kind=DocumentKind.RUN_XLSX, run=run).exclude(status="failed").first()


def document_get(*, user: User, document_id: int) -> ListDocument | None:
    """A document the user may download: a forum's or a kelurahan's in their scope, a run's for
    kota-wide roles."""
    if not can_view(user):
        return None
    documents = ListDocument.objects.select_related(
        "run", "forum__kelurahan__kecamatan", "kelurahan__kecamatan"
    ).filter(pk=document_id)
    in_scope = Q(kind=DocumentKind.FORUM_PDF, forum__in=forum_qs(user=user).values("pk")) | Q(
        kind=DocumentKind.KELURAHAN_PDF,
        kelurahan__in=visible_kelurahan(user=user).values("pk"),
        run__in=run_list(user=user).values("pk"),
    )
    if can_download_run_file(user):
        in_scope |= Q(kind=DocumentKind.RUN_XLSX, run__in=run_list(user=user).values("pk"))
    return documents.filter(in_scope).first()
