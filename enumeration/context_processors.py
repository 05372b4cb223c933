from __future__ import annotations

from django.http import HttpRequest

from enumeration.synthetic import synthetic_exists


def synthetic_data(request: HttpRequest) -> dict[str, bool]:
    """Every page says so when the database holds synthetic (demo) data."""
    return {"synthetic_data": synthetic_exists()}
