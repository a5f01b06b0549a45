"""Storage: migrations, pragmas, file mode, clear errors on bad files, backup."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from grt.db import backup, integrity_check, open_db
from grt.errors import StorageError
from grt.migrations import migrations, schema_version


def test_migrations_from_empty_create_every_table(tmp_path):
    db = open_db(tmp_path / "new.db")
    names = set(db.table_names())
    for table in ("groups", "participants", "sessions", "contributions", "codes", "annotations", "suggestions",
                  "debates", "proposals", "proposal_history", "syntheses", "synthesis_items", "exports"):
        assert table in names
    assert "contributions_fts" in names
    assert schema_version(db) == migrations._migrations[-1].name


def test_migrations_reapplied_change_nothing(tmp_path):
    path = tmp_path / "again.db"
    db = open_db(path)
    applied = [m.name for m in migrations.applied(db)]
    schema = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    db.close()
    db = open_db(path)
    assert [m.name for m in migrations.applied(db)] == applied
    assert db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    assert migrations.pending(db) == []


def test_pragmas(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_database_file_is_private(tmp_path):
    path = tmp_path / "sub" / "private.db"
    open_db(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_codebook_is_seeded_once(db, tmp_path):
    codes = {r[0] for r in db.execute("SELECT id FROM codes WHERE is_group = 0")}
    assert codes == {"prescrit", "reel", "ecart", "trou_de_normes", "debat_de_normes", "valeur",
                     "usage_de_soi", "temps", "relation", "faire_autrement"}


def test_corrupt_file_gives_clear_error(tmp_path):
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StorageError, match="corrompu"):
        open_db(path)


def test_truncated_sqlite_file_gives_clear_error(tmp_path):
    good = tmp_path / "good.db"
    open_db(good).close()
    data = good.read_bytes()
    bad = tmp_path / "damaged.db"
    bad.write_bytes(data[:100] + b"\xff" * 5000)
    with pytest.raises(StorageError):
        open_db(bad)


def test_read_only_directory_gives_clear_error(tmp_path):
    if os.geteuid() == 0:
        # root ignores directory permissions; a path under a regular file is unwritable for everyone.
        blocker = tmp_path / "file"
        blocker.write_text("x")
        target = blocker / "grt.db"
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        target = ro / "grt.db"
    with pytest.raises(StorageError, match="Impossible de créer"):
        open_db(target)


def test_missing_database_without_create(tmp_path):
    with pytest.raises(StorageError, match="Aucune base"):
        open_db(tmp_path / "none.db", create=False)


def test_integrity_check_passes_on_a_new_base(db):
    assert integrity_check(db) == []


def test_backup_is_a_readable_copy(db, group_setup, tmp_path):
    target = backup(db, tmp_path / "copy.db")
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT COUNT(*) FROM participants").fetchone()[0] == 3
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with pytest.raises(StorageError, match="existe déjà"):
        backup(db, target)
