"""Small windows over the annotation screen: the score threshold for "accept all", which tagged passage
gets a memo."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..errors import InvalidInput
from ..i18n import language, tr
from ..models import Annotation, Code
from ..widgets.keys import Key, bind_keys
from ..widgets.render import code_style, short_label
from .forms import FormScreen, _label


def score_text(score: float) -> str:
    """0.75 -> '0,75' in French: what a facilitator reads."""
    text = f"{score:.2f}"
    return text.replace(".", ",") if language() == "fr" else text


def parse_threshold(text: str) -> float:
    """'0,7', '0.7' or '70' (per cent) -> 0.7; anything else is refused in plain words."""
    raw = text.strip().replace(",", ".").rstrip("%").strip()
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if 1 < value <= 100:
        value /= 100
    if not 0 <= value <= 1:
        raise InvalidInput(tr("Seuil attendu entre 0 et 1 (par exemple 0,7).", "A threshold between 0 and 1 is expected (e.g. 0.7)."))
    return value


class ThresholdForm(FormScreen):
    """Accept every pending suggestion of one contribution from a score up; says how many before."""

    KEYS = [
        Key("ctrl+s", "submit", "Accepter", "Accept", priority=True, display="Entrée|Enter"),
        Key("escape", "cancel", "Annuler", "Cancel"),
    ]

    def __init__(self, scores: list[float], default: float) -> None:
        super().__init__()
        self.scores = sorted(scores)
        self.default = default
        self.title_text = tr("Tout accepter dans cette contribution", "Accept all in this contribution")

    def fields(self) -> ComposeResult:
        low, high = score_text(self.scores[0]), score_text(self.scores[-1])
        yield Static(
            tr(
                "{n} suggestion(s) en attente, scores de {a} à {b}.",
                "{n} pending suggestion(s), scores from {a} to {b}.",
                n=len(self.scores),
                a=low,
                b=high,
            )
        )
        yield _label("À partir du score (0 à 1)", "From the score (0 to 1)")
        yield Input(score_text(self.default), id="threshold")
        yield Static("", id="threshold-count", classes="confirm-detail")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(".form").border_subtitle = tr("Entrée accepter · Échap annuler", "Enter accept · Esc cancel")
        self._count(self.query_one("#threshold", Input).value)

    def _count(self, value: str) -> None:
        try:
            t = parse_threshold(value)
        except InvalidInput as e:
            self.query_one("#threshold-count", Static).update(Text(str(e), style="italic"))
            return
        n = sum(1 for s in self.scores if s >= t - 1e-9)
        self.query_one("#threshold-count", Static).update(
            Text(tr("Entrée : {n} suggestion(s) seront acceptées.", "Enter: {n} suggestion(s) will be accepted.", n=n), style="bold")
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self._count(event.value)

    def save(self) -> Any:
        return parse_threshold(self.query_one("#threshold", Input).value)


class AnnotationChooser(ModalScreen[int | None]):
    """Which tagged passage of the contribution: Enter picks it."""

    KEYS = [Key("escape", "cancel", "Annuler", "Cancel")]

    def __init__(self, title: str, annotations: list[Annotation], codes: dict[str, Code], current: int | None = None) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.title_text = title
        self.annotations = annotations
        self.codes = codes
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="annot-chooser", classes="form"):
            yield OptionList(id="annot-chooser-options")

    def on_mount(self) -> None:
        box = self.query_one("#annot-chooser")
        box.border_title = self.title_text
        box.border_subtitle = tr("Entrée choisir · Échap annuler", "Enter pick · Esc cancel")
        options = self.query_one(OptionList)
        for a in self.annotations:
            options.add_option(Option(annotation_line(a, self.codes), id=str(a.id)))
        ids = [a.id for a in self.annotations]
        options.highlighted = ids.index(self.current) if self.current in ids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


def annotation_line(a: Annotation, codes: dict[str, Code], width: int = 90) -> Text:
    """A tagged passage on one or two lines: code chip, the quote, who proposed it, its memo."""
    code = codes.get(a.code)
    out = Text()
    out.append(f" {short_label(code) if code else a.code} ", style=code_style(code.color) if code else "reverse")
    quote = " ".join(a.quote.split())
    if len(quote) > width:
        quote = quote[: width - 1] + "…"
    out.append(f" « {quote} »", style="italic")
    if a.origin == "suggested":
        out.append(tr("  (suggestion acceptée)", "  (accepted suggestion)"), style="dim")
    if a.memo.strip():
        out.append("\n   ✎ ", style="bold")
        out.append(" ".join(a.memo.split()))
    return out
