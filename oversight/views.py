"""BPS admins' oversight pages: the audit log, filtered and paged, and its CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_export
from enumeration.models import Role, User
from oversight import selectors
from oversight.forms import AuditFilterForm

PAGE_SIZE = 50
CSV_COLUMNS = [
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "kecamatan",
    "kelurahan",
    "sls_id",
    "ip_address",
    "detail",
]


def _reader(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran first
    if not selectors.can_read_audit_log(user):
        raise PermissionDenied
    return user


def _form(request: HttpRequest, user: User) -> AuditFilterForm:
    kecamatan, kelurahan = selectors.audit_area_choices(user=user)
    return AuditFilterForm(request.GET or None, kecamatan=list(kecamatan), kelurahan=list(kelurahan))


def _filter(form: AuditFilterForm) -> selectors.AuditFilter | None:
    """The filters of the form; none (no filter) before a search; None when the form is invalid."""
    if not form.is_bound:
        return selectors.AuditFilter()
    return form.to_filter() if form.is_valid() else None


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = _form(request, user)
    filters = _filter(form)
    page = None
    if filters is not None:
        entries = selectors.audit_entry_list(user=user, filters=filters)
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "oversight/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "roles": dict(Role.choices),
        },
    )


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer's output."""

    def write(self, value: str) -> str:
        return value


def _safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in entries:
        yield writer.writerow(
            [
                _safe(v)
                for v in [
                    timezone.localtime(e.at).isoformat(),
                    e.actor_id,
                    e.actor_username,
                    e.actor_role,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.kecamatan_code,
                    e.kelurahan_code,
                    e.sls_id,
                    e.ip_address,
                    e.detail,
                ]
            ]
        )


@login_required
def audit_log_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered entries as CSV, streamed. The export is itself recorded (before it is sent).
    A reveal's reason is not in it: free text that may name a person stays on the page."""
    user = _reader(request)
    form = _form(request, user)
    filters = _filter(form)
    if filters is None:
        return HttpResponse(status=400)
    entries = selectors.audit_entry_list(user=user, filters=filters)
    audit_export(actor=user, export="audit_log", rows=entries.count(), filters=filters.describe())
    response = StreamingHttpResponse(
        _csv_lines(entries.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
