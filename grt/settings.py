"""Small key/value settings stored in the database (interface language, recent codes...)."""

from __future__ import annotations

from sqlite_utils import Database


def get_setting(db: Database, key: str, default: str = "") -> str:
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_setting(db: Database, key: str, value: str) -> None:
    db.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
