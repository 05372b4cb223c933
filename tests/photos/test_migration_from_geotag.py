"""Photos moved from the geotag app to their own: a database of the old layout, holding families,
geotags, flags and photos, migrates forward without losing a row, a foreign key or a file name."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.helpers import KEL_A1

pytestmark = pytest.mark.django_db

OLD_GEOTAG = ("geotag", "0001_geotags_and_photos")


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # what is applied now
    return executor


def _leaves(executor: MigrationExecutor) -> list[tuple[str, str]]:
    return list(executor.loader.graph.leaf_nodes())


def _applied(executor: MigrationExecutor) -> list[tuple[str, str]]:
    # Later migrations of other apps that depend on the move are unapplied with it, so the old
    # layout is what the database holds now, not the graph's leaves.
    return list(executor.loader.applied_migrations)


def test_a_database_of_the_old_layout_keeps_its_photos_under_the_photos_app() -> None:
    executor = _migrate([("photos", None), OLD_GEOTAG])
    old_nodes = _applied(executor)
    assert OLD_GEOTAG in old_nodes and ("geotag", "0002_photo_moves_to_photos") not in old_nodes
    old = executor.loader.project_state(old_nodes).apps
    with pytest.raises(LookupError):
        old.get_model("photos", "Photo")

    user = old.get_model("enumeration", "User").objects.create(username="ppl.lama", full_name="PPL", role="ppl")
    sls = old.get_model("enumeration", "SLS").objects.create(kelurahan_id=KEL_A1, code="0009", name="RT 9")
    geotag = old.get_model("geotag", "Geotag").objects.create(
        client_uuid=uuid.uuid4(),
        sls=sls,
        building_no="001",
        location=Point(106.68, -6.35, srid=4326),
        accuracy_m=8,
        captured_at=dt.datetime(2022, 10, 18, 9, 30, tzinfo=dt.UTC),
        provider="gps",
        collected_by=user,
    )
    old.get_model("geotag", "GeotagFlag").objects.create(geotag=geotag, kind="low_accuracy", detail={"a": 1})
    family_model = old.get_model("households", "Family")
    families = [
        family_model.objects.create(
            client_uuid=uuid.uuid4(),
            sls=sls,
            form_id="regsosek22k",
            form_version="1",
            payload_sha256="0" * 64,
            family_no=f"00{n}",
            geotag=geotag,
            created_by=user,
            updated_by=user,
        )
        for n in (1, 2)
    ]
    photo_model = old.get_model("geotag", "Photo")
    photo = photo_model.objects.create(
        client_uuid=uuid.uuid4(),
        family=families[1],
        sha256="a" * 64,
        size_bytes=1234,
        status="ready",
        image="photos/ready/x.jpg",
        thumbnail="photos/thumbs/x.jpg",
        width=1600,
        height=1200,
        uploaded_by=user,
    )
    content_type = old.get_model("contenttypes", "ContentType").objects.get(app_label="geotag", model="photo")

    # The rows above leave deferred foreign-key checks pending in the test's transaction; a later
    # migration that builds an index on their table needs them checked first, as a real commit would.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = _migrate(_leaves(MigrationExecutor(connection)))
    new = executor.loader.project_state(_leaves(executor)).apps
    with pytest.raises(LookupError):
        new.get_model("geotag", "Photo")
    moved = new.get_model("photos", "Photo").objects.select_related("family__geotag", "uploaded_by").get(pk=photo.pk)
    assert (moved.client_uuid, moved.sha256, moved.size_bytes, moved.status) == (
        photo.client_uuid,
        "a" * 64,
        1234,
        "ready",
    )
    assert (moved.image.name, moved.thumbnail.name, moved.width, moved.height) == (
        "photos/ready/x.jpg",
        "photos/thumbs/x.jpg",
        1600,
        1200,
    )
    assert moved.family.pk == families[1].pk and moved.uploaded_by.username == "ppl.lama"
    assert moved.family.geotag.client_uuid == geotag.client_uuid
    stored = new.get_model("households", "Family").objects.filter(pk__in=[f.pk for f in families])
    assert sorted(stored.values_list("geotag_id", flat=True)) == [geotag.pk, geotag.pk]
    assert list(
        new.get_model("geotag", "GeotagFlag").objects.filter(geotag_id=geotag.pk).values_list("kind", "detail")
    ) == [("low_accuracy", {"a": 1})]
    # The same table, with its foreign keys to families and users still enforced by the database.
    assert new.get_model("photos", "Photo")._meta.db_table == "geotag_photo"
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "geotag_photo")
    targets = {c["foreign_key"] for c in constraints.values() if c["foreign_key"]}
    assert {("households_family", "id"), ("enumeration_user", "id")} <= targets
    # Permissions and admin history keep their content type, now the photos app's.
    content_types = new.get_model("contenttypes", "ContentType").objects
    assert content_types.get(app_label="photos", model="photo").pk == content_type.pk
    assert not content_types.filter(app_label="geotag", model="photo").exists()
