"""The code picker: type two letters of a code (its shortcut) or a word of its label, Enter; a digit picks
one of the most recent codes at once."""

from __future__ import annotations

import json
import unicodedata

from rich.text import Text
from sqlite_utils import Database
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..codebook import list_codes
from ..i18n import language, tr
from ..models import Code
from ..settings import get_setting, set_setting
from ..widgets.keys import Key, bind_keys
from ..widgets.render import code_style

RECENT_KEY = "recent_codes"
MAX_RECENT = 9


def recent_codes(db: Database) -> list[str]:
    try:
        value = json.loads(get_setting(db, RECENT_KEY, "[]"))
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def remember_code(db: Database, code_id: str) -> None:
    codes = [code_id] + [c for c in recent_codes(db) if c != code_id]
    set_setting(db, RECENT_KEY, json.dumps(codes[:MAX_RECENT]))


def fold(text: str) -> str:
    """Lower case without accents, so that 'ecart' finds 'Écart'."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))


def rank_codes(codes: list[Code], query: str) -> list[Code]:
    """Codes matching the query, best first: shortcut, then id, then a word of the label."""
    q = fold(query.strip())
    ranked = []
    for c in codes:
        if c.shortcut and fold(c.shortcut).startswith(q):
            rank = 0
        elif c.id.startswith(q.replace(" ", "_")):
            rank = 1
        elif any(word.startswith(q) for word in fold(c.label(language())).replace("(", " ").replace("/", " ").split()):
            rank = 2
        elif q in fold(c.label(language())) or q in fold(c.label_fr):
            rank = 3
        else:
            continue
        ranked.append((rank, c.position, c))
    return [c for _, _, c in sorted(ranked, key=lambda r: (r[0], r[1]))]


def code_prompt(code: Code, prefix: str = "") -> Text:
    out = Text()
    out.append(f"{prefix:<2}", style="bold")
    out.append(f" {code.shortcut or '  '} ", style=code_style(code.color))
    out.append(" " + code.label(language()))
    return out


class TagPicker(ModalScreen[str | None]):
    KEYS = [
        Key("enter", "pick", "Choisir", "Pick", bind=False),
        Key("up", "move(-1)", "Code précédent", "Previous code", show=False, priority=True),
        Key("down", "move(1)", "Code suivant", "Next code", show=False, priority=True),
        Key("escape", "cancel", "Annuler", "Cancel"),
    ]

    def __init__(self, db: Database, quote: str) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.quote = quote
        all_codes = list_codes(db, active_only=True)
        self.families = {c.id: c for c in all_codes if c.is_group}
        self.codes = [c for c in all_codes if not c.is_group]
        by_id = {c.id: c for c in self.codes}
        self.recent = [by_id[i] for i in recent_codes(db) if i in by_id]

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(self._quote_text(), id="picker-quote")
            yield Input(placeholder=tr("2 lettres ou un mot du code ; chiffre = code récent", "2 letters or a word of the code; digit = recent code"), id="picker-filter")
            yield OptionList(id="picker-codes")

    def on_mount(self) -> None:
        self.query_one("#picker", Vertical).border_title = tr("Coder le passage", "Tag the passage")
        self.query_one("#picker", Vertical).border_subtitle = tr("Entrée choisir · Échap annuler", "Enter pick · Esc cancel")
        self.refilter("")
        self.query_one(Input).focus()

    def _quote_text(self) -> Text:
        quote = " ".join(self.quote.split())
        if len(quote) > 160:
            quote = quote[:157] + "…"
        return Text(f"« {quote} »", style="italic")

    def refilter(self, query: str) -> None:
        options: list[Option | None] = []
        if not query.strip():
            for i, code in enumerate(self.recent, start=1):
                options.append(Option(code_prompt(code, str(i)), id=code.id))
            if self.recent:
                options.append(None)
            family = None
            for code in self.codes:
                if code.parent != family and code.parent in self.families:
                    family = code.parent
                    options.append(Option(Text(self.families[family].label(language()), style="dim italic"), disabled=True))
                # A recent code appears twice; option ids must stay unique.
                options.append(Option(code_prompt(code), id=f"{code.id}#all"))
        else:
            for code in rank_codes(self.codes, query):
                options.append(Option(code_prompt(code), id=code.id))
        box = self.query_one("#picker-codes", OptionList)
        box.set_options(options)
        first = next((i for i, o in enumerate(box.options) if not o.disabled), None)
        box.highlighted = first

    def on_input_changed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        if value.isdigit() and 1 <= int(value) <= len(self.recent):
            self.dismiss(self.recent[int(value) - 1].id)
            return
        self.refilter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_pick()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick()

    def action_pick(self) -> None:
        box = self.query_one("#picker-codes", OptionList)
        option = box.highlighted_option
        if option is None or option.disabled or option.id is None:
            self.notify(tr("Aucun code ne correspond : effacez quelques lettres.", "No code matches: delete a few letters."), severity="warning")
            return
        self.dismiss(option.id.split("#")[0])

    def action_move(self, offset: int) -> None:
        box = self.query_one("#picker-codes", OptionList)
        box.action_cursor_down() if offset > 0 else box.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
