"""Cursor pagination of the API's lists (docs/api.md, "Lists").

Pages are walked by the row id: unique and never changed, so a walk sees every row that existed when
it started exactly once, whatever is inserted meanwhile (new rows have higher ids and come last),
and a page costs one indexed range query however deep it is (no OFFSET, no COUNT).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from regsosek import text


class IdCursorPagination(CursorPagination):
    page_size = 200
    ordering = "id"

    def decode_cursor(self, request: Request) -> Cursor | None:
        """DRF's decoding, but a cursor the server did not make is a 400 on `cursor` (as every
        malformed query parameter), and so is one whose position is not an id: DRF would put it in
        the query as it came (a 500 for `p=x` on an integer column)."""
        try:
            cursor: Cursor | None = super().decode_cursor(request)
        except NotFound:
            cursor = None
            valid = False
        else:
            valid = cursor is None or cursor.position is None or text.is_integer(str(cursor.position))
        if not valid:
            raise ValidationError({"cursor": [_("Kursor halaman tidak dikenal; mulai lagi dari halaman pertama.")]})
        return cursor

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = super().get_paginated_response_schema(schema)
        answer["required"] = ["next", "previous", "results"]
        return answer


class KeyCursorPagination(IdCursorPagination):
    """The same cursors and answer (`{next, previous, results}`) for a list that a selector pages
    itself by an id key in one query, which also says whether rows lie before and after the page
    (the duplicates list: households.selectors.duplicate_identifiers_for_user)."""

    def bounds(self, request: Request) -> tuple[int | None, int | None]:
        """(after, before): the page after an id (a `next` link), before one (a `previous` link), or
        (None, None) for the first page. A cursor the server did not make is a 400 on `cursor`."""
        self.base_url = request.build_absolute_uri()
        cursor = self.decode_cursor(request)
        if cursor is None or cursor.position is None:
            return None, None
        position = int(cursor.position)
        if not 0 <= position < 2**63:
            raise ValidationError({"cursor": [_("Kursor halaman tidak dikenal; mulai lagi dari halaman pertama.")]})
        return (None, position) if cursor.reverse else (position, None)

    def keyed_response(
        self, results: Any, *, first: int | None, last: int | None, has_previous: bool, has_next: bool
    ) -> Response:
        def link(position: int | None, *, reverse: bool, wanted: bool) -> str | None:
            if not wanted or position is None:
                return None
            return str(self.encode_cursor(Cursor(offset=0, reverse=reverse, position=position)))

        return Response(
            {
                "next": link(last, reverse=False, wanted=has_next),
                "previous": link(first, reverse=True, wanted=has_previous),
                "results": results,
            }
        )
