"""The annotation screen (JOURNEYS §4): after the session, go through the assistant's suggestions.

Left (or top): the contribution, its tagged passages in code colours and the current suggestion's passage
underlined. Right (or bottom): the session's contributions, each followed by its suggestions with score and
why. One key each to accept, reject, change the code, move the passage's start or end by a word, go to the
next or previous pending suggestion, undo; accept all above a score in one contribution; a memo on a tagged
passage; a passage tagged by hand for what the assistant missed (as in the meeting screen).

Every decision is written at once (grt.nlp.service). The French model loads in its own thread and the
suggestions run in a worker: the screen is there and usable from the first moment.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace
from typing import Any, Callable

from rich.style import Style
from rich.text import Text
from sqlite_utils import Database
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from ..annotations import add_annotation, delete_annotation, get_annotation, list_annotations, update_annotation
from ..codebook import list_codes
from ..contributions import list_contributions
from ..db import connect, db_file
from ..errors import GrtError, NotFound
from ..groups import get_group, list_participants
from ..i18n import tr
from ..models import Annotation, Contribution
from ..nlp import service
from ..sessions import get_session
from ..widgets.contribution_list import WrappingOptionList
from ..widgets.highlight_area import HighlightTextArea
from ..widgets.keys import HELP_KEY, WIDE_FOOTER, Key, bind_keys, fit_footer, help_rows
from ..widgets.render import clock_time, code_style, off_record_badge, short_date, short_label, speaker_name
from .annotate_dialogs import AnnotationChooser, ThresholdForm, annotation_line, score_text
from .meeting import trim_span

# The passage of the suggestion being decided: underlined and bold over whatever colours are there.
CURRENT_STYLE = Style(underline=True, bold=True)
DEFAULT_THRESHOLD = 0.75
_WORD = re.compile(r"\w+")


# --- moving a passage's ends by a word ------------------------------------------------------------


def _words(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def move_start(text: str, start: int, end: int, step: int) -> int:
    """The passage's start one word earlier (step < 0) or later (step > 0); it keeps at least one word."""
    words = _words(text)
    if step < 0:
        before = [s for s, _ in words if s < start]
        return before[-1] if before else start
    inside = [s for s, e in words if s >= start and e <= end]
    return inside[1] if len(inside) >= 2 else start


def move_end(text: str, start: int, end: int, step: int) -> int:
    """The passage's end one word later (step > 0) or earlier (step < 0); it keeps at least one word."""
    words = _words(text)
    if step > 0:
        after = [e for _, e in words if e > end]
        return after[0] if after else end
    inside = [e for s, e in words if s >= start and e <= end]
    return inside[-2] if len(inside) >= 2 else end


def _one_line(text: str, n: int) -> str:
    words = " ".join((text or "").split())
    return words if len(words) <= n else words[: max(1, n - 1)] + "…"


# --- keys -------------------------------------------------------------------------------------------

ANNOTATE_KEYS = [
    HELP_KEY,
    Key("a", "accept", "Accepter", "Accept",
        help_fr="Accepter la suggestion : elle devient un passage codé (origine « suggestion »)",
        help_en="Accept the suggestion: it becomes a tagged passage (origin 'suggested')"),
    Key("r", "reject", "Refuser", "Reject",
        help_fr="Refuser la suggestion (l'indice qui l'a proposée perd du poids pour ce groupe)",
        help_en="Reject the suggestion (the cue that proposed it loses weight for this group)"),
    Key("s", "next_pending(1)", "Suivante", "Next",
        help_fr="Aller à la suggestion en attente suivante (↑ ↓ : un élément à la fois)",
        help_en="Go to the next pending suggestion (↑ ↓: one item at a time)"),
    Key("c", "change_code", "Code", "Code",
        help_fr="Changer le code (2 lettres puis Entrée) : la suggestion est acceptée avec ce code",
        help_en="Change the code (2 letters then Enter): the suggestion is accepted with that code"),
    Key("ctrl+z", "undo", "Annuler", "Undo", priority=True,
        help_fr="Annuler la dernière action (décision, code, passage modifié, mémo, codage à la main)",
        help_en="Undo the last action (decision, code, changed passage, memo, hand tagging)"),
    Key("m", "memo", "Mémo", "Memo",
        help_fr="Écrire un mémo sur un passage codé de la contribution", help_en="Write a memo on a tagged passage of the contribution"),
    Key("p", "next_pending(-1)", "Précédente", "Previous", show=False,
        help_fr="Revenir à la suggestion en attente précédente", help_en="Back to the previous pending suggestion"),
    Key("t", "accept_all", "Tout accepter", "Accept all", wide=True,
        help_fr="Accepter toutes les suggestions de la contribution à partir d'un score",
        help_en="Accept all the contribution's suggestions from a score up"),
    Key("ctrl+t", "tag", "Coder", "Tag", priority=True, wide=True,
        help_fr="Coder à la main ce que l'assistant n'a pas vu : Tab pour aller dans le texte, Maj+flèches pour sélectionner, puis Ctrl+T",
        help_en="Tag by hand what the assistant missed: Tab to go into the text, Shift+arrows to select, then Ctrl+T"),
    Key("i", "app.open_screen('codebook')", "Indices", "Cues", wide=True,
        help_fr="Les codes et leurs indices : précision dans ce groupe, désactiver un indice bruyant",
        help_en="Codes and their cues: precision in this group, switch a noisy cue off"),
    Key("escape", "back", "Retour", "Back", wide=True, help_fr="Revenir (depuis le texte : à la liste)", help_en="Go back (from the text: to the list)"),
]

# On the list itself: a list scrolls sideways with ← →, and the text area needs its arrows.
SPAN_KEYS = [
    Key("left", "screen.move_start(-1)", "Début", "Start", display="←→", wide=True,
        help_fr="Déplacer le début du passage d'un mot : ← l'élargit, → le rétrécit",
        help_en="Move the passage's start by a word: ← widens it, → narrows it"),
    Key("right", "screen.move_start(1)", "Début", "Start", show=False, in_help=False),
    Key("shift+right", "screen.move_end(1)", "Fin", "End", display="Maj+←→|Shift+←→", wide=True,
        help_fr="Déplacer la fin du passage d'un mot : Maj+→ l'élargit, Maj+← le rétrécit",
        help_en="Move the passage's end by a word: Shift+→ widens it, Shift+← narrows it"),
    Key("shift+left", "screen.move_end(-1)", "Fin", "End", show=False, in_help=False),
]


def list_keys() -> list[Key]:
    """The screen's keys on the list too, in footer order, with the passage keys after the main ones
    (a focused widget's keys come first in the footer)."""
    on_list = [replace(k, action=k.action if "." in k.action.split("(")[0] else f"screen.{k.action}") for k in ANNOTATE_KEYS]
    cut = next(i for i, k in enumerate(on_list) if k.action == "screen.memo") + 1
    return on_list[:cut] + SPAN_KEYS + on_list[cut:]


class PassageText(HighlightTextArea):
    """The contribution's text, read-only. Textual 8.2 may keep the wrapping of the width it had before a
    breakpoint change at start-up (45% of the screen, then all of it): wrap again once the size settled."""

    def on_resize(self) -> None:
        self.call_after_refresh(self._rewrap)

    def _rewrap(self) -> None:
        self._rewrap_and_refresh_virtual_size()
        self.refresh()


class ModelReady(Message):
    """The language model finished loading (posted from the loading thread)."""


class SuggestionList(WrappingOptionList):
    """The session's contributions, each followed by its suggestions; says when its width changes."""

    class Resized(Message):
        pass

    def on_resize(self) -> None:
        super().on_resize()
        self.post_message(self.Resized())


class AnnotateScreen(Screen):
    def __init__(self, db: Database, group_id: int | None = None, session_id: int | None = None) -> None:
        super().__init__()
        bind_keys(self, ANNOTATE_KEYS)
        self.db = db
        self.session = get_session(db, session_id)
        self.group = get_group(db, self.session.group_id)
        self.codes = {c.id: c for c in list_codes(db)}
        self.people = {p.id: p for p in list_participants(db, self.group.id)}
        self.contributions: list[Contribution] = []
        self.annotations: dict[int, list[Annotation]] = {}
        self.suggestions: dict[int, dict[str, Any]] = {}
        self.by_contribution: dict[int, list[int]] = {}
        # Passages moved by a word before the decision: kept here until the suggestion is accepted.
        self.spans: dict[int, tuple[int, int]] = {}
        # (what it was, how to take it back), newest last.
        self.undo_stack: list[tuple[str, Callable[[], int | None]]] = []
        self.busy: str | None = None
        self._shown: int | None = None
        self._width = 0
        self._fallback_said = False

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._title(), classes="topbar", id="annot-top")
        with Horizontal(id="annot-status-row"):
            yield Static("", id="annot-status")
            yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="annot-progress")
        with Horizontal(id="annot-main"):
            with Vertical(id="annot-left"):
                # No cursor-line highlight: it would paint over the code colours of the whole paragraph.
                yield PassageText("", id="annot-text", read_only=True)
                yield Static("", id="annot-tags")
            yield SuggestionList(id="annot-list")
        yield Footer(compact=True)

    def _title(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(tr("grt · Annotation · ", "grt · Annotation · "), style="bold")
        out.append(self.group.name, style="bold")
        out.append(" · " + tr("séance du {d}", "meeting of {d}", d=short_date(self.session.date)))
        return out

    def on_mount(self) -> None:
        self.app.group_id = self.group.id  # type: ignore[attr-defined]
        self.app.session_id = self.session.id  # type: ignore[attr-defined]
        lst = self.suggestion_list
        bind_keys(lst, list_keys())
        lst.border_title = tr("Contributions et suggestions", "Contributions and suggestions")
        self.text_area.border_title = tr("Contribution", "Contribution")
        self.reload()
        lst.focus()
        first = self._next_pending_index(-1, 1)
        lst.highlighted = first if first is not None else (0 if lst.option_count else None)
        self.show_current()
        if not any(s["status"] == "pending" for s in self.suggestions.values()) and self.contributions:
            self.start_suggestions()
        else:
            self.show_status()

    def on_screen_resume(self) -> None:
        self.app.group_id = self.group.id  # type: ignore[attr-defined]
        self.app.session_id = self.session.id  # type: ignore[attr-defined]

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE_FOOTER
        if getattr(self, "_footer_wide", None) != wide:
            bind_keys(self.suggestion_list, list_keys(), wide=wide)
        fit_footer(self, ANNOTATE_KEYS)
        self.suggestion_list.border_subtitle = "" if wide else tr("←→ début · Maj+←→ fin du passage", "←→ start · Shift+←→ end of the passage")

    def on_suggestion_list_resized(self, message: SuggestionList.Resized) -> None:
        # Each item is cut to one line per piece of information: redo them for the new width. The
        # widget's width, not its content's: whether a scrollbar shows yet must not change the cuts.
        width = self.suggestion_list.size.width
        if width > 0 and width != self._width:
            self._width = width
            self.rebuild_list()

    def _line_width(self) -> int:
        """Cells available on one line of the list (a scrollbar and the items' padding taken off)."""
        return max(30, (self._width or 78) - 4)

    @property
    def text_area(self) -> HighlightTextArea:
        return self.query_one("#annot-text", HighlightTextArea)

    @property
    def suggestion_list(self) -> OptionList:
        return self.query_one("#annot-list", OptionList)

    # --- data ------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the session (contributions, tags, suggestions) and redraw the list."""
        self.contributions = list_contributions(self.db, self.session.id)
        self.annotations = {}
        for a in list_annotations(self.db, session_id=self.session.id):
            self.annotations.setdefault(a.contribution_id, []).append(a)
        rows = service.list_suggestions(self.db, session_id=self.session.id)
        self.suggestions = {s["id"]: s for s in rows}
        self.by_contribution = {}
        for s in rows:
            self.by_contribution.setdefault(s["contribution_id"], []).append(s["id"])
        self.spans = {k: v for k, v in self.spans.items() if k in self.suggestions and self.suggestions[k]["status"] == "pending"}
        self.rebuild_list()

    def rebuild_list(self) -> None:
        lst = self.suggestion_list
        keep = lst.highlighted_option.id if lst.highlighted_option is not None else None
        options: list[Option] = []
        for number, c in enumerate(self.contributions, start=1):
            options.append(Option(self._contribution_prompt(c, number), id=f"c{c.id}"))
            for sid in self.by_contribution.get(c.id, []):
                options.append(Option(self._suggestion_prompt(self.suggestions[sid]), id=f"s{sid}"))
        lst.set_options(options)
        if not options:
            lst.add_option(Option(Text(tr("Cette séance n'a encore aucune contribution.", "This meeting has no contribution yet."), style="italic"), disabled=True))
            return
        if keep is not None:
            try:
                lst.highlighted = lst.get_option_index(keep)
            except Exception:  # the item is gone (a contribution deleted meanwhile)
                lst.highlighted = 0

    def _contribution_prompt(self, c: Contribution, number: int) -> Text:
        speaker = self.people.get(c.participant_id) if c.participant_id is not None else None
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(f"{number:>2}. ", style="bold")
        out.append(clock_time(c.created_at) + " ", style="dim")
        out.append(speaker_name(speaker), style="bold")
        if speaker is not None and speaker.authority:
            out.append(" ★", style="#e0b030")
        if c.off_record:
            out.append(" ")
            out.append_text(off_record_badge())
        pending = sum(1 for sid in self.by_contribution.get(c.id, []) if self.suggestions[sid]["status"] == "pending")
        tagged = len(self.annotations.get(c.id, []))
        facts = []
        if pending:
            facts.append(tr("{n} à décider", "{n} to decide", n=pending))
        if tagged:
            facts.append(tr("{n} codé(s)", "{n} tagged", n=tagged))
        if facts:
            out.append("  " + " · ".join(facts), style="dim")
        room = self._line_width() - out.cell_len - 6
        if room >= 12:
            out.append("  « " + _one_line(c.text, room) + " »", style="italic dim")
        return out

    def _suggestion_prompt(self, s: dict[str, Any]) -> Text:
        status = s["status"]
        start, end = self.spans.get(s["id"], (s["start"], s["end"]))
        code_id = s["code"]
        annotation = self._annotation_of(s)
        if annotation is not None:
            code_id, start, end = annotation.code, annotation.start, annotation.end
        code = self.codes.get(code_id)
        out = Text()
        mark, mark_style = {"pending": ("•", "bold"), "accepted": ("✓", "bold green"), "rejected": ("✗", "bold red")}[status]
        out.append(f"   {mark} ", style=mark_style)
        label = f" {short_label(code) if code else code_id} "
        out.append(label, style=code_style(code.color) if code else "reverse")
        score_style = "bold" if s["score"] >= DEFAULT_THRESHOLD else ""
        out.append(f" {score_text(s['score'])}", style=score_style)
        if status == "accepted":
            out.append(tr(" acceptée", " accepted"), style="green")
            if annotation is not None and annotation.code != s["code"]:
                original = self.codes.get(s["code"])
                out.append(tr(" (proposé : {c})", " (proposed: {c})", c=short_label(original) if original else s["code"]), style="dim")
            if annotation is not None and annotation.memo.strip():
                out.append(" ✎", style="bold")
        elif status == "rejected":
            out.append(tr(" refusée", " rejected"), style="red")
        elif s["id"] in self.spans:
            out.append(tr(" passage modifié", " passage changed"), style="italic")
        attrs = s.get("attributes") or {}
        if attrs.get("destination"):
            out.append(" → " + {"organisateurs": tr("organisateurs", "management"), "praticable": tr("praticable", "practicable")}.get(attrs["destination"], attrs["destination"]), style="dim")
        c = self._contribution(s["contribution_id"])
        quote = c.text[start:end] if c is not None else s["quote"]
        room = self._line_width() - out.cell_len - 6
        if room >= 12:
            out.append(f"  « {_one_line(quote, room)} »", style="italic" if status != "rejected" else "italic dim strike")
        # The why under the chip, indented on every line it takes.
        indent = " " * 6
        lines = textwrap.wrap(s["why"], width=max(20, self._line_width() - len(indent))) or [""]
        out.append("\n" + "\n".join(indent + line for line in lines), style="dim" if status != "pending" else "")
        return out

    def _contribution(self, cid: int) -> Contribution | None:
        return next((c for c in self.contributions if c.id == cid), None)

    def _annotation_of(self, s: dict[str, Any]) -> Annotation | None:
        if s["status"] != "accepted" or not s.get("annotation_id"):
            return None
        return next((a for a in self.annotations.get(s["contribution_id"], []) if a.id == s["annotation_id"]), None)

    # --- what is highlighted -----------------------------------------------------------------------

    def current(self) -> tuple[Contribution | None, dict[str, Any] | None]:
        option = self.suggestion_list.highlighted_option
        if option is None or option.id is None:
            return None, None
        kind, number = option.id[0], int(option.id[1:])
        if kind == "s" and number in self.suggestions:
            s = self.suggestions[number]
            return self._contribution(s["contribution_id"]), s
        return self._contribution(number), None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "annot-list":
            self.show_current()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # Enter on a contribution goes into its text (to tag by hand); on a suggestion, nothing by reflex.
        if event.option_list.id == "annot-list":
            event.stop()
            c, s = self.current()
            if c is not None and s is None:
                self.text_area.focus()
            elif s is not None and s["status"] == "pending":
                self.notify(tr("a : accepter · r : refuser · c : autre code", "a: accept · r: reject · c: another code"), timeout=3)

    def show_current(self) -> None:
        """The highlighted item's contribution in the text area, its tags coloured, the passage underlined."""
        c, s = self.current()
        area = self.text_area
        if c is None:
            area.load_text("")
            area.set_spans([])
            self._shown = None
            self.query_one("#annot-tags", Static).update("")
            return
        if self._shown != c.id or area.text != c.text:
            area.load_text(c.text)
            self._shown = c.id
        spans = [(a.start, a.end, code_style(self.codes[a.code].color)) for a in self.annotations.get(c.id, []) if a.code in self.codes]
        span = self.passage(s) if s is not None else None
        if span is not None:
            spans.append((span[0], span[1], Style(strike=True, dim=True) if s["status"] == "rejected" else CURRENT_STYLE))
        area.set_spans(spans)
        if span is not None and not area.has_focus:
            doc = area.document
            area.move_cursor(doc.get_location_from_index(span[0]), center=True)
        area.border_title = self._text_title(c)
        area.set_class(c.off_record, "-off-record")
        self._subtitle()
        self.show_tags(c)
        self.show_status()

    def passage(self, s: dict[str, Any]) -> tuple[int, int] | None:
        annotation = self._annotation_of(s)
        if annotation is not None:
            return annotation.start, annotation.end
        return self.spans.get(s["id"], (s["start"], s["end"]))

    def _text_title(self, c: Contribution) -> str:
        from textual.markup import escape

        speaker = self.people.get(c.participant_id) if c.participant_id is not None else None
        number = next((i for i, x in enumerate(self.contributions, start=1) if x.id == c.id), 0)
        title = f"[b]{number}/{len(self.contributions)} · {escape(speaker_name(speaker))}[/b]"
        if speaker is not None and speaker.role:
            title += f" — {escape(speaker.role)}"
        title += f" · {clock_time(c.created_at)}"
        if c.off_record:
            title += " [b reverse]" + tr(" HORS COMPTE RENDU ", " OFF THE RECORD ") + "[/]"
        return title

    def show_tags(self, c: Contribution) -> None:
        tags = self.annotations.get(c.id, [])
        box = self.query_one("#annot-tags", Static)
        box.border_title = tr("Passages codés ({n})", "Tagged passages ({n})", n=len(tags))
        if not tags:
            box.update(Text(tr("Aucun passage codé pour l'instant.", "No tagged passage yet."), style="dim italic"))
            return
        out = Text()
        for a in tags:
            if out:
                out.append("\n")
            out.append_text(annotation_line(a, self.codes, 400))
        box.update(out)

    def show_status(self) -> None:
        status = self.query_one("#annot-status", Static)
        self.query_one("#annot-progress").display = self.busy is not None
        if self.busy is not None:
            status.update(Text("⏳ " + self.busy, style="bold"))
            return
        rows = list(self.suggestions.values())
        pending = sum(1 for s in rows if s["status"] == "pending")
        accepted = sum(1 for s in rows if s["status"] == "accepted")
        rejected = len(rows) - pending - accepted
        out = Text(no_wrap=True, overflow="ellipsis")
        if not rows:
            out.append(tr("Aucune suggestion pour cette séance.", "No suggestion for this meeting."), style="italic")
        else:
            out.append(tr("{n} à décider", "{n} to decide", n=pending), style="bold")
            out.append(tr(" · {a} acceptée(s) · {r} refusée(s)", " · {a} accepted · {r} rejected", a=accepted, r=rejected))
        engine = _engine_if_loaded()
        if engine is not None and engine.fallback:
            out.append(tr(" · règles de surface (sans modèle de langue)", " · surface rules (no language model)"), style="#e0b030")
        status.update(out)

    # --- suggestions in the background -------------------------------------------------------------

    def start_suggestions(self) -> None:
        """Load the model (its own thread, once for the whole app) then run the suggestions (a worker)."""
        from ..nlp.engine import get_engine

        if self.busy is not None:
            return
        engine = get_engine()
        if not engine.is_loaded:
            self.busy = tr(
                "Modèle de langue en cours de chargement… (vous pouvez déjà parcourir et coder à la main)",
                "Language model loading… (you can already browse and tag by hand)",
            )
        else:
            self.busy = tr("Recherche de suggestions…", "Looking for suggestions…")
        self.show_status()
        engine.load_async(lambda _engine: self.post_message(ModelReady()))

    def on_model_ready(self, message: ModelReady) -> None:
        from ..nlp.engine import get_engine

        engine = get_engine()
        if engine.load_error or not engine.is_loaded:
            self.busy = None
            self.show_status()
            self.notify(
                tr("Le modèle de langue n'a pas pu être chargé : {e}", "The language model could not be loaded: {e}", e=engine.load_error or "?"),
                severity="error",
                timeout=12,
            )
            return
        if engine.fallback and engine.warning and not self._fallback_said:
            self._fallback_said = True
            self.notify(engine.warning, title=tr("Suggestions moins précises", "Less precise suggestions"), severity="warning", timeout=12)
        self.busy = tr("Recherche de suggestions dans {n} contribution(s)…", "Looking for suggestions in {n} contribution(s)…", n=len(self.contributions))
        self.show_status()
        session_id = self.session.id

        def run() -> int:
            db, own = self._thread_db()
            try:
                return len(service.annotate_session(db, session_id, engine=engine))
            finally:
                if own:
                    db.conn.close()

        self.run_worker(run, name="suggest", group="annotate-suggest", thread=True, exit_on_error=False)

    def _thread_db(self) -> tuple[Database, bool]:
        """A connection of the worker's own (True: close it after), or the screen's for an in-memory base."""
        path = db_file(self.db)
        if not str(path) or str(path) == ".":
            return self.db, False
        return connect(path), True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "annotate-suggest" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.busy = None
        if not self.is_attached:
            return
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            message = str(error) if isinstance(error, GrtError) else tr("La recherche de suggestions a échoué : {e}", "Looking for suggestions failed: {e}", e=error)
            self.notify(message, severity="error", timeout=12)
            self.show_status()
            return
        new = event.worker.result or 0
        had_pending = any(s["status"] == "pending" for s in self.suggestions.values())
        self.reload()
        if not had_pending:
            first = self._next_pending_index(-1, 1)
            if first is not None:
                self.suggestion_list.highlighted = first
        self.show_current()
        if event.state == WorkerState.SUCCESS:
            self.notify(
                tr("{n} nouvelle(s) suggestion(s).", "{n} new suggestion(s).", n=new) if new else tr("Aucune nouvelle suggestion.", "No new suggestion."),
                timeout=4,
            )

    # --- moving ------------------------------------------------------------------------------------

    def _next_pending_index(self, index: int, step: int) -> int | None:
        lst = self.suggestion_list
        i = index + step
        while 0 <= i < lst.option_count:
            oid = lst.get_option_at_index(i).id or ""
            if oid.startswith("s") and self.suggestions.get(int(oid[1:]), {}).get("status") == "pending":
                return i
            i += step
        return None

    def action_next_pending(self, step: int) -> None:
        lst = self.suggestion_list
        index = self._next_pending_index(lst.highlighted if lst.highlighted is not None else -1, step)
        if index is None:
            left = sum(1 for s in self.suggestions.values() if s["status"] == "pending")
            if not self.suggestions:
                self.notify(tr("Aucune suggestion dans cette séance.", "No suggestion in this meeting."), timeout=3)
            elif not left:
                self.notify(tr("Toutes les suggestions sont décidées.", "Every suggestion is decided."), timeout=3)
            else:
                self.notify(
                    tr("Plus rien à décider après celle-ci (s) : {n} en attente plus haut (p)." if step > 0 else "Plus rien à décider avant celle-ci : {n} en attente plus bas (s).",
                       "Nothing more to decide after this one: {n} pending above (p)." if step > 0 else "Nothing to decide before this one: {n} pending below (s).", n=left),
                    timeout=3,
                )
            return
        lst.highlighted = index

    def _advance(self) -> None:
        """After a decision: on to the next pending suggestion, or stay if there is none after."""
        lst = self.suggestion_list
        index = self._next_pending_index(lst.highlighted if lst.highlighted is not None else -1, 1)
        if index is not None:
            lst.highlighted = index
        elif not any(s["status"] == "pending" for s in self.suggestions.values()):
            self.notify(tr("Toutes les suggestions de la séance sont décidées.", "Every suggestion of the meeting is decided."), timeout=4)

    def _need_suggestion(self) -> dict[str, Any] | None:
        _, s = self.current()
        if s is None and self.busy is not None:
            self.notify(tr("Les suggestions arrivent dans un instant (voir la ligne du haut).", "Suggestions are on their way (see the top line)."), timeout=3)
        elif s is None and not self.suggestions:
            self.notify(tr("Aucune suggestion dans cette séance.", "No suggestion in this meeting."), timeout=3)
        elif s is None:
            self.notify(tr("Choisissez une suggestion (s : la suivante).", "Choose a suggestion (s: the next one)."), severity="warning", timeout=3)
        return s

    # --- decisions -----------------------------------------------------------------------------------

    def _snapshot(self, sid: int) -> tuple[int, str, str, int, int, str]:
        """What a suggestion's decision is now, to put it back on undo."""
        s = service.get_suggestion(self.db, sid)
        code, start, end, memo = s["code"], s["start"], s["end"], ""
        if s["status"] == "accepted" and s.get("annotation_id"):
            try:
                a = get_annotation(self.db, s["annotation_id"])
                code, start, end, memo = a.code, a.start, a.end, a.memo
            except NotFound:
                pass
        return sid, s["status"], code, start, end, memo

    def _restore(self, snapshot: tuple[int, str, str, int, int, str]) -> int:
        sid, status, code, start, end, memo = snapshot
        service.undo_decision(self.db, sid)
        if status == "accepted":
            service.accept_suggestion(self.db, sid, code=code, start=start, end=end, memo=memo)
        elif status == "rejected":
            service.reject_suggestion(self.db, sid)
        return sid

    def _decide(self, label: str, sids: list[int], do: Callable[[int], Any], advance: bool = True) -> None:
        """Run a decision on suggestions, keep how to undo it, redraw."""
        snapshots = [self._snapshot(sid) for sid in sids]
        done: list[tuple[int, str, str, int, int, str]] = []
        try:
            for snap in snapshots:
                do(snap[0])
                done.append(snap)
        except GrtError as e:
            self.notify(str(e), severity="error")
        if done:

            def undo() -> int:
                for snap in reversed(done):
                    self._restore(snap)
                return done[0][0]

            self.undo_stack.append((label, undo))
        for sid in sids:
            self.spans.pop(sid, None)
        self.reload()
        if advance and done:
            self._advance()
        self.show_current()

    def action_accept(self) -> None:
        s = self._need_suggestion()
        if s is None:
            return
        if s["status"] != "pending":
            self._already(s)
            return
        start, end = self.passage(s)
        self._decide(tr("acceptation", "acceptance"), [s["id"]], lambda sid: service.accept_suggestion(self.db, sid, start=start, end=end))

    def action_reject(self) -> None:
        s = self._need_suggestion()
        if s is None:
            return
        if s["status"] != "pending":
            self._already(s)
            return
        self._decide(tr("refus", "rejection"), [s["id"]], lambda sid: service.reject_suggestion(self.db, sid))

    def _already(self, s: dict[str, Any]) -> None:
        word = tr("acceptée", "accepted") if s["status"] == "accepted" else tr("refusée", "rejected")
        self.notify(
            tr("Suggestion déjà {w} : Ctrl+Z pour revenir dessus, c pour changer le code.", "Suggestion already {w}: Ctrl+Z to take it back, c to change the code.", w=word),
            timeout=3,
        )

    def action_change_code(self) -> None:
        from .tag_picker import TagPicker, remember_code

        s = self._need_suggestion()
        if s is None:
            return
        c = self._contribution(s["contribution_id"])
        start, end = self.passage(s)
        memo = ""
        annotation = self._annotation_of(s)
        if annotation is not None:
            memo = annotation.memo

        def chosen(code: str | None) -> None:
            self.suggestion_list.focus()
            if not code:
                return
            remember_code(self.db, code)

            def do(sid: int) -> None:
                if self.suggestions[sid]["status"] != "pending":
                    service.undo_decision(self.db, sid)
                service.accept_suggestion(self.db, sid, code=code, start=start, end=end, memo=memo)

            self._decide(tr("changement de code", "code change"), [s["id"]], do)

        self.app.push_screen(TagPicker(self.db, c.text[start:end] if c else s["quote"]), chosen)

    def action_accept_all(self) -> None:
        c, _ = self.current()
        if c is None:
            return
        pending = [self.suggestions[sid] for sid in self.by_contribution.get(c.id, []) if self.suggestions[sid]["status"] == "pending"]
        if not pending:
            self.notify(tr("Rien à décider dans cette contribution.", "Nothing to decide in this contribution."), timeout=3)
            return

        def chosen(threshold: float | None) -> None:
            self.suggestion_list.focus()
            if threshold is None:
                return
            chosen_ids = [s["id"] for s in pending if s["score"] >= threshold - 1e-9]
            if not chosen_ids:
                self.notify(tr("Aucune suggestion à partir de ce score.", "No suggestion from that score up."), timeout=3)
                return
            spans = {s["id"]: self.passage(s) for s in pending}
            self._decide(
                tr("acceptation groupée", "bulk acceptance"),
                chosen_ids,
                lambda sid: service.accept_suggestion(self.db, sid, start=spans[sid][0], end=spans[sid][1]),
            )
            self.notify(tr("{n} suggestion(s) acceptée(s).", "{n} suggestion(s) accepted.", n=len(chosen_ids)), timeout=3)

        scores = [s["score"] for s in pending]
        # Proposed: the usual threshold, or the best score here when none reaches it (never "0 accepted").
        default = DEFAULT_THRESHOLD if max(scores) >= DEFAULT_THRESHOLD else max(scores)
        self.app.push_screen(ThresholdForm(scores, default), chosen)

    # --- the passage of a suggestion -----------------------------------------------------------------

    def action_move_start(self, step: int) -> None:
        self._move(lambda text, s, e: (move_start(text, s, e, step), e))

    def action_move_end(self, step: int) -> None:
        self._move(lambda text, s, e: (s, move_end(text, s, e, step)))

    def _move(self, how: Callable[[str, int, int], tuple[int, int]]) -> None:
        s = self._need_suggestion()
        if s is None:
            return
        c = self._contribution(s["contribution_id"])
        if c is None:
            return
        if s["status"] == "rejected":
            self._already(s)
            return
        start, end = self.passage(s)
        new = how(c.text, start, end)
        new = trim_span(c.text, *new)
        if new == (start, end) or new[0] >= new[1]:
            return
        annotation = self._annotation_of(s)
        if annotation is None:
            self.spans[s["id"]] = new
        else:
            # Already a tagged passage: the change is written at once, and can be undone.
            old = (annotation.start, annotation.end)
            try:
                update_annotation(self.db, annotation.id, start=new[0], end=new[1])
            except GrtError as e:
                self.notify(str(e), severity="error")
                return

            def undo() -> int:
                update_annotation(self.db, annotation.id, start=old[0], end=old[1])
                return s["id"]

            self.undo_stack.append((tr("passage modifié", "changed passage"), undo))
            self.reload()
        self._redraw(s["id"])

    def _redraw(self, sid: int) -> None:
        lst = self.suggestion_list
        if sid in self.suggestions:
            lst.replace_option_prompt(f"s{sid}", self._suggestion_prompt(self.suggestions[sid]))
        self.show_current()

    # --- tagging by hand, memos ------------------------------------------------------------------------

    def action_tag(self) -> None:
        from .tag_picker import TagPicker, remember_code

        c, _ = self.current()
        area = self.text_area
        if c is None:
            return
        span = area.selection_offsets()
        if span is not None:
            span = trim_span(area.text, *span)
        if span is None or span[0] >= span[1]:
            area.focus()
            self.notify(
                tr("Sélectionnez le passage dans le texte : Maj+flèches (Ctrl+Maj+flèches mot par mot), puis Ctrl+T.",
                   "Select the passage in the text: Shift+arrows (Ctrl+Shift+arrows word by word), then Ctrl+T."),
                severity="warning",
                timeout=5,
            )
            return
        start, end = span

        def chosen(code: str | None) -> None:
            area.focus()
            if not code:
                return
            try:
                a = add_annotation(self.db, c.id, code, start, end)
            except GrtError as e:
                self.notify(str(e), severity="error")
                return
            remember_code(self.db, code)
            self.undo_stack.append((tr("codage à la main", "hand tagging"), lambda: delete_annotation(self.db, a.id)))
            area.move_cursor(area.selection.end)
            self.reload()
            self.show_current()
            self.notify(tr("Codé : {c}", "Tagged: {c}", c=short_label(self.codes[code])), timeout=2)

        self.app.push_screen(TagPicker(self.db, c.text[start:end]), chosen)

    def action_memo(self) -> None:
        c, s = self.current()
        if c is None:
            return
        tags = self.annotations.get(c.id, [])
        if not tags:
            self.notify(
                tr("Aucun passage codé dans cette contribution : acceptez une suggestion (a) ou codez un passage à la main (Ctrl+T).",
                   "No tagged passage in this contribution: accept a suggestion (a) or tag a passage by hand (Ctrl+T)."),
                severity="warning",
                timeout=5,
            )
            return
        target = self._annotation_of(s) if s is not None else None
        if target is None and self.text_area.has_focus:
            cursor = self.text_area.document.get_index_from_location(self.text_area.cursor_location)
            target = next((a for a in tags if a.start <= cursor < a.end), None)
        if target is None and len(tags) == 1:
            target = tags[0]
        if target is not None:
            self._write_memo(target)
            return

        def chosen(annotation_id: int | None) -> None:
            if annotation_id is not None:
                self._write_memo(next(a for a in tags if a.id == annotation_id))

        self.app.push_screen(AnnotationChooser(tr("Mémo : sur quel passage ?", "Memo: on which passage?"), tags, self.codes), chosen)

    def _write_memo(self, a: Annotation) -> None:
        from .synthesis_dialogs import TextEditorDialog

        code = self.codes.get(a.code)
        explanation = tr("Sur « {q} » ({c}). Votre réflexion, une question, un lien avec une autre séance…", "On '{q}' ({c}). Your thoughts, a question, a link with another meeting…", q=_one_line(a.quote, 120), c=short_label(code) if code else a.code)

        def done(text: str | None) -> None:
            self.suggestion_list.focus()
            if text is None or text.strip() == a.memo.strip():
                return
            old = a.memo
            try:
                update_annotation(self.db, a.id, memo=text.strip())
            except GrtError as e:
                self.notify(str(e), severity="error")
                return

            def undo() -> None:
                update_annotation(self.db, a.id, memo=old)

            self.undo_stack.append((tr("mémo", "memo"), undo))
            self.reload()
            self.show_current()
            self.notify(tr("Mémo enregistré.", "Memo saved."), timeout=2)

        self.app.push_screen(TextEditorDialog(tr("Mémo", "Memo"), explanation, a.memo), done)

    # --- undo, back ------------------------------------------------------------------------------------

    def action_undo(self) -> None:
        if not self.undo_stack:
            _, s = self.current()
            if s is not None and s["status"] != "pending":
                # Nothing done in this visit: take back the decision under the cursor.
                service.undo_decision(self.db, s["id"])
                self.reload()
                self.show_current()
                self.notify(tr("Décision annulée : la suggestion est de nouveau à décider.", "Decision undone: the suggestion is to decide again."), timeout=3)
                return
            self.notify(tr("Rien à annuler.", "Nothing to undo."), timeout=2)
            return
        label, undo = self.undo_stack.pop()
        try:
            sid = undo()
        except GrtError as e:
            self.notify(str(e), severity="error")
            return
        self.reload()
        if sid is not None and sid in self.suggestions:
            self.suggestion_list.highlighted = self.suggestion_list.get_option_index(f"s{sid}")
        self.show_current()
        self.notify(tr("Annulé : {what}", "Undone: {what}", what=label), timeout=2)

    def action_back(self) -> None:
        if self.text_area.has_focus:
            self.suggestion_list.focus()
            return
        self.dismiss()

    def on_descendant_focus(self, event) -> None:
        self.call_after_refresh(self._subtitle)

    def on_descendant_blur(self, event) -> None:
        self.call_after_refresh(self._subtitle)

    def _subtitle(self) -> None:
        area = self.text_area
        area.border_subtitle = tr("Maj+flèches puis Ctrl+T · Échap : la liste", "Shift+arrows then Ctrl+T · Esc: the list") if area.has_focus else tr("Tab : coder à la main", "Tab: tag by hand")

    # --- more, from the palette --------------------------------------------------------------------------

    def action_rerun(self) -> None:
        if self.busy is not None:
            self.notify(tr("Les suggestions sont déjà en cours.", "Suggestions are already running."), timeout=3)
            return
        self.start_suggestions()

    def action_disable_cue(self) -> None:
        from .forms import ConfirmDialog

        s = self._need_suggestion()
        if s is None or not s.get("cue"):
            return
        cue = s["cue"]

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                service.set_cue_enabled(self.db, cue, False)
            except GrtError as e:
                self.notify(str(e), severity="error")
                return
            self.notify(tr("Indice désactivé : il ne proposera plus rien (touche i pour le réactiver).", "Cue switched off: it will propose nothing more (key i to switch it back on)."), timeout=5)

        self.app.push_screen(
            ConfirmDialog(
                tr("Ne plus jamais proposer cet indice, dans aucun groupe ?", "Never propose this cue again, in any group?"),
                s["why"],
            ),
            done,
        )

    def help_sections(self):
        return [
            (
                tr("Décider des suggestions", "Deciding suggestions"),
                [("↑ ↓", tr("Parcourir les contributions et leurs suggestions", "Browse the contributions and their suggestions"))]
                + help_rows([k for k in ANNOTATE_KEYS if k.action in ("accept", "reject", "next_pending(1)", "next_pending(-1)", "change_code", "accept_all", "undo")])
                + help_rows(SPAN_KEYS),
            ),
            (
                tr("Coder, écrire", "Tagging, writing"),
                [
                    ("Tab", tr("Aller dans le texte de la contribution (et revenir)", "Go into the contribution's text (and back)")),
                    (tr("Maj+flèches", "Shift+arrows"), tr("Dans le texte : sélectionner un passage (Ctrl+Maj+flèches mot par mot)", "In the text: select a passage (Ctrl+Shift+arrows word by word)")),
                ]
                + help_rows([k for k in ANNOTATE_KEYS if k.action in ("tag", "memo", "app.open_screen('codebook')", "back")]),
            ),
        ]

    def help_notes(self) -> list[str]:
        return [
            tr(
                "Chaque décision est enregistrée aussitôt. Une suggestion acceptée devient un passage codé (origine « suggestion ») ; "
                "avec un autre code, elle compte comme une erreur de l'indice. Les indices souvent refusés perdent du poids pour ce groupe.",
                "Every decision is saved at once. An accepted suggestion becomes a tagged passage (origin 'suggested'); "
                "with another code it counts as a mistake of the cue. Cues often rejected lose weight for this group.",
            ),
            tr(
                "Le passage souligné est celui de la suggestion. Les contributions hors compte rendu sont annotées comme les autres "
                "(elles restent dans le groupe) mais ne sortent jamais : elles portent la marque HORS COMPTE RENDU.",
                "The underlined passage is the suggestion's. Off-the-record contributions are annotated like the others "
                "(they stay in the group) but never leave it: they carry the OFF THE RECORD mark.",
            ),
            tr(
                "Le modèle de langue se charge en arrière-plan à la première ouverture (quelques secondes) : l'écran reste utilisable.",
                "The language model loads in the background the first time (a few seconds): the screen stays usable.",
            ),
        ]

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            (tr("Accepter la suggestion", "Accept the suggestion"), "a", self.action_accept),
            (tr("Refuser la suggestion", "Reject the suggestion"), "r", self.action_reject),
            (tr("Changer le code de la suggestion", "Change the suggestion's code"), "c", self.action_change_code),
            (tr("Tout accepter dans la contribution", "Accept all in the contribution"), tr("t : à partir d'un score", "t: from a score up"), self.action_accept_all),
            (tr("Écrire un mémo", "Write a memo"), "m", self.action_memo),
            (tr("Coder un passage à la main", "Tag a passage by hand"), "Ctrl+T", self.action_tag),
            (tr("Annuler la dernière action", "Undo the last action"), "Ctrl+Z", self.action_undo),
            (tr("Relancer les suggestions sur la séance", "Run the suggestions over the meeting again"), tr("Pour les contributions ajoutées depuis", "For contributions added since"), self.action_rerun),
            (tr("Ne plus proposer l'indice de cette suggestion", "Never propose this suggestion's cue again"), tr("Pour tous les groupes", "For every group"), self.action_disable_cue),
        ]


def _engine_if_loaded():
    """The process-wide engine if it is loaded (never starts loading it)."""
    from ..nlp.engine import get_engine

    engine = get_engine()
    return engine if engine.is_loaded else None
