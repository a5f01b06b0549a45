"""One pole of the synthesis on screen: its text, then its items (quote, codes, speaker, date, decision).

The decision shows as a word and a sign as well as a colour ("✓ validé"), so that it reads on a projector
and in black and white. Quotes are shown masked, exactly as they would leave the group.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import tr
from ..models import Code
from ..synthesis import SynthesisItem, pole_label
from .render import code_style, short_date, short_label

# A replacement as the masker writes it: "[personne]", "[aide à domicile]".
_MASK = re.compile(r"\[[^\]\n]{1,60}\]")


def decision_badge(item: SynthesisItem) -> Text:
    out = Text()
    if item.dropped:
        out.append(tr(" – ÉCARTÉ ", " – DROPPED "), style="bold white on #606060")
        return out
    sign, fr, en, style = {
        "validated": ("✓", "VALIDÉ", "VALIDATED", "bold black on #5cb85c"),
        "withheld": ("✗", "RETENU", "WITHHELD", "bold white on #b03030"),
    }.get(item.validation, ("?", "À VALIDER", "TO VALIDATE", "bold black on #e0b030"))
    out.append(f" {sign} {tr(fr, en)} ", style=style)
    return out


def item_prompt(item: SynthesisItem, mask: Callable[[str], str], codes: dict[str, Code], marks: Iterable[str] = ()) -> Text:
    """Decision, speaker and date; the quote as it will leave (masks underlined); the codes as chips.

    marks: the replacements the facilitator wrote, underlined too when they have no brackets."""
    head = decision_badge(item)
    head.append(f"  {item.speaker} · {short_date(item.session_date)}", style="dim" if item.dropped else "bold")
    quote = Text(f"« {mask(item.quote)} »", style="dim strike" if item.dropped else "")
    for m in _MASK.finditer(quote.plain):
        quote.stylize("bold underline", m.start(), m.end())
    for word in marks:
        quote.highlight_words([word], "bold underline")
    chips = Text()
    for code_id in item.codes:
        code = codes.get(code_id)
        if code is None:
            continue
        if chips:
            chips.append(" ")
        chips.append(f" {short_label(code)} ", style=code_style(code.color))
    return Text("\n").join([head, quote, chips] if chips else [head, quote])


class ItemList(OptionList):
    """An OptionList that redraws one item without measuring every other item again."""

    def set_prompt(self, option_id: str, prompt: Text) -> None:
        index = self.get_option_index(option_id)
        option = self.get_option_at_index(index)
        try:
            # Same height (a decision changed, not the text): only this option's drawing is stale.
            old = self._line_cache.heights.get(index)
            option._set_prompt(prompt)
            padding = self.get_component_styles("option-list--option").padding
            width = self.scrollable_content_region.width - self._get_left_gutter_width()
            new = self._get_visual(option).get_height(self.styles, width - padding.width) + option._divider
            if old is not None and old == new:
                for key in [k for k in self._option_render_cache.keys() if k[0] is option]:
                    self._option_render_cache.discard(key)
                self.refresh()
                return
            self._clear_caches()
        except AttributeError:  # another Textual version: the slower public way
            self.replace_option_prompt(option_id, prompt)


class PoleColumn(Vertical):
    """A pole's text (a preview; t edits it) above the list of its items (dropped ones last)."""

    def __init__(self, pole: str, **kwargs) -> None:
        super().__init__(id=f"col-{pole}", classes="pole-column", **kwargs)
        self.pole = pole
        self.items: list[SynthesisItem] = []
        self.mask: Callable[[str], str] = lambda t: t
        self.codes: dict[str, Code] = {}
        self.marks: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", classes="pole-text")
        yield ItemList(id=f"items-{self.pole}", classes="pole-items")

    @property
    def option_list(self) -> ItemList:
        return self.query_one(ItemList)

    def show(
        self,
        items: list[SynthesisItem],
        text: str,
        mask: Callable[[str], str],
        codes: dict[str, Code],
        keep: int | None = None,
        marks: Iterable[str] = (),
    ) -> None:
        """Redraw; the cursor stays on `keep` (an item id) if it is here, else at the same row."""
        box = self.option_list
        row = box.highlighted
        self.items = sorted(items, key=lambda i: (i.dropped, i.position, i.id))
        self.mask, self.codes, self.marks = mask, codes, list(marks)
        self.border_title = pole_label(self.pole)
        self.show_counts()
        preview = self.query_one(".pole-text", Static)
        if text.strip():
            preview.update(Text(" ".join(text.split()), style="italic"))
        else:
            preview.update(Text(tr("Texte du pôle à écrire : touche t.", "Text of the pole to write: key t."), style="dim italic"))
        options: list[Option | None] = []
        for item in self.items:
            options.append(Option(item_prompt(item, mask, codes, self.marks), id=str(item.id)))
            options.append(None)
        if not self.items:
            options = [Option(Text(tr("Aucun extrait dans ce pôle.", "No item in this pole."), style="dim italic"), disabled=True)]
        box.set_options(options)
        if not self.items:
            return
        ids = [i.id for i in self.items]
        if keep in ids:
            box.highlighted = ids.index(keep)
        else:
            box.highlighted = min(row or 0, len(ids) - 1)

    def redraw(self, items: list[SynthesisItem]) -> None:
        """Items whose decision changed, redrawn in place (their order is unchanged)."""
        for item in items:
            for n, old in enumerate(self.items):
                if old.id == item.id:
                    self.items[n] = item
                    self.option_list.set_prompt(str(item.id), item_prompt(item, self.mask, self.codes, self.marks))
        self.show_counts()

    def show_counts(self) -> None:
        kept = [i for i in self.items if not i.dropped]
        pending = sum(1 for i in kept if i.validation == "pending")
        bits = [tr("{n} extrait", "{n} item", n=len(kept)) if len(kept) <= 1 else tr("{n} extraits", "{n} items", n=len(kept))]
        if pending:
            bits.append(tr("{n} à valider", "{n} to validate", n=pending))
        dropped = len(self.items) - len(kept)
        if dropped:
            bits.append(tr("{n} écarté", "{n} dropped", n=dropped) if dropped == 1 else tr("{n} écartés", "{n} dropped", n=dropped))
        self.border_subtitle = " · ".join(bits)

    @property
    def current(self) -> SynthesisItem | None:
        row = self.option_list.highlighted
        if row is None or not (0 <= row < len(self.items)):
            return None
        return self.items[row]

    def select(self, item_id: int) -> None:
        for i, item in enumerate(self.items):
            if item.id == item_id:
                self.option_list.highlighted = i
                return
