"""The backup drill (issue 15): load data, back up, drop, restore, compare counts and photo checksums."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from enumeration.models import Kelurahan
from households.models import Family
from photos.models import Photo
from regsosek.backup import MANIFEST, BackupError, backup_create, backup_restore, backup_verify, table_counts

pytestmark = pytest.mark.django_db(transaction=True)
CIPHERTEXTS = "SELECT md5(string_agg(encode(nik_ciphertext, 'hex'), ',' ORDER BY id)) FROM households_member"


def _admin(db: dict[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname="postgres",
        host=db["HOST"] or None,
        port=str(db["PORT"] or "") or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture
def drill_db() -> Any:
    """An empty database beside the test database: the one the drill restores into."""
    source = connection.settings_dict
    target = {**source, "NAME": f"{source['NAME']}_drill"}
    with _admin(source) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{target["NAME"]}"')
    yield target
    with _admin(source) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def census(settings: Any, tmp_path: Path) -> dict[str, str]:
    """Synthetic families with house photos on disk; returns each photo file's checksum by name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("generate_synthetic", families=40, seed=7, stdout=open("/dev/null", "w"))  # noqa: SIM115
    checksums: dict[str, str] = {}
    for n, family in enumerate(Family.objects.order_by("pk")[:6]):
        body = f"not really a jpeg, photo {n}".encode() * (n + 1)
        photo = Photo(
            client_uuid=uuid.uuid4(),
            family=family,
            sha256=hashlib.sha256(body).hexdigest(),
            size_bytes=len(body),
            status=Photo.Status.READY,
            uploaded_by=family.created_by,
        )
        photo.image.save(f"{photo.client_uuid}.jpg", ContentFile(body), save=False)
        photo.thumbnail.save(f"{photo.client_uuid}.jpg", ContentFile(body[:50]), save=False)
        photo.save()
        for field in (photo.image, photo.thumbnail):
            checksums[field.name] = _sha(Path(settings.MEDIA_ROOT) / field.name)
    return checksums


def test_backup_drop_restore_gives_the_same_rows_and_photos(census, drill_db, settings, tmp_path):
    source = connection.settings_dict
    before = table_counts(source)
    assert before["households_family"] >= 40 and before["geotag_photo"] == 6

    made = backup_create(destination=tmp_path / "backups", media_root=Path(settings.MEDIA_ROOT), db=source)
    assert made.path.name.startswith("regsosek-") and made.media_files == 12
    assert not list((tmp_path / "backups").glob(".*partial"))

    # Drop: the media are gone; the drill database is empty.
    for name in census:
        (Path(settings.MEDIA_ROOT) / name).unlink()
    assert table_counts(drill_db) == {}

    restored_media = tmp_path / "restored-media"
    done = backup_restore(path=made.path, media_root=restored_media, db=drill_db)

    after = table_counts(drill_db)
    assert {name: after[name] for name in before} == before
    assert done.rows == sum(before.values()) + sum(v for k, v in after.items() if k not in before)
    assert {name: _sha(restored_media / name) for name in census} == census
    with psycopg.connect(
        dbname=drill_db["NAME"],
        host=drill_db["HOST"] or None,
        port=str(drill_db["PORT"] or "") or None,
        user=drill_db["USER"] or None,
        password=drill_db["PASSWORD"] or None,
    ) as conn:
        # PostGIS came back with the geometries, and encrypted identifiers byte for byte.
        valid = "SELECT count(*) FROM enumeration_kelurahan WHERE boundary IS NOT NULL AND ST_IsValid(boundary)"
        row = conn.execute(valid).fetchone()
        kelurahan_with_boundary = Kelurahan.objects.filter(boundary__isnull=False).count()
        assert row is not None and row[0] == kelurahan_with_boundary > 0
        restored = conn.execute(CIPHERTEXTS).fetchone()
    original = connection.cursor()
    original.execute(CIPHERTEXTS)
    assert restored is not None and restored[0] is not None  # synthetic members carry encrypted NIKs
    assert restored == original.fetchone()


def test_a_damaged_backup_is_refused_before_anything_is_touched(census, drill_db, settings, tmp_path):
    made = backup_create(
        destination=tmp_path / "backups", media_root=Path(settings.MEDIA_ROOT), db=connection.settings_dict
    )
    name = sorted(census)[0]
    damaged = made.path / "media" / name
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"!")
    restored_media = tmp_path / "restored-media"
    with pytest.raises(BackupError, match=f"checksum differs: media/{name}"):
        backup_restore(path=made.path, media_root=restored_media, db=drill_db)
    assert table_counts(drill_db) == {} and not restored_media.exists()

    (made.path / MANIFEST).unlink()
    with pytest.raises(BackupError, match="no MANIFEST"):
        backup_verify(made.path)


def test_the_commands_print_what_they_did_and_refuse_a_damaged_backup(census, settings, tmp_path, capsys):
    call_command("backup_data", output=str(tmp_path / "b"))
    out = capsys.readouterr().out
    assert "backup written:" in out and "12 media files" in out
    folder = next((tmp_path / "b").iterdir())
    call_command("restore_data", str(folder), check_only=True)
    assert "is whole" in capsys.readouterr().out
    (folder / "backup.json").write_text("{}")
    with pytest.raises(CommandError, match=r"checksum differs: backup\.json"):
        call_command("restore_data", str(folder), check_only=True)
