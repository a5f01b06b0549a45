"""Opening the one SQLite file: safe pragmas, schema migrations, clear errors instead of tracebacks."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from .errors import StorageError
from .i18n import tr
from .paths import resolve_db_path

SQLITE_HEADER = b"SQLite format 3\x00"


def now() -> str:
    """Local time, to the second, as ISO 8601: what a facilitator reads as 'when'."""
    return dt.datetime.now().replace(microsecond=0).isoformat()


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise StorageError(tr("{path} est un dossier, pas une base grt.", "{path} is a folder, not a grt database.", path=path))
    try:
        with open(path, "rb") as f:
            header = f.read(16)
    except PermissionError:
        raise StorageError(tr("Impossible de lire la base {path} : accès refusé.", "Cannot read the database {path}: permission denied.", path=path)) from None
    if header and header != SQLITE_HEADER:
        raise StorageError(
            tr(
                "{path} n'est pas une base grt lisible (fichier corrompu ou d'un autre type).",
                "{path} is not a readable grt database (corrupt file, or another kind of file).",
                path=path,
            )
        )


def _create_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Testimonies are sensitive: the file is readable by its owner only, from the first byte.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as e:
        raise StorageError(
            tr(
                "Impossible de créer la base {path} : {reason}.",
                "Cannot create the database {path}: {reason}.",
                path=path,
                reason=e.strerror or e,
            )
        ) from None


def connect(path: Path) -> Database:
    """Connect with the pragmas every connection needs (also used by worker threads)."""
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=5)
    db = Database(conn, execute_plugins=False)
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA journal_mode = WAL")
    # FULL: a committed contribution survives a power cut, not only a killed process.
    db.execute("PRAGMA synchronous = FULL")
    return db


def open_db(path: str | os.PathLike | None = None, *, create: bool = True) -> Database:
    """Open (and create or upgrade) the grt database; raise StorageError with a clear sentence."""
    from .codebook import seed_default_codebook
    from .migrations import migrations

    db_path = resolve_db_path(path)
    exists = db_path.exists()
    if exists:
        _check_file(db_path)
    elif not create:
        raise StorageError(tr("Aucune base à {path}.", "No database at {path}.", path=db_path))
    else:
        _create_file(db_path)
    try:
        db = connect(db_path)
        migrations.apply(db)
        seed_default_codebook(db)
    except sqlite3.DatabaseError as e:
        raise storage_error(db_path, e) from None
    return db


def storage_error(path: Path, e: sqlite3.Error) -> StorageError:
    message = str(e).lower()
    if "locked" in message or "busy" in message:
        return StorageError(
            tr(
                "La base {path} est verrouillée par un autre programme ; réessayez dans un instant.",
                "The database {path} is locked by another program; try again in a moment.",
                path=path,
            )
        )
    if "readonly" in message or "read-only" in message or "unable to open" in message:
        return StorageError(
            tr(
                "Impossible d'écrire dans la base {path} (dossier ou fichier en lecture seule ?).",
                "Cannot write to the database {path} (read-only folder or file?).",
                path=path,
            )
        )
    return StorageError(
        tr(
            "La base {path} est illisible ou corrompue ({reason}). Restaurez une sauvegarde (grt db backup).",
            "The database {path} is unreadable or corrupt ({reason}). Restore a backup (grt db backup).",
            path=path,
            reason=e,
        )
    )


def db_file(db: Database) -> Path:
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2])


def integrity_check(db: Database) -> list[str]:
    """Problems found by SQLite (empty when the file is sound), plus the FTS index's own check."""
    rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    problems = [r for r in rows if r != "ok"]
    problems += [f"foreign key: {r}" for r in db.execute("PRAGMA foreign_key_check").fetchall()]
    try:
        db.execute("INSERT INTO contributions_fts(contributions_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as e:
        problems.append(f"FTS: {e}")
    return problems


def backup(db: Database, target: str | os.PathLike, *, force: bool = False) -> Path:
    """Copy the live database with SQLite's online backup API (safe while the TUI writes)."""
    target_path = Path(target).expanduser()
    if target_path.exists() and not force:
        raise StorageError(
            tr(
                "{path} existe déjà ; choisissez un autre nom ou ajoutez --force.",
                "{path} already exists; choose another name or add --force.",
                path=target_path,
            )
        )
    if target_path.resolve() == db_file(db).resolve():
        raise StorageError(tr("La sauvegarde ne peut pas remplacer la base elle-même.", "The backup cannot replace the database itself."))
    tmp = target_path.with_name(target_path.name + ".part")
    try:
        target_path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        dest = sqlite3.connect(str(tmp))
        try:
            db.conn.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, target_path)
    except (OSError, sqlite3.Error) as e:
        tmp.unlink(missing_ok=True)
        raise StorageError(
            tr("Sauvegarde impossible vers {path} : {reason}.", "Backup to {path} failed: {reason}.", path=target_path, reason=e)
        ) from None
    return target_path
