"""The synthesis screen: the three poles of one session (or a range of sessions), validated by the group,
then exported to Word.

Top: the title, the sessions, where validation stands, the introduction. Middle: the three poles side by
side (one at a time below 120 columns, ← → to switch), each with its text and its items. Bottom: the
export log, or the progress of a slow job (looking for names with the French model, exporting).
Slow work runs in threads with their own database connection; the screen never waits for them.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable

from rich.text import Text
from sqlite_utils import Database
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, OptionList, ProgressBar, Static
from textual.worker import Worker, WorkerState

from ..anonymize import Masker
from ..codebook import list_codes
from ..db import connect, db_file
from ..errors import GrtError
from ..groups import get_group, list_participants
from ..i18n import tr
from ..sessions import get_session
from ..synthesis import (
    POLES,
    get_synthesis,
    list_items,
    long_date,
    mark_validated,
    move_item,
    open_synthesis,
    pole_explanation,
    pole_label,
    pole_short_label,
    refresh_synthesis,
    reopen_synthesis,
    replacements_map,
    restore_item,
    drop_item,
    scan_names,
    set_texts,
    set_validation,
    shift_item,
    synthesis_for_session,
    validate_all,
    validation_counts,
)
from ..widgets.keys import HELP_KEY, Key, bind_keys, fit_footer, help_rows
from ..widgets.render import short_date
from ..widgets.synthesis_pole import PoleColumn

# One user of the language model at a time (the name scan and an export may both want it).
_NLP_LOCK = threading.Lock()

SYNTHESIS_KEYS = [
    HELP_KEY,
    Key("left", "pole(-1)", "Pôle", "Pole", display="←→", priority=True, show=False,
        help_fr="Passer au pôle précédent / suivant (1, 2, 3 : aller à un pôle)",
        help_en="Go to the previous / next pole (1, 2, 3: go to a pole)"),
    Key("right", "pole(1)", "Pôle suivant", "Next pole", show=False, priority=True),
    Key("v", "validate", "Valider", "Validate",
        help_fr="Le groupe valide l'extrait : il pourra sortir (v de nouveau : le remettre à valider)",
        help_en="The group validates the item: it may leave (v again: back to 'to validate')"),
    Key("r", "withhold", "Retenir", "Withhold",
        help_fr="Le groupe retient l'extrait : il ne sortira pas (r de nouveau : le remettre à valider)",
        help_en="The group withholds the item: it will not leave (r again: back to 'to validate')"),
    Key("delete,backspace", "drop", "Écarter", "Drop",
        help_fr="Écarter l'extrait de la synthèse, ou le reprendre s'il était écarté",
        help_en="Drop the item from the synthesis, or take it back if it was dropped"),
    Key("e", "export", "Export Word", "Export to Word",
        help_fr="Exporter la synthèse validée (Word .docx, ou .md) ; le fichier et son empreinte vont au journal",
        help_en="Export the validated synthesis (Word .docx, or .md); the file and its hash go to the log"),
    Key("V", "validate_all", "Tout valider", "Validate all", show=False,
        help_fr="Valider d'un coup tous les extraits encore à valider (les extraits retenus le restent)",
        help_en="Validate at once every item still to validate (withheld items stay withheld)"),
    Key("shift+left", "move(-1)", "Déplacer", "Move", display="Maj+←→|Shift+←→", wide=True,
        help_fr="Déplacer l'extrait vers le pôle de gauche / de droite",
        help_en="Move the item to the pole on the left / right"),
    Key("shift+right", "move(1)", "Déplacer à droite", "Move right", show=False),
    Key("shift+up", "shift(-1)", "Ordre", "Order", display="Maj+↑↓|Shift+↑↓", wide=True,
        help_fr="Monter / descendre l'extrait dans son pôle", help_en="Move the item up / down in its pole"),
    Key("shift+down", "shift(1)", "Descendre", "Move down", show=False),
    Key("i", "introduction", "Intro", "Intro", show=False, help_fr="Écrire l'introduction", help_en="Write the introduction"),
    Key("t", "pole_text", "Texte du pôle", "Pole text", show=False, help_fr="Écrire le texte du pôle affiché", help_en="Write the text of the pole shown"),
    Key("n", "names", "Noms", "Names", wide=True,
        help_fr="Les noms trouvés dans ce qui sortira et leurs remplacements : vérifier, corriger",
        help_en="The names found in what will leave and their replacements: check, correct"),
    Key("d", "debates", "Débats", "Debates", wide=True,
        help_fr="Les débats de normes et les propositions tels qu'ils sortiront",
        help_en="The norm debates and the proposals as they will leave"),
    Key("g", "mark_validated", "Synthèse validée", "Synthesis validated", show=False,
        help_fr="Noter que le groupe a validé la synthèse (date et heure enregistrées) ; de nouveau : la rouvrir",
        help_en="Record that the group validated the synthesis (date and time kept); again: reopen it"),
    Key("j", "export_log", "Journal", "Log", wide=True, help_fr="Le journal de tous les exports du groupe", help_en="The log of all the group's exports"),
    Key("s", "sessions", "Séances", "Sessions", show=False,
        help_fr="Choisir les séances de la synthèse : celle-ci, les 3 dernières, ou d'autres",
        help_en="Choose the sessions of the synthesis: this one, the last 3, or others"),
    Key("1", "goto_pole(0)", "Savoirs", "Knowledge", show=False),
    Key("2", "goto_pole(1)", "Expérience", "Experience", show=False),
    Key("3", "goto_pole(2)", "Éthique", "Ethics", show=False),
    Key("escape", "back", "Retour", "Back"),
]


def plural(n: int, fr_one: str, fr_many: str, en_one: str, en_many: str) -> str:
    return tr(fr_one, en_one, n=n) if n <= 1 else tr(fr_many, en_many, n=n)


def _now_iso(app: Any) -> str:
    return app.now().replace(microsecond=0).isoformat()


def _stamp(iso: str | None) -> str:
    """'2026-10-15T10:05:00' -> '15/10/2026 à 10:05'."""
    if not iso:
        return ""
    day = short_date(iso[:10])
    return tr("{d} à {h}", "{d} at {h}", d=day, h=iso[11:16]) if len(iso) >= 16 else day


class SynthesisScreen(Screen):
    def __init__(
        self,
        db: Database,
        group_id: int | None = None,
        session_id: int | None = None,
        *,
        synthesis_id: int | None = None,
        nlp: Any = None,
    ) -> None:
        super().__init__()
        bind_keys(self, SYNTHESIS_KEYS)
        self.db = db
        self.group_id = group_id
        self.session_id = session_id
        self.synthesis_id = synthesis_id
        # Injected in tests (a blank spaCy pipeline); None: the French model, loaded in a thread.
        self.nlp = nlp
        self.pole = POLES[0]
        self.codes = {c.id: c for c in list_codes(db)}
        self.mask: Callable[[str], str] = lambda t: t
        self._jobs: dict[str, str] = {}
        self._scanning = False
        self._rescan = False
        self._names_dialog: Any = None

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", classes="topbar", id="synth-top")
        yield Static("", id="synth-head")
        yield Static("", id="synth-intro")
        yield Static("", id="pole-tabs")
        with Horizontal(id="synth-poles"):
            for pole in POLES:
                yield PoleColumn(pole)
        with Horizontal(id="synth-busy"):
            yield Static("", id="synth-busy-text")
            yield ProgressBar(id="synth-progress", show_eta=False, show_percentage=False)
        yield Static("", id="synth-log-line")
        yield Static("", id="synth-log-table")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        try:
            self.synthesis_id = self._find_synthesis()
            self.reload()
        except (GrtError, sqlite3.Error) as e:
            self.app.notify(str(e), severity="error")
            self.app.call_later(self.dismiss)
            return
        self.app.group_id = self.synthesis.group_id  # type: ignore[attr-defined]
        self._focus_first_pending()
        self.start_name_scan()

    def _find_synthesis(self) -> int:
        """This session's synthesis (or the newest one that includes it); made from its tags if none yet."""
        if self.synthesis_id is not None:
            return self.synthesis_id
        if self.session_id is None:
            raise GrtError(tr("Choisissez d'abord une session.", "Choose a session first."))
        s = synthesis_for_session(self.db, self.session_id)
        if s is None:
            return open_synthesis(self.db, [self.session_id]).id
        if not s.validated:
            refresh_synthesis(self.db, s.id)
        return s.id

    def on_screen_resume(self) -> None:
        if hasattr(self, "synthesis"):
            self.app.group_id = self.synthesis.group_id  # type: ignore[attr-defined]

    def on_resize(self, event: events.Resize) -> None:
        fit_footer(self, SYNTHESIS_KEYS)

    def column(self, pole: str | None = None) -> PoleColumn:
        return self.query_one(f"#col-{pole or self.pole}", PoleColumn)

    # --- showing ---------------------------------------------------------------------------------

    def reload(self, keep: int | None = None, poles: tuple[str, ...] | list[str] = POLES) -> None:
        """Re-read the synthesis and redraw the header and these poles (all by default: a big synthesis
        takes a moment to lay out, so an action redraws only what it changed); the cursor stays on
        item `keep` (or its row)."""
        self.synthesis = s = get_synthesis(self.db, self.synthesis_id)
        self.group = get_group(self.db, s.group_id)
        self.sessions = [get_session(self.db, sid) for sid in s.session_ids]
        replacements = replacements_map(self.db, s.id)
        if len(poles) == len(POLES):
            self._replacements = replacements
        self.mask = Masker(list_participants(self.db, s.group_id), replacements)
        marks = sorted({v for k, v in replacements.items() if k != v and len(v) > 2}, key=len, reverse=True)
        if len(poles) == len(POLES):
            items = list_items(self.db, s.id, include_dropped=True)
        else:
            items = [i for pole in poles for i in list_items(self.db, s.id, pole, include_dropped=True)]
        for pole in poles:
            self.column(pole).show([i for i in items if i.pole == pole], self.mask(s.text(pole)), self.mask, self.codes, keep, marks)
        self.show_summary()

    def refresh_masks(self) -> None:
        """Redraw the quotes if the names to mask changed (a scan, the names window), else the header only."""
        item = self.column().current
        if replacements_map(self.db, self.synthesis.id) != self._replacements:
            self.reload(keep=item.id if item else None)
        else:
            self.reload(poles=())

    def show_summary(self) -> None:
        """The header, the introduction, the pole switcher and the export log."""
        self.counts = validation_counts(self.db, self.synthesis.id)
        self.query_one("#synth-top", Static).update(tr("grt · Synthèse · {g}", "grt · Synthesis · {g}", g=self.group.name))
        self.query_one("#synth-head", Static).update(self._head())
        self.query_one("#synth-intro", Static).update(self._intro())
        self._show_pole()
        self._show_log()

    def _period(self) -> str:
        dates = [x.date for x in self.sessions]
        if len(dates) == 1:
            return tr("séance du {d}", "session of {d}", d=long_date(dates[0]))
        return tr("{n} séances, du {a} au {b}", "{n} sessions, from {a} to {b}", n=len(dates), a=long_date(dates[0]), b=long_date(dates[-1]))

    def _head(self) -> Text:
        s, c = self.synthesis, self.counts
        out = Text()
        out.append(s.title, style="bold")
        dates = [x.date for x in self.sessions]
        if dates and not (long_date(dates[0]) in s.title and long_date(dates[-1]) in s.title):
            out.append("  ·  " + self._period(), style="dim")
        elif len(dates) > 1:
            out.append("  ·  " + tr("{n} séances", "{n} sessions", n=len(dates)), style="dim")
        out.append(tr("  (s : autres séances)", "  (s: other sessions)"), style="dim")
        out.append("\n")
        if s.validated:
            out.append(tr(" ✓ VALIDÉE PAR LE GROUPE le {d} ", " ✓ VALIDATED BY THE GROUP on {d} ", d=_stamp(s.validated_at)), style="bold black on #5cb85c")
        else:
            out.append(tr(" EN PRÉPARATION ", " IN PREPARATION "), style="bold black on #e0b030")
        out.append("  ")
        out.append(tr("? {n} à valider", "? {n} to validate", n=c["pending"]), style="bold" if c["pending"] else "dim")
        out.append(" · " + plural(c["validated"], "✓ {n} validé", "✓ {n} validés", "✓ {n} validated", "✓ {n} validated"))
        out.append(" · " + plural(c["withheld"], "✗ {n} retenu", "✗ {n} retenus", "✗ {n} withheld", "✗ {n} withheld"))
        if c["dropped"]:
            out.append(" · " + plural(c["dropped"], "– {n} écarté", "– {n} écartés", "– {n} dropped", "– {n} dropped"), style="dim")
        if not s.validated:
            if c["pending"]:
                out.append(tr("   V : tout valider", "   V: validate all"), style="dim")
            else:
                out.append(tr("   → g : le groupe a validé", "   → g: the group validated"), style="bold")
        # Hints at the end of a line are cut, never wrapped, on a narrow screen.
        out.no_wrap, out.overflow = True, "ellipsis"
        return out

    def _intro(self) -> Text:
        text = " ".join(self.mask(self.synthesis.introduction).split())
        out = Text(tr("Introduction : ", "Introduction: "), style="bold")
        if text:
            out.append(text, style="italic")
        else:
            out.append(tr("à écrire (touche i).", "to write (key i)."), style="dim italic")
        return out

    def _show_pole(self) -> None:
        """The current pole: highlighted in the switcher, the only one shown when the screen is narrow."""
        out = Text()
        for n, pole in enumerate(POLES, start=1):
            col = self.column(pole)
            col.set_class(pole == self.pole, "-current")
            kept = [i for i in col.items if not i.dropped]
            label = f" {n} {pole_short_label(pole)} ({len(kept)}) "
            if n > 1:
                out.append(" │ ", style="dim")
            out.append(label, style="bold reverse" if pole == self.pole else "")
        out.append(tr("   ← → changer de pôle", "   ← → change pole"), style="dim")
        self.query_one("#pole-tabs", Static).update(out)

    def _show_log(self) -> None:
        from ..export import list_exports
        from .synthesis_dialogs import export_log_table, export_stamp

        rows = list_exports(self.db, synthesis_id=self.synthesis.id)
        line = Text(tr("Exports : ", "Exports: "), style="bold")
        if rows:
            r = rows[0]
            line.append(
                tr(
                    "dernier le {d} · {n} extrait(s) · SHA-256 {h} · {f}",
                    "last on {d} · {n} item(s) · SHA-256 {h} · {f}",
                    d=export_stamp(r["created_at"]),
                    n=r["items"],
                    h=r["sha256"][:12],
                    f=r["file_name"],
                )
            )
            if len(rows) > 1:
                line.append(tr(" (+{n} avant, j : journal)", " (+{n} earlier, j: log)", n=len(rows) - 1), style="dim")
        else:
            line.append(tr("aucun pour l'instant (e pour exporter).", "none yet (e to export)."), style="dim")
        line.no_wrap, line.overflow = True, "ellipsis"
        self.query_one("#synth-log-line", Static).update(line)
        table = self.query_one("#synth-log-table", Static)
        table.border_title = tr("Exports de cette synthèse (j : journal du groupe)", "Exports of this synthesis (j: the group's log)")
        dates = {x.id: x.date for x in self.sessions}
        table.update(export_log_table(rows, dates, limit=3))

    def focus_pole(self, pole: str, item_id: int | None = None) -> None:
        self.pole = pole
        self._show_pole()
        col = self.column(pole)
        if item_id is not None:
            col.select(item_id)
        col.option_list.focus()
        # A column that was hidden measured its items at no width: scroll once it is laid out.
        self.call_after_refresh(col.option_list.scroll_to_highlight)

    def _focus_first_pending(self) -> None:
        for pole in POLES:
            for item in self.column(pole).items:
                if not item.dropped and item.validation == "pending":
                    self.focus_pole(pole, item.id)
                    return
        self.focus_pole(self.pole)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if isinstance(widget, OptionList) and widget.id and widget.id.startswith("items-"):
            pole = widget.id.removeprefix("items-")
            if pole != self.pole:
                self.pole = pole
                self._show_pole()

    # --- moving around ---------------------------------------------------------------------------

    def action_pole(self, delta: int) -> None:
        index = max(0, min(len(POLES) - 1, POLES.index(self.pole) + delta))
        self.focus_pole(POLES[index])

    def action_goto_pole(self, index: int) -> None:
        self.focus_pole(POLES[index])

    def current_item(self):
        item = self.column().current
        if item is None:
            self.notify(tr("Aucun extrait choisi dans ce pôle.", "No item chosen in this pole."), severity="warning", timeout=3)
        return item

    # --- editing (a validated synthesis is reopened first, with the facilitator's agreement) --------

    def when_editable(self, change: Callable[[], None]) -> None:
        if not self.synthesis.validated:
            self._apply(change)
            return
        from .forms import ConfirmDialog

        def answer(yes: bool | None) -> None:
            if yes:
                reopen_synthesis(self.db, self.synthesis.id)
                self._apply(change)
                self.notify(tr("Synthèse rouverte : faites-la valider de nouveau avant d'exporter.", "Synthesis reopened: have it validated again before exporting."))

        self.app.push_screen(
            ConfirmDialog(
                tr("Cette synthèse a été validée par le groupe le {d}. La modifier ?", "The group validated this synthesis on {d}. Change it?", d=_stamp(self.synthesis.validated_at)),
                tr(
                    "Elle repassera « en préparation » : il faudra la faire valider de nouveau (g) avant de l'exporter.",
                    "It goes back to 'in preparation': it must be validated again (g) before it is exported.",
                ),
            ),
            answer,
        )

    def _apply(self, change: Callable[[], None]) -> None:
        try:
            change()
        except GrtError as e:
            self.notify(str(e), severity="warning")
            self.reload()

    def action_validate(self) -> None:
        self._decide("validated")

    def action_withhold(self) -> None:
        self._decide("withheld")

    def _decide(self, value: str) -> None:
        item = self.current_item()
        if item is None:
            return
        if item.dropped:
            self.notify(tr("Cet extrait est écarté : Suppr pour le reprendre d'abord.", "This item is dropped: Del to take it back first."), severity="warning")
            return
        new = "pending" if item.validation == value else value
        # Withholding is about the group's words, not where they sit: the same passage in another pole
        # (a gap sits in two) is withheld, or released, with it.
        twins = []
        if new == "withheld" or item.validation == "withheld":
            twins = [i for p in POLES if p != item.pole for i in self.column(p).items if i.span == item.span]

        def change() -> None:
            set_validation(self.db, item.id, new)
            for twin in twins:
                set_validation(self.db, twin.id, new)
            self.synthesis = get_synthesis(self.db, self.synthesis.id)
            for changed in [item, *twins]:
                fresh = [i for i in list_items(self.db, self.synthesis.id, changed.pole, include_dropped=True) if i.id == changed.id]
                self.column(changed.pole).redraw(fresh)
            self.show_summary()
            if twins:
                where = ", ".join(pole_short_label(t.pole) for t in twins)
                self.notify(
                    tr("Même passage, même décision dans le pôle « {p} ».", "Same passage, same decision in the pole '{p}'.", p=where),
                    timeout=4,
                )
            if new != "pending":
                self._next_pending(item.id)

        self.when_editable(change)

    def _next_pending(self, after: int) -> None:
        """On to the next item the group has not decided on, in this pole; say so when there is none."""
        col = self.column()
        ids = [i.id for i in col.items]
        start = ids.index(after) + 1 if after in ids else 0
        order = col.items[start:] + col.items[:start]
        nxt = next((i for i in order if not i.dropped and i.validation == "pending"), None)
        if nxt is not None:
            col.select(nxt.id)
            return
        if start < len(ids):
            col.select(ids[start])
        if self.counts["pending"]:
            self.notify(tr("Plus rien à valider dans ce pôle : → pour le suivant.", "Nothing left to validate in this pole: → for the next one."), timeout=4)
        else:
            self.notify(
                tr("Tous les extraits sont décidés : g note que le groupe a validé, puis e exporte.", "Every item is decided: g records the group's validation, then e exports."),
                timeout=6,
            )

    def action_validate_all(self) -> None:
        from .forms import ConfirmDialog

        pending = self.counts["pending"]
        if not pending:
            self.notify(tr("Aucun extrait à valider.", "No item to validate."), timeout=3)
            return

        def change() -> None:
            n = validate_all(self.db, self.synthesis.id)
            item = self.column().current
            self.reload(keep=item.id if item else None)
            self.notify(tr("{n} extrait(s) validé(s). g : noter que le groupe a validé la synthèse.", "{n} item(s) validated. g: record that the group validated the synthesis.", n=n))

        def answer(yes: bool | None) -> None:
            if yes:
                self.when_editable(change)

        self.app.push_screen(
            ConfirmDialog(
                tr("Valider les {n} extrait(s) encore à valider ?", "Validate the {n} item(s) still to validate?", n=pending),
                tr("Les extraits retenus le restent ; les extraits écartés ne sortent pas.", "Withheld items stay withheld; dropped items do not leave."),
            ),
            answer,
        )

    def action_drop(self) -> None:
        item = self.current_item()
        if item is None:
            return

        def change() -> None:
            if item.dropped:
                restore_item(self.db, item.id)
                self.reload(keep=item.id, poles=[item.pole])
            else:
                drop_item(self.db, item.id)
                self.reload(poles=[item.pole])  # the cursor stays on the row: the next item
                self.notify(tr("Extrait écarté (Suppr de nouveau pour le reprendre).", "Item dropped (Del again to take it back)."), timeout=3)

        self.when_editable(change)

    def action_move(self, delta: int) -> None:
        item = self.current_item()
        if item is None:
            return
        index = POLES.index(item.pole) + delta
        if not 0 <= index < len(POLES):
            self.notify(tr("Pas de pôle de ce côté.", "No pole on that side."), severity="warning", timeout=3)
            return
        target = POLES[index]

        def change() -> None:
            move_item(self.db, item.id, target)
            self.reload(keep=item.id, poles=[item.pole, target])
            self.focus_pole(target, item.id)
            self.notify(tr("Extrait déplacé vers le pôle « {p} ».", "Item moved to the pole '{p}'.", p=pole_short_label(target)), timeout=3)

        self.when_editable(change)

    def action_shift(self, delta: int) -> None:
        item = self.current_item()
        if item is None or item.dropped:
            return

        def change() -> None:
            shift_item(self.db, item.id, delta)
            self.reload(keep=item.id, poles=[item.pole])

        self.when_editable(change)

    # --- texts -----------------------------------------------------------------------------------

    def _edit_text(self, field: str, title: str, explanation: str, text: str) -> None:
        from .synthesis_dialogs import TextEditorDialog

        def done(new: str | None) -> None:
            if new is None or new.strip() == text.strip():
                return

            def change() -> None:
                set_texts(self.db, self.synthesis.id, **{field: new})
                item = self.column().current
                self.reload(keep=item.id if item else None, poles=[field] if field in POLES else [])
                self.start_name_scan()  # a name may have been typed in the text

            self.when_editable(change)

        self.app.push_screen(TextEditorDialog(title, explanation, text), done)

    def action_introduction(self) -> None:
        self._edit_text(
            "introduction",
            tr("Introduction de la synthèse", "Introduction of the synthesis"),
            tr(
                "Quelques lignes pour le lecteur : le contexte, la question travaillée, ce que le groupe a voulu faire entendre.",
                "A few lines for the reader: the context, the question worked on, what the group wanted to be heard.",
            ),
            self.synthesis.introduction,
        )

    def action_pole_text(self) -> None:
        self._edit_text(self.pole, pole_label(self.pole), pole_explanation(self.pole), self.synthesis.text(self.pole))

    def action_title(self) -> None:
        self._edit_text(
            "title",
            tr("Titre de la synthèse", "Title of the synthesis"),
            tr("Le titre de la première page du document.", "The title on the document's first page."),
            self.synthesis.title,
        )

    # --- validation by the group -----------------------------------------------------------------

    def action_mark_validated(self) -> None:
        from .forms import ConfirmDialog

        if self.synthesis.validated:

            def answer(yes: bool | None) -> None:
                if yes:
                    reopen_synthesis(self.db, self.synthesis.id)
                    self.reload(poles=())
                    self.notify(tr("Synthèse rouverte.", "Synthesis reopened."))

            self.app.push_screen(
                ConfirmDialog(
                    tr("Rouvrir la synthèse ?", "Reopen the synthesis?"),
                    tr("Elle devra être validée de nouveau par le groupe avant l'export.", "It must be validated by the group again before export."),
                ),
                answer,
            )
            return
        try:
            mark_validated(self.db, self.synthesis.id, when=_now_iso(self.app))
        except GrtError as e:
            self.notify(str(e), severity="warning", timeout=8)
            return
        self.reload(poles=())
        self.notify(
            tr("Synthèse validée par le groupe le {d}. e pour l'exporter.", "Synthesis validated by the group on {d}. e to export it.", d=_stamp(self.synthesis.validated_at))
        )

    # --- export ----------------------------------------------------------------------------------

    def action_export(self) -> None:
        from .forms import ConfirmDialog

        if self._jobs.get("export"):
            self.notify(tr("Un export est déjà en cours.", "An export is already running."), severity="warning", timeout=3)
            return
        if self.synthesis.validated:
            self._ask_path()
            return
        pending = self.counts["pending"]
        if pending:
            self.notify(
                tr(
                    "Pas encore d'export : {n} extrait(s) à valider. Faites valider (v) ou retenir (r) chacun par le groupe, ou V pour tout valider.",
                    "No export yet: {n} item(s) to validate. Have the group validate (v) or withhold (r) each one, or V to validate all.",
                    n=pending,
                ),
                severity="warning",
                timeout=8,
            )
            return

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                mark_validated(self.db, self.synthesis.id, when=_now_iso(self.app))
            except GrtError as e:
                self.notify(str(e), severity="warning")
                return
            self.reload(poles=())
            self._ask_path()

        self.app.push_screen(
            ConfirmDialog(
                tr("Le groupe a-t-il validé cette synthèse ?", "Has the group validated this synthesis?"),
                tr("Elle sera notée validée maintenant, puis exportée.", "It will be recorded as validated now, then exported."),
            ),
            answer,
        )

    def _ask_path(self) -> None:
        from ..export import list_exports
        from .synthesis_dialogs import ExportDialog, default_export_path

        earlier = list_exports(self.db, group_id=self.synthesis.group_id)
        folder = Path(earlier[0]["path"]).parent if earlier else None
        path = default_export_path(self.group.name, [x.date for x in self.sessions], folder)
        c = self.counts
        items = list_items(self.db, self.synthesis.id)
        withheld = {i.span for i in items if i.validation == "withheld"}
        leaving = len({i.span for i in items if i.validation == "validated" and i.span not in withheld})
        summary = Text()
        summary.append(self.synthesis.title, style="bold")
        summary.append(
            "\n"
            + tr(
                "{v} passage(s) validé(s) sortiront ; {w} retenu(s) et {d} écarté(s) restent dans le groupe. Les noms sont masqués comme dans la liste n.",
                "{v} validated passage(s) will leave; {w} withheld and {d} dropped stay in the group. Names are masked as listed under n.",
                v=leaving,
                w=c["withheld"],
                d=c["dropped"],
            ),
            style="dim",
        )

        def chosen(result: tuple[Path, bool] | None) -> None:
            if result is not None:
                self.start_export(*result)

        self.app.push_screen(ExportDialog(path, summary), chosen)

    def start_export(self, path: Path, force: bool = False) -> None:
        sid = self.synthesis.id
        self._set_job("export", tr("Export en cours…", "Exporting…"), total=3)

        def export() -> dict[str, Any]:
            from ..export import export_synthesis

            def progress(message: str) -> None:
                self.app.call_from_thread(self._progress, "export", message)

            with _NLP_LOCK:
                db = connect(db_file(self.db))
                try:
                    return export_synthesis(db, sid, path, force=force, nlp=self.nlp, progress=progress)
                finally:
                    db.close()

        self.run_worker(export, name="export", group="export", thread=True, exit_on_error=False)

    # --- names -----------------------------------------------------------------------------------

    def start_name_scan(self) -> None:
        """Look for people's names in what would leave (the French model, in a thread)."""
        if self._scanning:
            self._rescan = True  # the texts changed while a scan ran: look again when it ends
            return
        self._scanning, self._rescan = True, False
        self._set_job("names", tr("Recherche des noms à masquer…", "Looking for names to mask…"))
        if self._names_dialog is not None:
            self._names_dialog.set_scanning(True)
        sid = self.synthesis.id

        def scan() -> list[str]:
            with _NLP_LOCK:
                db = connect(db_file(self.db))
                try:
                    return scan_names(db, sid, nlp=self.nlp)
                finally:
                    db.close()

        self.run_worker(scan, name="names", group="names", thread=True, exit_on_error=False)

    def action_names(self) -> None:
        from .synthesis_names import NamesDialog

        def closed(_: Any) -> None:
            self._names_dialog = None
            self.refresh_masks()

        self._names_dialog = NamesDialog(self.db, self.synthesis.id, self.start_name_scan, scanning=self._scanning)
        self.app.push_screen(self._names_dialog, closed)

    # --- slow jobs -------------------------------------------------------------------------------

    def _set_job(self, name: str, message: str, total: float | None = None) -> None:
        self._jobs[name] = message
        bar = self.query_one("#synth-progress", ProgressBar)
        bar.update(total=total, progress=0)
        self._show_jobs()

    def _progress(self, name: str, message: str) -> None:
        if name in self._jobs:
            self._jobs[name] = message
            self.query_one("#synth-progress", ProgressBar).advance(1)
            self._show_jobs()

    def _end_job(self, name: str) -> None:
        self._jobs.pop(name, None)
        self._show_jobs()

    def _show_jobs(self) -> None:
        busy = self.query_one("#synth-busy")
        busy.set_class(bool(self._jobs), "-busy")
        if self._jobs:
            message = list(self._jobs.values())[-1]
            self.query_one("#synth-busy-text", Static).update(Text("⏳ " + message, style="bold"))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker, state = event.worker, event.state
        if state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        if worker.group == "names":
            self._names_done(worker, state)
        elif worker.group == "export":
            self._export_done(worker, state)

    def _names_done(self, worker: Worker, state: WorkerState) -> None:
        from ..anonymize import model_missing

        self._scanning = False
        self._end_job("names")
        if not self.is_attached:
            return
        if self._rescan:
            self.start_name_scan()
        self.refresh_masks()
        if self._names_dialog is not None:
            self._names_dialog.set_scanning(False)
        if state == WorkerState.ERROR:
            self.notify(tr("La recherche des noms a échoué : {e}", "The name search failed: {e}", e=worker.error), severity="error")
            return
        if self.nlp is None and model_missing():
            self.notify(
                tr(
                    "Le modèle français n'a pas pu être chargé : seuls les vrais noms des participants et les « M. / Mme X » sont masqués. Relisez les extraits (n pour ajouter un nom).",
                    "The French model could not be loaded: only participants' real names and 'Mr / Mrs X' are masked. Read the items again (n to add a name).",
                ),
                severity="warning",
                timeout=10,
            )
        new = worker.result or []
        if state == WorkerState.SUCCESS and new:
            self.notify(
                tr(
                    "{n} nom(s) trouvé(s) dans les textes, remplacé(s) par défaut : n pour vérifier.",
                    "{n} name(s) found in the texts, replaced by default: n to check.",
                    n=len(new),
                ),
                timeout=6,
            )

    def _export_done(self, worker: Worker, state: WorkerState) -> None:
        self._end_job("export")
        if not self.is_attached:
            return
        if state == WorkerState.ERROR:
            error = worker.error
            message = str(error) if isinstance(error, GrtError) else tr("L'export a échoué : {e}", "The export failed: {e}", e=error)
            self.notify(message, severity="error", timeout=12)
            return
        if state != WorkerState.SUCCESS:
            return
        entry = worker.result
        self.refresh_masks()
        self.notify(
            tr("Synthèse exportée ({n} extraits) : {p}", "Synthesis exported ({n} items): {p}", n=entry["items"], p=entry["path"]),
            title=tr("Export terminé", "Export done"),
            timeout=15,
        )
        if entry.get("new_names"):
            names = ", ".join(f"{a} → {b}" for a, b in entry["new_names"])
            self.notify(
                tr("Noms masqués par défaut pendant l'export : {l}. Vérifiez-les (n), puis réexportez si besoin.", "Names masked by default during the export: {l}. Check them (n), then export again if needed.", l=names),
                severity="warning",
                timeout=15,
            )
        if entry.get("model_missing"):
            self.notify(
                tr("Le modèle français manquait : seuls les vrais noms et les « M. / Mme X » ont été masqués.", "The French model was missing: only real names and 'Mr / Mrs X' were masked."),
                severity="warning",
                timeout=15,
            )

    # --- reading ---------------------------------------------------------------------------------

    def action_debates(self) -> None:
        from ..export import build_content
        from .synthesis_dialogs import ReadingDialog, debates_and_proposals

        content = build_content(self.db, self.synthesis.id, include_pending=not self.synthesis.validated)
        self.app.push_screen(ReadingDialog(tr("Débats et propositions, tels qu'ils sortiront", "Debates and proposals, as they will leave"), debates_and_proposals(content)))

    def action_export_log(self) -> None:
        from ..export import list_exports
        from ..sessions import list_sessions
        from .synthesis_dialogs import ReadingDialog, export_log_table

        rows = list_exports(self.db, group_id=self.synthesis.group_id)
        dates = {s["id"]: s["date"] for s in list_sessions(self.db, self.synthesis.group_id)}
        self.app.push_screen(ReadingDialog(tr("Journal des exports — {g}", "Export log — {g}", g=self.group.name), export_log_table(rows, dates)))

    # --- sessions --------------------------------------------------------------------------------

    def action_sessions(self) -> None:
        from .synthesis_dialogs import SessionsDialog

        current = list(self.synthesis.session_ids)

        def chosen(ids: list[int] | None) -> None:
            if not ids or sorted(ids) == sorted(current):
                return
            try:
                s = open_synthesis(self.db, ids)
            except GrtError as e:
                self.notify(str(e), severity="error")
                return
            self.synthesis_id = s.id
            self.reload()
            self._focus_first_pending()
            self.start_name_scan()
            self.notify(tr("{t} : {n} extrait(s).", "{t}: {n} item(s).", t=s.title, n=sum(v for k, v in self.counts.items() if k != "dropped")))

        anchor = self.session_id if self.session_id in current else current[-1]
        self.app.push_screen(SessionsDialog(self.db, self.synthesis.group_id, current, anchor), chosen)

    def action_back(self) -> None:
        if "export" in self._jobs:
            # Leaving would hide how the export ended (the file, or why it failed).
            self.notify(tr("Export en cours : un instant, le résultat va s'afficher.", "Export running: one moment, the result is coming."), timeout=3)
            return
        self.dismiss()

    # --- help and palette ------------------------------------------------------------------------

    def help_sections(self):
        return [
            (
                tr("Synthèse", "Synthesis"),
                [("↑ ↓", tr("Choisir un extrait", "Choose an item"))]
                # The second key of a pair (→, Maj+→, Maj+↓) and 1 2 3 are said with the first.
                + help_rows([k for k in SYNTHESIS_KEYS if k.keys not in ("right", "shift+right", "shift+down", "1", "2", "3")]),
            )
        ]

    def help_notes(self) -> list[str]:
        return [
            tr(
                "Les trois pôles sont pré-remplis d'après les codes posés sur les contributions ; les contributions hors compte rendu n'y figurent jamais.",
                "The three poles are pre-filled from the tags on the contributions; off-the-record contributions never appear.",
            ),
            tr(
                "Seuls les extraits validés (✓) sortent ; les extraits retenus (✗) et écartés (–) restent dans le groupe. Les citations sont montrées telles qu'elles sortiront, noms masqués (soulignés).",
                "Only validated items (✓) leave; withheld (✗) and dropped (–) items stay in the group. Quotes show as they will leave, with names masked (underlined).",
            ),
            tr(
                "Modifier une synthèse déjà validée la rouvre : le groupe devra la valider de nouveau avant l'export.",
                "Changing a validated synthesis reopens it: the group must validate it again before export.",
            ),
            tr(
                "Ctrl+P : « Titre de la synthèse » pour changer le titre de la première page.",
                "Ctrl+P: 'Title of the synthesis' to change the title of the first page.",
            ),
        ]

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            (tr("Valider l'extrait", "Validate the item"), "v", self.action_validate),
            (tr("Retenir l'extrait (ne sort pas)", "Withhold the item (does not leave)"), "r", self.action_withhold),
            (tr("Tout valider", "Validate all"), "V", self.action_validate_all),
            (tr("Écarter / reprendre l'extrait", "Drop / take back the item"), tr("Suppr", "Del"), self.action_drop),
            (tr("Déplacer vers le pôle de gauche", "Move to the pole on the left"), tr("Maj+←", "Shift+←"), lambda: self.action_move(-1)),
            (tr("Déplacer vers le pôle de droite", "Move to the pole on the right"), tr("Maj+→", "Shift+→"), lambda: self.action_move(1)),
            (tr("Écrire l'introduction", "Write the introduction"), "i", self.action_introduction),
            (tr("Écrire le texte du pôle", "Write the text of the pole"), "t", self.action_pole_text),
            (tr("Titre de la synthèse", "Title of the synthesis"), tr("Première page du document", "First page of the document"), self.action_title),
            (tr("Noms masqués", "Masked names"), "n", self.action_names),
            (tr("Chercher de nouveau les noms", "Search the names again"), tr("Modèle français", "French model"), self.start_name_scan),
            (tr("Débats et propositions", "Debates and proposals"), "d", self.action_debates),
            (tr("Le groupe a validé la synthèse", "The group validated the synthesis"), "g", self.action_mark_validated),
            (tr("Exporter en Word", "Export to Word"), "e", self.action_export),
            (tr("Journal des exports", "Export log"), "j", self.action_export_log),
            (tr("Choisir les séances de la synthèse", "Choose the sessions of the synthesis"), "s", self.action_sessions),
            (tr("Retour", "Back"), tr("Échap", "Esc"), self.action_back),
        ]
