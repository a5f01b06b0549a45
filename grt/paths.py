"""Where the data lives: GRT_HOME, else the platform's user data dir; --db overrides both."""

from __future__ import annotations

import os
from pathlib import Path

DB_FILENAME = "grt.db"


def data_dir() -> Path:
    home = os.environ.get("GRT_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("grt", appauthor=False))


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


def resolve_db_path(override: str | os.PathLike | None = None) -> Path:
    return Path(override).expanduser() if override else default_db_path()
