"""Backups that are known to restore: the database (pg_dump) and the media files, with a
manifest of row counts per table and a checksum per file, and a check that restores both into
a fresh database and folder and compares them with the manifest.

The counts come from the same snapshot as the dump (pg_export_snapshot + pg_dump --snapshot),
so a running site does not make the comparison drift.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar.gz"


class BackupError(Exception):
    pass


@dataclass
class Comparison:
    tables_checked: int = 0
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _conninfo(name: str | None = None) -> dict:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("Backups need PostgreSQL (DATABASE_URL=postgres://…).")
    return {
        "dbname": name or db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }


def _pg_env(info: dict) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": info["host"],
            "PGPORT": info["port"],
            "PGUSER": info["user"],
            "PGPASSWORD": info["password"],
        }
    )
    return {k: v for k, v in env.items() if v != ""}


def _connect(info: dict) -> psycopg.Connection:
    return psycopg.connect(**{k: v for k, v in info.items() if v})


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname = 'public' ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (quoted identifiers)
        counts[table] = cursor.fetchone()[0]
    return counts


def _checksums(root: Path) -> dict[str, str]:
    sums = {}
    if not root.exists():
        return sums
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            digest = hashlib.sha256()
            try:
                with path.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
            except FileNotFoundError:
                continue  # deleted while we walked the folder: not part of this backup
            sums[path.relative_to(root).as_posix()] = digest.hexdigest()
    return sums


def create(out: Path, *, media_root: Path | None = None) -> dict:
    """Write database.dump, media.tar.gz and manifest.json into `out` (a new directory)."""
    media_root = Path(media_root or settings.MEDIA_ROOT)
    out.mkdir(parents=True, exist_ok=False)
    try:
        return _create(out, media_root)
    except BaseException:
        # A half-written backup must not look like one: remove the folder we made.
        shutil.rmtree(out, ignore_errors=True)
        raise


def _create(out: Path, media_root: Path) -> dict:
    info = _conninfo()
    with _connect(info) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor)
            # The dump reads the same snapshot while this transaction keeps it alive.
            try:
                subprocess.run(  # noqa: S603
                    [
                        shutil.which("pg_dump") or "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={out / DUMP}",
                        info["dbname"],
                    ],
                    env=_pg_env(info),
                    check=True,
                    capture_output=True,
                )
            except subprocess.CalledProcessError as error:
                stderr = (error.stderr or b"").decode("utf-8", "replace").strip()
                raise BackupError(f"pg_dump failed ({error.returncode}): {stderr}") from None
    sums = _checksums(media_root)
    with tarfile.open(out / MEDIA, "w:gz") as archive:
        for name in list(sums):
            try:
                archive.add(media_root / name, arcname=name, recursive=False)
            except FileNotFoundError:
                del sums[name]  # deleted since its checksum: neither archived nor listed
    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": info["dbname"],
        "tables": counts,
        "media": sums,
        "dump_sha256": _checksums(out)[DUMP],
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def verify(backup: Path, *, keep: bool = False, media_target: Path | None = None) -> Comparison:
    """Restore the backup into a fresh database and folder and compare with its manifest."""
    manifest = json.loads((backup / MANIFEST).read_text())
    result = Comparison()
    if _checksums(backup).get(DUMP) != manifest["dump_sha256"]:
        result.problems.append("database.dump: checksum differs from the manifest")
        return result
    info = _conninfo()
    scratch = f"{info['dbname'][:40]}_restore_{secrets.token_hex(4)}"
    target = media_target or backup / f"media-restored-{secrets.token_hex(4)}"
    admin = dict(info, dbname="postgres")
    with _connect(admin) as conn:
        conn.autocommit = True
        conn.execute(f'CREATE DATABASE "{scratch}"')
    try:
        restored = subprocess.run(  # noqa: S603
            [
                shutil.which("pg_restore") or "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={scratch}",
                str(backup / DUMP),
            ],
            env=_pg_env(info),
            capture_output=True,
            text=True,
        )
        if restored.returncode != 0:
            result.problems.append(f"pg_restore failed: {restored.stderr.strip()[:500]}")
            return result
        with _connect(dict(info, dbname=scratch)) as conn, conn.cursor() as cursor:
            counts = _counts(cursor)
        result.tables_checked = len(manifest["tables"])
        for table, expected in manifest["tables"].items():
            if counts.get(table) != expected:
                result.problems.append(f"{table}: {counts.get(table)} rows, expected {expected}")
        for table in sorted(set(counts) - set(manifest["tables"])):
            result.problems.append(f"{table}: in the restore but not in the manifest")
        target.mkdir(parents=True, exist_ok=False)
        with tarfile.open(backup / MEDIA, "r:gz") as archive:
            archive.extractall(target, filter="data")
        sums = _checksums(target)
        result.files_checked = len(manifest["media"])
        for name, expected in manifest["media"].items():
            if sums.get(name) != expected:
                result.problems.append(f"media/{name}: checksum differs or file missing")
        for name in sorted(set(sums) - set(manifest["media"])):
            result.problems.append(f"media/{name}: in the archive but not in the manifest")
    finally:
        if not keep:
            with _connect(admin) as conn:
                conn.autocommit = True
                conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            if media_target is None:
                shutil.rmtree(target, ignore_errors=True)
    return result


def database_is_postgres() -> bool:
    return connection.vendor == "postgresql"
