"""Backups: the database as a pg_dump custom archive plus the media files, with a checksum manifest.

A backup is a directory `regsosek-<UTC time>/` holding `database.dump` (pg_dump -Fc), `media/` (a copy
of MEDIA_ROOT's kept folders), `backup.json` (format, time, row counts per table, file count) and
`MANIFEST.sha256` (`sha256sum` format: every file above with its SHA-256). It is written under a
`.partial` name and renamed when complete, so a directory without that suffix is whole.

A restore checks every checksum before it touches anything, restores the database in one
transaction, swaps the media folders (the previous ones are kept beside, renamed), and then compares
the row counts with those recorded. docs/operations.md, "Backup and restore", has the procedure.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

FORMAT = "regsosek-backup/1"
DUMP = "database.dump"
META = "backup.json"
MANIFEST = "MANIFEST.sha256"
# MEDIA_ROOT folders kept by a backup. exports/ (analyst exports) expire by design and are not kept.
MEDIA_FOLDERS = ("photos",)
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup could not be written or restored; the message says what and where (no personal data)."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: int
    rows: int
    media_files: int
    media_bytes: int
    seconds: float


def _libpq(db: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore; the password goes in the environment, never argv."""
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _connect(db: Mapping[str, Any]) -> psycopg.Connection[Any]:
    return psycopg.connect(
        dbname=str(db["NAME"]),
        host=str(db.get("HOST") or "") or None,
        port=str(db.get("PORT") or "") or None,
        user=str(db.get("USER") or "") or None,
        password=str(db.get("PASSWORD") or "") or None,
        connect_timeout=10,
        autocommit=True,
    )


def _count_tables(conn: psycopg.Connection[Any]) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    ]
    counts: dict[str, int] = {}
    for name in names:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


def table_counts(db: Mapping[str, Any]) -> dict[str, int]:
    """Exact row counts of every table of the public schema (what a restore must give back)."""
    with _connect(db) as conn:
        return _count_tables(conn)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[Path]:
    """Regular files under the kept media folders, relative to MEDIA_ROOT; symbolic links are skipped."""
    for folder in MEDIA_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, _dirnames, filenames in os.walk(base):
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if path.is_file() and not path.is_symlink():
                    yield path.relative_to(root)


def _copy_media(media_root: Path, target: Path) -> None:
    for rel in _media_files(media_root):
        destination = target / rel
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(media_root / rel, destination)
        except FileNotFoundError:
            continue  # deleted since it was listed (a photo's original, once processed)


def backup_create(*, destination: Path, media_root: Path, db: Mapping[str, Any]) -> BackupSummary:
    """Write a backup directory under `destination` and return what it holds.

    Media are copied before and after the dump: a photo's file is written before its row is
    committed, and a processed photo's original is deleted only after its new file exists, so the
    union of both copies holds every file a row in the dump names, except a photo received and
    processed entirely between the first copy and the dump's snapshot (restore reports such rows).
    """
    started = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    destination.mkdir(parents=True, exist_ok=True)
    final = destination / f"regsosek-{stamp}"
    work = destination / f".regsosek-{stamp}.partial"
    if final.exists() or work.exists():
        raise BackupError(f"{final} exists already; wait a second and try again.")
    work.mkdir(mode=0o700)
    try:
        media = work / "media"
        media.mkdir()
        _copy_media(media_root, media)
        args, env = _libpq(db)
        # The counts and the dump read one snapshot: pg_dump joins the transaction that counted.
        with _connect(db) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot_row = conn.execute("SELECT pg_export_snapshot()").fetchone()
            if snapshot_row is None:
                raise BackupError("PostgreSQL exported no snapshot.")
            counts = _count_tables(conn)
            # pg_dump from PATH: the client tools of the PostgreSQL the deployment runs (not user input).
            dump = ["pg_dump", "--format=custom", "--compress=6", f"--snapshot={snapshot_row[0]}"]
            done = subprocess.run(  # noqa: S603
                [*dump, "--file", str(work / DUMP), *args],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            conn.execute("COMMIT")
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed (exit {done.returncode}): {done.stderr.strip()[:500]}")
        _copy_media(media_root, media)
        files = sorted(p.relative_to(work) for p in work.rglob("*") if p.is_file())
        media_files = [p for p in files if p.parts[0] == "media"]
        media_bytes = sum((work / p).stat().st_size for p in media_files)
        meta = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": str(db["NAME"]),
            "tables": counts,
            "media_files": len(media_files),
            "media_bytes": media_bytes,
        }
        (work / META).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        lines = [f"{_sha256(work / p)}  {p.as_posix()}" for p in [*files, Path(META)]]
        (work / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupSummary(
        path=final,
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=len(media_files),
        media_bytes=media_bytes,
        seconds=time.monotonic() - started,
    )


def backup_verify(path: Path) -> dict[str, Any]:
    """Check the manifest against the files; return the backup's metadata. Raises BackupError listing
    every missing, changed or unlisted file."""
    manifest = path / MANIFEST
    if not manifest.is_file():
        raise BackupError(f"{path} has no {MANIFEST}: not a backup, or an incomplete one.")
    expected: dict[str, str] = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            expected[name] = digest
    present = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()} - {MANIFEST}
    problems = [f"missing: {name}" for name in sorted(set(expected) - present)]
    problems += [f"not in the manifest: {name}" for name in sorted(present - set(expected))]
    problems += [
        f"checksum differs: {name}"
        for name in sorted(set(expected) & present)
        if _sha256(path / name) != expected[name]
    ]
    if problems:
        shown = "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise BackupError(f"{path} is damaged, nothing was restored: {shown}")
    meta: dict[str, Any] = json.loads((path / META).read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {meta.get('format')!r} (expected {FORMAT}).")
    return meta


@dataclass(frozen=True)
class RestoreSummary:
    tables: int
    rows: int
    media_files: int
    previous_media: list[Path]
    seconds: float


def backup_restore(*, path: Path, media_root: Path, db: Mapping[str, Any]) -> RestoreSummary:
    """Restore a verified backup into the database `db` and MEDIA_ROOT; stop web and workers first.

    The database is restored in one transaction (all or nothing). Each kept media folder is replaced
    by the backup's; the folder it replaces stays beside it as `<folder>.before-restore-<time>`.
    """
    started = time.monotonic()
    meta = backup_verify(path)
    args, env = _libpq(db)
    done = subprocess.run(  # noqa: S603
        [  # noqa: S607 (pg_restore from PATH, as pg_dump above)
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(path / DUMP),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore failed (exit {done.returncode}); the database is unchanged: {done.stderr.strip()[:500]}"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    media_root.mkdir(parents=True, exist_ok=True)
    previous: list[Path] = []
    for folder in MEDIA_FOLDERS:
        source = path / "media" / folder
        staged = media_root / f".{folder}.restoring-{stamp}"
        if source.is_dir():
            shutil.copytree(source, staged)
        else:
            staged.mkdir()
        current = media_root / folder
        if current.exists():
            kept = media_root / f"{folder}.before-restore-{stamp}"
            current.rename(kept)
            previous.append(kept)
        staged.rename(current)
    counts = table_counts(db)
    recorded: dict[str, int] = meta["tables"]
    # Tables the backup does not know (a newer release's) are left as they were: only its own compare.
    differ = {name: (recorded[name], counts.get(name)) for name in recorded if counts.get(name) != recorded[name]}
    if differ:
        shown = ", ".join(f"{name}: {a} in the backup, {b} restored" for name, (a, b) in sorted(differ.items())[:10])
        raise BackupError(f"row counts differ after the restore: {shown}")
    restored_files = sum(1 for _ in _media_files(media_root))
    return RestoreSummary(
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=restored_files,
        previous_media=previous,
        seconds=time.monotonic() - started,
    )
