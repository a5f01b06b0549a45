"""Domain errors: one clear sentence for the user, never a traceback."""

from __future__ import annotations


class GrtError(Exception):
    """A problem the user can understand and fix (bad input, unknown id, unreadable file)."""


class NotFound(GrtError):
    """Something the user named does not exist."""


class InvalidInput(GrtError):
    """A value the user gave cannot be accepted as it is."""


class StorageError(GrtError):
    """The database file cannot be opened, read or written."""
