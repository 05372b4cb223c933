"""New rows of a model written with PostgreSQL's COPY: one writer for the sync push
(fieldapp/sync.py), the synthetic generator (households/synthetic.py) and the benchmarks.

The columns come from the model's concrete fields, in the model's order, and each row's values
are read from model instances by field name and converted as the ORM converts them. So a column
added to or removed from a model is written (or left out) by every caller at once, and a value can
never land in its neighbour's column, as it could with a hand-kept column list.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Field, Model

# Field types whose Python value psycopg writes as the ORM would, without get_db_prep_save.
_PLAIN_FIELDS = (
    models.BinaryField,
    models.BooleanField,
    models.CharField,
    models.DateField,  # and DateTimeField
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
    models.UUIDField,
)


def _converter(field: Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How the ORM turns this field's value into what the database gets (None: as it is)."""
    if isinstance(field, models.JSONField):
        return functools.partial(json.dumps, cls=field.encoder)
    if isinstance(field, _PLAIN_FIELDS):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


@dataclass(frozen=True)
class Table:
    """How to write new rows of a model set-based: its columns (all but the primary key, which the
    sequence gives) and each row's values, converted as the ORM would convert them."""

    name: str
    columns: tuple[str, ...]
    stamped: tuple[str, ...]  # auto_now / auto_now_add fields
    values: tuple[tuple[str, Callable[[Any], Any] | None], ...]

    @classmethod
    @functools.cache
    def of(cls, model: type[Model]) -> Table:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        return cls(
            name=model._meta.db_table,
            columns=tuple(f.column for f in fields),
            stamped=tuple(
                f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            ),
            values=tuple((f.attname, _converter(f)) for f in fields),
        )

    def row(self, obj: Model, now: dt.datetime) -> list[Any]:
        """`obj`'s values in column order, its auto_now / auto_now_add fields set to `now` first."""
        for attname in self.stamped:
            setattr(obj, attname, now)
        return [getattr(obj, a) if convert is None else convert(getattr(obj, a)) for a, convert in self.values]


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """`count` ids from the sequence of the model's table (one query), for rows COPYed with their ids."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def rows(model: type[Model], objects: Sequence[Model], now: dt.datetime, *, with_id: bool = False) -> list[list[Any]]:
    """The values `copy_rows` writes for these objects, in column order (the id first if `with_id`)."""
    layout = Table.of(model)
    if with_id:
        return [[obj.pk, *layout.row(obj, now)] for obj in objects]
    return [layout.row(obj, now) for obj in objects]


def copy_rows(
    model: type[Model],
    objects: Sequence[Model],
    now: dt.datetime,
    *,
    with_id: bool = False,
    table: str | None = None,
) -> None:
    """COPY new rows of `model` (their ids from the sequence, or the ones already set) into its
    table, or into `table` (a copy of it, e.g. a benchmark's scratch table)."""
    copy_prepared(model, rows(model, objects, now, with_id=with_id), with_id=with_id, table=table)


def copy_prepared(
    model: type[Model], values: Sequence[Sequence[Any]], *, with_id: bool = False, table: str | None = None
) -> None:
    """COPY rows that `rows` prepared (so a benchmark can time the COPY alone)."""
    if not values:
        return
    layout = Table.of(model)
    columns = ", ".join(((model._meta.pk.column,) if with_id else ()) + layout.columns)
    # wrap_database_errors: a refused row raises Django's DatabaseError, as the ORM's statements do.
    with (
        connection.wrap_database_errors,
        connection.cursor() as wrapper,
        wrapper.cursor.copy(f"COPY {table or layout.name} ({columns}) FROM STDIN") as copy,
    ):
        for row in values:
            copy.write_row(row)
