"""Who speaks: the participants present, each with the function key that gives them the floor."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ..i18n import tr
from ..models import Participant

SPEAKER_KEYS = ["f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"]


class SpeakerBar(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.speakers: list[Participant] = []
        self.current: int | None = None
        self.current_label = ""

    def set_state(self, speakers: list[Participant], current: int | None, current_label: str) -> None:
        self.speakers = list(speakers)
        self.current = current
        self.current_label = current_label
        self.update(self.render_bar())

    def render_bar(self) -> Text:
        out = Text()
        if not self.speakers:
            out.append(
                tr("Personne n'est inscrit comme présent (Échap, puis p : participants).", "Nobody is marked present (Esc, then p: participants)."),
                style="italic",
            )
        for i, p in enumerate(self.speakers[: len(SPEAKER_KEYS)]):
            if i:
                out.append(" ")
            key = SPEAKER_KEYS[i].upper()
            name = p.pseudonym + ("★" if p.authority else "")
            if p.id == self.current:
                out.append(f"▶{key} {name} ", style="bold reverse")
            else:
                out.append(key, style="bold")
                out.append(f" {name}")
        if self.current not in {p.id for p in self.speakers[: len(SPEAKER_KEYS)]}:
            out.append("  ")
            out.append(f"▶{self.current_label} ", style="bold reverse")
        out.append(tr("  Ctrl+L : autre", "  Ctrl+L: other"), style="dim")
        return out
