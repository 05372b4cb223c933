"""Content negotiation of the API: DRF's, except for an unknown `?format=`.

DRF lets a `format` query parameter pick the renderer and answers 404 for a format it has no
renderer for (`?format=null` on any endpoint: the API fuzz). The schema names no `format`
parameter, and the API answers JSON only, so an unknown one is ignored like any other unknown
parameter; a known one still picks its renderer (`/api/v1/schema/?format=json`).
"""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer


class IgnoreUnknownFormatNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers: Iterable[BaseRenderer], format: str) -> list[BaseRenderer]:
        renderers = list(renderers)
        return [renderer for renderer in renderers if renderer.format == format] or renderers
