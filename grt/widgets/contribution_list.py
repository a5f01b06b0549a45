"""The running list of a session's contributions: speaker, time, text with tag colours, off-record badge."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..models import Annotation, Code, Contribution, Participant
from .keys import Key, bind_keys
from .render import render_contribution

# The meeting screen does the database work; the list only says which contribution.
LIST_KEYS = [
    Key("enter", "screen.edit_highlighted", "Modifier/coder", "Edit/tag",
        help_fr="Ouvrir la contribution : corriger le texte ou l'intervenant, coder des passages",
        help_en="Open the contribution: correct its text or speaker, tag passages"),
    Key("o", "screen.toggle_highlighted_off_record", "Hors CR", "Off record", help_fr="Hors compte rendu (oui/non)", help_en="Off the record (on/off)"),
    Key("shift+up", "screen.move_highlighted(-1)", "Déplacer", "Move", display="Maj+↑↓|Shift+↑↓",
        help_fr="Monter / descendre la contribution", help_en="Move the contribution up / down"),
    Key("shift+down", "screen.move_highlighted(1)", "Descendre", "Move down", show=False, in_help=False),
    Key("delete", "screen.delete_highlighted", "Supprimer", "Delete", help_fr="Supprimer la contribution (après confirmation)", help_en="Delete the contribution (after confirmation)"),
    Key("escape", "screen.back", "Saisie", "Capture", help_fr="Revenir à la zone de saisie", help_en="Back to the capture area"),
]


class WrappingOptionList(OptionList):
    """An OptionList of multi-line options that re-wraps them once a resize has settled.

    Textual 8.2 caches rendered options without their width; when the first layout and a breakpoint
    change cross at start-up, options could keep the wrapping of the old width.
    """

    def on_resize(self) -> None:
        self.call_after_refresh(self._clear_caches)


class ContributionList(WrappingOptionList):
    """One option per committed contribution; the option id is the contribution id."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        bind_keys(self, LIST_KEYS)
        self.contributions: list[Contribution] = []
        self.annotations: dict[int, list[Annotation]] = {}
        self.people: dict[int, Participant] = {}
        self.codes: dict[str, Code] = {}

    def load(
        self,
        contributions: list[Contribution],
        annotations: dict[int, list[Annotation]],
        people: dict[int, Participant],
        codes: dict[str, Code],
    ) -> None:
        self.contributions = list(contributions)
        self.annotations = annotations
        self.people = people
        self.codes = codes
        keep = self.highlighted_contribution
        self.set_options(self._option(c, i) for i, c in enumerate(self.contributions, start=1))
        if keep is not None and any(c.id == keep.id for c in self.contributions):
            self.highlighted = self.get_option_index(str(keep.id))

    def _option(self, c: Contribution, number: int) -> Option:
        speaker = self.people.get(c.participant_id) if c.participant_id is not None else None
        return Option(render_contribution(c, number, speaker, self.annotations.get(c.id, []), self.codes), id=str(c.id))

    def append(self, c: Contribution) -> None:
        self.contributions.append(c)
        self.add_option(self._option(c, len(self.contributions)))

    def update_one(self, c: Contribution, annotations: list[Annotation] | None = None) -> None:
        """Redraw one contribution in place (text, speaker, off-record or tags changed)."""
        if annotations is not None:
            self.annotations[c.id] = annotations
        for i, old in enumerate(self.contributions):
            if old.id == c.id:
                self.contributions[i] = c
                self.replace_option_prompt(str(c.id), self._option(c, i + 1).prompt)
                return

    @property
    def highlighted_contribution(self) -> Contribution | None:
        if self.highlighted is None or not (0 <= self.highlighted < len(self.contributions)):
            return None
        return self.contributions[self.highlighted]

    def show_last(self) -> None:
        if self.contributions:
            self.highlighted = len(self.contributions) - 1
            self.scroll_end(animate=False)
