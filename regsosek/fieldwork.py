"""The fieldwork period from the settings (FIELDWORK_START, FIELDWORK_END), parsed in one place:
the monitoring trend spreads the VK1 target over it, the demo data is dated within it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def fieldwork_period() -> tuple[dt.date, dt.date]:
    """FIELDWORK_START..FIELDWORK_END (inclusive); a bad value is a configuration error."""
    try:
        start = dt.date.fromisoformat(settings.FIELDWORK_START)
        end = dt.date.fromisoformat(settings.FIELDWORK_END)
    except ValueError as exc:
        raise ImproperlyConfigured("FIELDWORK_START and FIELDWORK_END must be dates (YYYY-MM-DD).") from exc
    if end < start:
        raise ImproperlyConfigured("FIELDWORK_END is before FIELDWORK_START.")
    return start, end
