"""Checks and clean-ups shared by every entry point (CLI, TUI, import)."""

from __future__ import annotations

import datetime as dt
import re

from .errors import InvalidInput
from .i18n import tr

MAX_TEXT_CHARS = 1_000_000
# C0/C1 control characters other than tab and newline: they come from pastes and binary files,
# and Word refuses them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Normalise line ends and drop control characters, keeping everything a person typed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def same_name(a: str, b: str) -> bool:
    """Names as people type them: case, accents and surrounding spaces do not matter."""
    from .search import fold

    return fold(a.strip()) == fold(b.strip())


def required(value: str | None, what_fr: str, what_en: str, max_len: int = 200) -> str:
    value = clean_text(value or "").strip()
    if not value:
        raise InvalidInput(tr("{what} ne peut pas être vide.", "{what} cannot be empty.", what=tr(what_fr, what_en)))
    if len(value) > max_len:
        raise InvalidInput(
            tr("{what} est trop long ({n} caractères au plus).", "{what} is too long (at most {n} characters).", what=tr(what_fr, what_en), n=max_len)
        )
    return value


def iso_date(value: str | dt.date | None) -> str:
    if value is None or value == "":
        return dt.date.today().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InvalidInput(
            tr("Date invalide : « {v} » (format attendu AAAA-MM-JJ).", "Invalid date: '{v}' (expected YYYY-MM-DD).", v=value)
        ) from None


def long_text(text: str) -> str:
    text = clean_text(text)
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            tr(
                "Texte trop long ({n} caractères) : découpez-le en plusieurs contributions ({max} au plus chacune).",
                "Text too long ({n} characters): split it into several contributions (at most {max} each).",
                n=len(text),
                max=MAX_TEXT_CHARS,
            )
        )
    return text
