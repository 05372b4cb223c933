"""List filters (django-filter) that answer as the schema types them (docs/api.md).

django-filter reads an empty value (`?sls=`) as "no filter" and a wrong one through lenient form
fields (`int()` takes " 1" and other scripts' digits). Here a filter given in the query must be well
formed, an empty one too, or the list answers 400 with the field's error, like every refusal of
the API: `{"code": "invalid", "errors": {"sls": [...]}}` (DjangoFilterBackend raises it).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field

from regsosek import text


class StrictIntegerField(forms.IntegerField):
    """An integer in ASCII digits with an optional minus, nothing else (the schema's `integer`)."""

    default_error_messages = {"invalid": gettext_lazy("Harus bilangan bulat.")}

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not text.is_integer(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


@extend_schema_field({"type": "integer"})
class IntegerFilter(django_filters.Filter):  # type: ignore[misc]  # django-filter has no type stubs
    field_class = StrictIntegerField


class StrictFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # django-filter has no type stubs
    """A FilterSet whose filters, when given, must hold a value: an empty one is refused."""

    def is_valid(self) -> bool:
        valid: bool = super().is_valid()
        for name in self.filters:
            if name in self.data and self.data.get(name) == "":
                self.form.add_error(name, _("Tidak boleh kosong."))
                valid = False
        return valid
