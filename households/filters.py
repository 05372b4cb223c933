"""Filters of the family list API (django-filter), over a queryset the selectors already scoped."""

from __future__ import annotations

import django_filters

from households.models import Family, FamilyStatus
from regsosek.filters import IntegerFilter, StrictFilterSet


class FamilyFilter(StrictFilterSet):
    sls = IntegerFilter(field_name="sls_id", help_text="only this SLS (its id)")
    status = django_filters.ChoiceFilter(choices=FamilyStatus.choices, help_text="only this status")

    class Meta:
        model = Family
        fields = ("sls", "status")
