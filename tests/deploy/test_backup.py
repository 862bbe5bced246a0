"""Backups restore: the demo database and media round-trip into a fresh database and folder
with equal row counts per table and equal file checksums; a damaged backup is caught."""

import json
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lms import backup
from tests.helpers import require_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_with_media(demo_courses, demo_organisation, settings, tmp_path):
    require_postgres()
    from lms import demo
    from lms.demo_history import ensure_history

    demo.ensure_assignment_rules()
    assert ensure_history() > 0
    media = tmp_path / "media"
    (media / "films").mkdir(parents=True)
    (media / "films" / "normer.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHej\n")
    (media / "diplomas").mkdir()
    (media / "diplomas" / "å ä ö.pdf").write_bytes(bytes(range(256)) * 400)
    settings.MEDIA_ROOT = str(media)
    return media


def test_demo_database_and_media_round_trip_and_damage_is_caught(demo_with_media, tmp_path):
    # One demo load for the three checks: loading it is the slow part.
    call_command("backup", "create", "--out", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / backup.MANIFEST).read_text())
    assert manifest["tables"]["public.people_person"] > 0
    assert manifest["tables"]["public.progress_completion"] > 0
    assert set(manifest["media"]) == {"films/normer.vtt", "diplomas/å ä ö.pdf"}
    result = backup.verify(tmp_path / "backup")
    assert result.ok, result.problems
    assert result.tables_checked == len(manifest["tables"]) > 50
    assert result.files_checked == 2
    call_command("backup", "verify", str(tmp_path / "backup"))

    # A restore that differs from the manifest (rows or files) is reported, per table and file.
    changed = tmp_path / "changed"
    shutil.copytree(tmp_path / "backup", changed)
    manifest["tables"]["public.people_person"] += 1
    manifest["media"]["films/normer.vtt"] = "0" * 64
    (changed / backup.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CommandError) as error:
        call_command("backup", "verify", str(changed))
    assert "public.people_person" in str(error.value)
    assert "media/films/normer.vtt" in str(error.value)

    # A damaged dump is caught before anything is restored.
    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "backup", damaged)
    data = bytearray((damaged / backup.DUMP).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (damaged / backup.DUMP).write_bytes(bytes(data))
    result = backup.verify(damaged)
    assert not result.ok
    assert "checksum" in result.problems[0]


def test_a_failing_pg_dump_says_why_and_leaves_no_half_backup(db, tmp_path, monkeypatch):
    import subprocess

    require_postgres()

    def failing_dump(args, **kwargs):
        raise subprocess.CalledProcessError(1, args, stderr=b"pg_dump: error: No space left")

    monkeypatch.setattr(backup.subprocess, "run", failing_dump)
    out = tmp_path / "backup"
    with pytest.raises(backup.BackupError, match="No space left"):
        backup.create(out, media_root=tmp_path / "media")
    assert not out.exists()


def test_a_media_file_deleted_during_the_backup_is_left_out(db, tmp_path, monkeypatch):
    import tarfile

    require_postgres()
    media = tmp_path / "media"
    media.mkdir()
    (media / "kept.pdf").write_bytes(b"kept")
    (media / "gone.pdf").write_bytes(b"gone")
    checksums = backup._checksums

    def checksum_then_delete(root):
        sums = checksums(root)
        if root == media:
            (media / "gone.pdf").unlink()  # a learner's diploma replaced meanwhile
        return sums

    monkeypatch.setattr(backup, "_checksums", checksum_then_delete)
    manifest = backup.create(tmp_path / "backup", media_root=media)
    assert set(manifest["media"]) == {"kept.pdf"}
    with tarfile.open(tmp_path / "backup" / backup.MEDIA) as archive:
        assert archive.getnames() == ["kept.pdf"]
