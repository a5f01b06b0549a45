"""Plain dataclasses passed between the domain, the CLI and the TUI (no behaviour, no I/O)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


def _row(cls, row: dict[str, Any]):
    names = cls.__dataclass_fields__
    values = {k: v for k, v in row.items() if k in names}
    for key in ("authority", "off_record", "draft", "active", "is_group", "builtin"):
        if key in values and values[key] is not None:
            values[key] = bool(values[key])
    for key in ("attributes", "poles", "cues"):
        if key in values and isinstance(values[key], str):
            values[key] = json.loads(values[key] or ("{}" if key == "attributes" else "[]"))
    return cls(**values)


class Model:
    @classmethod
    def from_row(cls, row: dict[str, Any]):
        return _row(cls, row)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Group(Model):
    id: int
    name: str
    sector: str = ""
    created_at: str = ""


@dataclass
class Participant(Model):
    id: int
    group_id: int
    pseudonym: str
    role: str = ""
    authority: bool = False
    real_name: str = ""
    active: bool = True
    position: int = 0
    created_at: str = ""

    def public_dict(self) -> dict[str, Any]:
        """What may be shown outside the facilitator's own screens: never the real name."""
        d = self.to_dict()
        d.pop("real_name")
        return d


@dataclass
class Session(Model):
    id: int
    group_id: int
    date: str
    question: str = ""
    status: str = "preparee"
    started_at: str | None = None
    ended_at: str | None = None
    created_at: str = ""


@dataclass
class Contribution(Model):
    id: int
    session_id: int
    participant_id: int | None
    text: str
    position: float
    off_record: bool = False
    draft: bool = False
    created_at: str = ""
    updated_at: str = ""


@dataclass
class Code(Model):
    id: str
    label_fr: str
    label_en: str = ""
    parent: str | None = None
    is_group: bool = False
    definition_fr: str = ""
    definition_en: str = ""
    color: str = "#888888"
    shortcut: str = ""
    poles: list[str] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    cues: list[str] = field(default_factory=list)
    position: int = 0
    active: bool = True
    builtin: bool = False

    def label(self, lang: str = "fr") -> str:
        return (self.label_en or self.label_fr) if lang == "en" else self.label_fr


@dataclass
class Annotation(Model):
    id: int
    contribution_id: int
    code: str
    start: int
    end: int
    quote: str
    memo: str = ""
    origin: str = "manual"
    attributes: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""
