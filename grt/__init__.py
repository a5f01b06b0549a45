"""grt: a terminal companion for facilitators of Groupes de Rencontres du Travail."""

import sys

__version__ = "0.1.0"


def _import_sqlite_utils_without_numpy() -> None:
    # sqlite-utils imports numpy (installed for spaCy) only to accept numpy values, which grt never stores.
    # Hiding it during that import saves about 0.1 s of every start-up; spaCy still imports it normally later.
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]


_import_sqlite_utils_without_numpy()
