"""F1: every key of the screen the person is on, in plain words."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import tr
from ..widgets.keys import Key, bind_keys

HelpSection = tuple[str, list[tuple[str, str]]]


def general_section() -> HelpSection:
    return (
        tr("Partout", "Everywhere"),
        [
            ("F1", tr("Cette aide", "This help")),
            ("Ctrl+P", tr("Palette de commandes : tapez quelques lettres d'une action", "Command palette: type a few letters of an action")),
            (tr("Échap", "Esc"), tr("Revenir en arrière / fermer", "Go back / close")),
            ("Tab / " + tr("Maj+Tab", "Shift+Tab"), tr("Passer d'une zone à l'autre", "Move between areas")),
            ("Ctrl+Q", tr("Quitter grt (la saisie en cours est enregistrée)", "Quit grt (text being typed is saved)")),
        ],
    )


class HelpScreen(ModalScreen[None]):
    KEYS = [
        Key("escape,f1,q", "dismiss_help", "Fermer", "Close"),
    ]

    def __init__(self, title: str, sections: list[HelpSection], notes: list[str] | None = None) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.title_text = title
        self.sections = sections + [general_section()]
        self.notes = notes or []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = tr("Aide — {t}", "Help — {t}", t=self.title_text)
            box.border_subtitle = tr("Échap pour fermer", "Esc to close")
            box.can_focus = True
            yield Static(self.render_help())

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def render_help(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", max_width=26)
        table.add_column()
        for i, (title, rows) in enumerate(self.sections):
            if i:
                table.add_row("", "")
            table.add_row(Text(title, style="bold underline"), "")
            for keys, desc in rows:
                table.add_row(keys, desc)
        for note in self.notes:
            table.add_row("", "")
            table.add_row("", Text(note, style="italic"))
        return table

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
