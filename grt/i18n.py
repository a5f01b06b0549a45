"""User-facing language: French by default, English on request.

Strings are written in place as ``tr("français", "english")`` so that both versions sit side by side
in the code that uses them; there is no catalogue to keep in sync.
"""

from __future__ import annotations

import os

LANGUAGES = ("fr", "en")
_current = os.environ.get("GRT_LANG", "fr") if os.environ.get("GRT_LANG") in LANGUAGES else "fr"


def set_language(lang: str | None) -> None:
    global _current
    if lang in LANGUAGES:
        _current = lang


def language() -> str:
    return _current


def tr(fr: str, en: str, **params: object) -> str:
    """Pick the text in the current language and fill its {placeholders}."""
    text = en if _current == "en" else fr
    return text.format(**params) if params else text
