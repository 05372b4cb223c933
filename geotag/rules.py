"""The geotag checks' thresholds, one source for the server and the phone.

Defaults live in geotag/rules.json (read by regsosek/settings.py, overridable by the environment);
`geotag_rules()` gives the values in force, which the app shell hands to the phone
(static/js/geo/rules.js applies the same rules at the doorstep).
"""

from __future__ import annotations

from django.conf import settings


def geotag_rules() -> dict[str, float]:
    """The thresholds in force, keyed as in geotag/rules.json."""
    return {
        "max_accuracy_m": settings.GEOTAG_MAX_ACCURACY_M,
        "area_tolerance_m": settings.GEOTAG_AREA_TOLERANCE_M,
        "same_point_m": settings.GEOTAG_SAME_POINT_M,
        "max_speed_kmh": settings.GEOTAG_MAX_SPEED_KMH,
        "speed_min_distance_m": settings.GEOTAG_SPEED_MIN_DISTANCE_M,
    }
