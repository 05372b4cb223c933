"""regsosek/pgcopy.py, the one COPY writer of the sync push, the synthetic generator and the
benchmarks: its columns are the model's, so a field added or removed cannot shift values."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from geotag.models import Geotag
from households.models import Family, FamilyRevision, Member, PrelistFamily, ReviewEvent
from regsosek import pgcopy

pytestmark = pytest.mark.django_db

WRITTEN_BY_COPY = [Family, Member, FamilyRevision, ReviewEvent, PrelistFamily, Geotag]
NOW = dt.datetime(2022, 10, 18, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("model", WRITTEN_BY_COPY, ids=lambda m: m.__name__)
def test_the_writer_writes_every_concrete_column_of_the_model_and_of_its_table(model: type[models.Model]) -> None:
    columns = pgcopy.Table.of(model).columns
    assert columns == tuple(f.column for f in model._meta.concrete_fields if not f.primary_key)
    with connection.cursor() as cursor:
        in_database = {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}
    assert set(columns) == in_database - {model._meta.pk.column}


def _probe_rows() -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT a, b, c, made FROM pgcopy_probe ORDER BY id")
        return list(cursor.fetchall())


@isolate_apps("tests")
def test_a_field_added_or_removed_moves_no_value_into_another_column() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE pgcopy_probe (id serial PRIMARY KEY, a integer, b integer, c integer, made timestamptz)"
        )

    class Before(models.Model):  # noqa: DJ008
        a = models.IntegerField(null=True)
        c = models.IntegerField(null=True)
        made = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "tests"
            db_table = "pgcopy_probe"

    class Added(models.Model):  # noqa: DJ008  # b added between a and c
        a = models.IntegerField(null=True)
        b = models.IntegerField(null=True)
        c = models.IntegerField(null=True)
        made = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "tests"
            db_table = "pgcopy_probe"

    class Removed(models.Model):  # noqa: DJ008  # a removed
        c = models.IntegerField(null=True)
        made = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "tests"
            db_table = "pgcopy_probe"

    pgcopy.copy_rows(Before, [Before(a=11, c=1)], NOW)
    pgcopy.copy_rows(Added, [Added(a=12, b=22, c=2)], NOW)
    pgcopy.copy_rows(Removed, [Removed(c=3)], NOW)
    assert pgcopy.Table.of(Added).columns == ("a", "b", "c", "made")
    assert _probe_rows() == [(11, None, 1, NOW), (12, 22, 2, NOW), (None, None, 3, NOW)]


def test_rows_come_with_their_ids_from_the_sequence_and_converted_as_the_orm_converts() -> None:
    (first, second) = pgcopy.reserve_ids(FamilyRevision, 2)
    assert second > first
    values = pgcopy.rows(
        FamilyRevision, [FamilyRevision(pk=first, family_id=1, revision=1, author_id=1)], NOW, with_id=True
    )
    (row,) = values
    columns = ("id", *pgcopy.Table.of(FamilyRevision).columns)
    written = dict(zip(columns, row, strict=True))
    assert written["id"] == first and written["created_at"] == NOW
    assert written["changes"] == "[]"  # JSON, as the ORM sends it
