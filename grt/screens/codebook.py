"""The codebook seen from the assistant's side (issue 4 §6): each code with the cues that propose it, each
cue's precision in this group (accepted / decided), and one key to switch a noisy cue off or back on.

Nothing here loads the language model: cues are read from their data file and the database.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from sqlite_utils import Database
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ..codebook import list_codes
from ..errors import GrtError
from ..groups import get_group
from ..i18n import language, tr
from ..nlp import service
from ..nlp.cues import USER_PREFIX, load_cues
from ..widgets.keys import HELP_KEY, Key, bind_keys, fit_footer, help_rows
from ..widgets.render import code_style

# A cue the group rejects at least this often, over at least NOISY_MIN answers, is shown as noisy.
NOISY_BELOW = 0.5
NOISY_MIN = 3
PRECISION_WIDTH = 15

CODEBOOK_KEYS = [
    HELP_KEY,
    Key("space", "toggle", "Activer/désactiver", "Switch on/off",
        help_fr="Désactiver l'indice choisi (il ne propose plus rien, dans aucun groupe) ou le réactiver",
        help_en="Switch the chosen cue off (it proposes nothing more, in any group) or back on"),
    Key("f", "filter", "Décidés / tous", "Decided / all",
        help_fr="Montrer seulement les indices sur lesquels le groupe a déjà décidé (ou tous)",
        help_en="Show only the cues the group has already decided on (or all)"),
    Key("escape", "back", "Retour", "Back"),
]

def _collect(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key in ("IN", "FUZZY"):
            _collect(value.get(key), out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _collect(v, out)


def cue_words(cue_id: str, limit: int = 5) -> list[str]:
    """A few of the words a cue looks for, so that a facilitator recognises it."""
    if cue_id.startswith(USER_PREFIX):
        return [cue_id[len(USER_PREFIX):].split(":", 1)[-1]]
    cue = load_cues().by_id.get(cue_id)
    if cue is None:
        return []
    words: list[str] = list(cue.phrases)
    for pattern in cue.patterns or cue.surface or ():
        for token in pattern:
            _collect(token.get("LEMMA"), words)
            _collect(token.get("LOWER"), words)
            _collect(token.get("ORTH"), words)
    seen: list[str] = []
    for w in words:
        if w and w not in seen and not w.startswith("$"):
            seen.append(w)
    return seen[:limit]


def precision_text(row: dict[str, Any]) -> Text:
    """'  75 % (3/4)  ' in a fixed width, '—' when the group has not decided yet; noisy cues in red."""
    out = Text()
    if not row["decided"]:
        out.append("    —".ljust(PRECISION_WIDTH), style="dim")
        return out
    p = row["precision"]
    noisy = p < NOISY_BELOW and row["decided"] >= NOISY_MIN
    style = "bold red" if noisy else ("bold green" if p >= 0.8 else "bold")
    out.append(f"{round(p * 100):>4} %", style=style)
    out.append(f" ({row['accepted']}/{row['decided']})".ljust(PRECISION_WIDTH - 6), style="dim")
    return out


class CodebookScreen(Screen):
    def __init__(self, db: Database, group_id: int | None = None, session_id: int | None = None) -> None:
        super().__init__()
        bind_keys(self, CODEBOOK_KEYS)
        self.db = db
        self.group = get_group(db, group_id)
        self.only_decided = False
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static(tr("grt · Codes et indices · {g}", "grt · Codes and cues · {g}", g=self.group.name), classes="topbar", id="cb-top")
        yield Static(
            Text(
                tr(
                    "Précision = suggestions acceptées / décidées dans ce groupe. Un indice souvent refusé perd déjà du poids ; "
                    "s'il reste bruyant, désactivez-le (Espace).",
                    "Precision = suggestions accepted / decided in this group. A cue often rejected already loses weight; "
                    "if it stays noisy, switch it off (Space).",
                )
            ),
            classes="hint",
            id="cb-hint",
        )
        yield OptionList(id="cb-list")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.app.group_id = self.group.id  # type: ignore[attr-defined]
        lst = self.query_one("#cb-list", OptionList)
        lst.border_title = tr("Codes et indices", "Codes and cues")
        self.reload()
        lst.focus()
        first = next((i for i, o in enumerate(lst.options) if not o.disabled), None)
        lst.highlighted = first

    def on_resize(self) -> None:
        fit_footer(self, CODEBOOK_KEYS)

    def reload(self) -> None:
        self.rows = service.cue_precision(self.db, self.group.id)
        lst = self.query_one("#cb-list", OptionList)
        keep = lst.highlighted_option.id if lst.highlighted_option is not None else None
        by_code: dict[str, list[dict[str, Any]]] = {}
        for r in self.rows:
            by_code.setdefault(r["code"], []).append(r)
        options: list[Option] = []
        for code in list_codes(self.db, include_groups=False):
            cues = by_code.get(code.id, [])
            shown = [r for r in cues if r["decided"] or not self.only_decided]
            if self.only_decided and not shown:
                continue
            options.append(Option(self._code_prompt(code, cues), disabled=True))
            # The noisiest first: those are the ones a facilitator comes to switch off.
            shown.sort(key=lambda r: (r["precision"] is None, r["precision"] if r["precision"] is not None else 0, r["cue"]))
            for r in shown:
                options.append(Option(self._cue_prompt(r), id=r["cue"]))
            if not cues:
                options.append(Option(Text(tr("    aucun indice pour ce code", "    no cue for this code"), style="dim italic"), disabled=True))
        if not options:
            options.append(Option(Text(tr("Le groupe n'a encore décidé d'aucune suggestion (f : tout montrer).", "The group has not decided any suggestion yet (f: show all)."), style="italic"), disabled=True))
        lst.set_options(options)
        ids = [o.id for o in lst.options]
        if keep in ids:
            lst.highlighted = ids.index(keep)
        off = sum(1 for r in self.rows if not r["enabled"])
        decided = sum(1 for r in self.rows if r["decided"])
        lst.border_subtitle = tr("{n} indices · {d} décidés dans ce groupe · {o} désactivé(s)", "{n} cues · {d} decided in this group · {o} off", n=len(self.rows), d=decided, o=off)

    def _code_prompt(self, code, cues: list[dict[str, Any]]) -> Text:
        out = Text()
        out.append(f" {code.label(language())} ", style=code_style(code.color))
        accepted = sum(r["accepted"] for r in cues)
        decided = sum(r["decided"] for r in cues)
        out.append(f"  {code.id} · " + tr("{n} indice(s)", "{n} cue(s)", n=len(cues)), style="dim")
        if decided:
            out.append(tr(" · {a}/{d} acceptées", " · {a}/{d} accepted", a=accepted, d=decided), style="dim")
        return out

    def _cue_prompt(self, r: dict[str, Any]) -> Text:
        out = Text()
        if r["enabled"]:
            out.append("  ✓ ", style="bold green")
        else:
            out.append("  ⊘ ", style="bold red")
        out.append_text(precision_text(r))
        why = r["why"] or ""
        if why.startswith("« … » : "):
            why = why[len("« … » : "):]
        out.append(" " + why, style="" if r["enabled"] else "dim strike")
        # Words say what a word cue looks for; a construction's words are grammar, not worth reading.
        words = cue_words(r["cue"]) if r["kind"] in ("lemma", "phrase", "user") else []
        if words:
            mine = tr("vos mots : ", "your words: ") if r["kind"] == "user" else ""
            out.append(f"  ({mine}" + ", ".join(words) + ("…" if len(words) >= 5 else "") + ")", style="dim")
        if not r["enabled"]:
            out.append(tr("  désactivé", "  off"), style="bold red")
        elif r["precision"] is not None and r["precision"] < NOISY_BELOW and r["decided"] >= NOISY_MIN:
            out.append(tr("  bruyant : Espace pour le désactiver", "  noisy: Space to switch it off"), style="red")
        return out

    # --- actions ---------------------------------------------------------------------------------

    def _current(self) -> dict[str, Any] | None:
        option = self.query_one("#cb-list", OptionList).highlighted_option
        if option is None or option.id is None:
            return None
        return next((r for r in self.rows if r["cue"] == option.id), None)

    def action_toggle(self) -> None:
        r = self._current()
        if r is None:
            return
        try:
            service.set_cue_enabled(self.db, r["cue"], not r["enabled"])
        except GrtError as e:
            self.notify(str(e), severity="error")
            return
        self.reload()
        if r["enabled"]:
            self.notify(tr("Indice désactivé : il ne proposera plus rien.", "Cue switched off: it will propose nothing more."), timeout=3)
        else:
            self.notify(tr("Indice réactivé.", "Cue switched back on."), timeout=3)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_toggle()

    def action_filter(self) -> None:
        self.only_decided = not self.only_decided
        self.reload()
        lst = self.query_one("#cb-list", OptionList)
        if lst.highlighted is None or lst.highlighted_option is None or lst.highlighted_option.disabled:
            lst.highlighted = next((i for i, o in enumerate(lst.options) if not o.disabled), None)

    def action_back(self) -> None:
        self.dismiss()

    def help_sections(self):
        return [(tr("Codes et indices", "Codes and cues"), [("↑ ↓", tr("Choisir un indice", "Choose a cue"))] + help_rows(CODEBOOK_KEYS))]

    def help_notes(self) -> list[str]:
        return [
            tr(
                "Un indice est ce qui fait proposer un code : des mots, une expression, une construction de phrase. "
                "La précision compte les réponses de ce groupe ; un indice désactivé ne propose plus rien dans aucun groupe.",
                "A cue is what makes the assistant propose a code: words, a phrase, a sentence construction. "
                "Precision counts this group's answers; a cue switched off proposes nothing more in any group.",
            )
        ]

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            (tr("Activer / désactiver l'indice", "Switch the cue on / off"), tr("Espace", "Space"), self.action_toggle),
            (tr("Seulement les indices décidés", "Only decided cues"), "f", self.action_filter),
        ]
