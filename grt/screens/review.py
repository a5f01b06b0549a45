"""Review of a group over all its sessions (JOURNEYS §6).

Left: full-text search (accents and case do not matter, "phrases" and prefix*), filters by code, speaker's
role, session and dates; hits in context with the words found highlighted; off-record contributions marked.
Right (or in place of the search on a narrow terminal): codes over sessions as a chart and a table,
codes found together, the timeline of debates and proposals, which proposals were answered and which wait.

Nothing here runs a query on the interface's thread: the data loads in a worker when the screen opens
(with a progress bar) and every search runs in a worker, with its own connection, so typing never waits.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text
from sqlite_utils import Database
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, OptionList, ProgressBar, Select, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from ..codebook import list_codes
from ..db import connect, db_file
from ..errors import GrtError
from ..groups import get_group
from ..i18n import language, tr
from ..review import code_counts, codes_over_sessions, cooccurrence, group_roles, group_sessions, review_search, timeline
from ..widgets.keys import HELP_KEY, Key, bind_keys, fit_footer, help_rows
from ..widgets.render import code_style, off_record_badge, short_date, short_label
from .forms import parse_date

# Seconds between the last keystroke in the search box and the search (each keystroke restarts it).
SEARCH_DELAY = 0.25
LIMIT = 100
HIT_STYLE = "bold black on #f0c040"
SIDE_TABS = ("tab-codes", "tab-cooc", "tab-timeline", "tab-answers")
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def _one_line(text: str, n: int) -> str:
    words = " ".join((text or "").split())
    return words if len(words) <= n else words[: n - 1] + "…"


def day_month(iso: str) -> str:
    return short_date(iso)[:5] if language() == "fr" else (iso or "")[5:]


def in_context(text: str, spans: list[tuple[int, int]], width: int) -> Text:
    """About `width` characters of text around the first hit, every hit in the window highlighted."""
    flat = text.replace("\n", " ")  # same length: the offsets still hold
    if len(flat) <= width:
        start, end = 0, len(flat)
    else:
        first = spans[0][0] if spans else 0
        start = max(0, first - width // 3)
        if start:
            space = flat.rfind(" ", 0, start + 1)
            start = space + 1 if space >= 0 and start - space < 20 else start
        end = min(len(flat), start + width)
        if end < len(flat):
            space = flat.rfind(" ", start, end)
            end = space if space > start + width // 2 else end
    out = Text("…" if start else "")
    shift = len(out) - start
    out.append(flat[start:end])
    if end < len(flat):
        out.append("…")
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s < e:
            out.stylize(HIT_STYLE, s + shift, e + shift)
    return out


def hbar(value: int, top: int, cells: int) -> str:
    """A horizontal bar of up to `cells` characters, in eighths."""
    if top <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / top * cells * 8))
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def column_lines(values: list[int], height: int, bar: int, gap: int) -> list[str]:
    """Vertical bars (top line first), `bar` characters wide, `gap` spaces apart."""
    from ..review import column_chart

    lines = column_chart(values, height=height, width=bar, zero=" ")
    return [(" " * gap).join(line[i * bar : (i + 1) * bar] for i in range(len(values))) for line in lines]


# --- what the right-hand side shows ----------------------------------------------------------


def render_codes(data: dict[str, Any], focus: str | None, width: int) -> RichGroup:
    """Codes over sessions: a column chart (the chosen code, or all tags), then one line per code."""
    counts = data["counts"]
    sessions = counts["sessions"]
    parts: list[Any] = []
    if not sessions:
        return RichGroup(Text(tr("Aucune session dans ce groupe.", "No session in this group."), style="italic"))
    if focus and focus in counts["counts"]:
        values = counts["counts"][focus]
        title = tr("Passages codés « {c} », par session", "Passages tagged '{c}', per session", c=counts["labels"][focus])
        color = counts["colors"].get(focus, "#888888")
    else:
        values = counts["session_totals"]
        title = tr("Tous les passages codés, par session", "All tagged passages, per session")
        color = "#5fafd7"
    parts.append(Text(title, style="bold"))
    n = len(values)
    slot = max(1, min(7, (width - 6) // max(1, n)))
    bar, gap = (slot - 1, 1) if slot >= 3 else (slot, 0)
    top = max(values, default=0)
    height = 6
    lines = column_lines(values, height, bar, gap)
    chart = Text()
    for i, line in enumerate(lines):
        axis = f"{top:>4} ┤" if i == 0 else "     │"
        chart.append(axis, style="dim")
        chart.append(line.rstrip() + "\n", style=color)
    chart.append("   0 └" + "─" * (n * slot), style="dim")
    if slot >= 6:
        chart.append("\n      " + "".join(day_month(s["date"]).ljust(slot) for s in sessions), style="dim")
        chart.append("\n      " + "".join(str(v).ljust(slot) for v in values))
    else:
        chart.append("\n      " + tr("{a} → {b} ({n} sessions)", "{a} → {b} ({n} sessions)", a=short_date(sessions[0]["date"]), b=short_date(sessions[-1]["date"]), n=n), style="dim")
    parts.append(chart)
    parts.append(Text(""))

    rows = data["series"]["rows"]
    if not rows:
        parts.append(Text(tr("Aucun passage codé pour l'instant.", "No tagged passage yet."), style="italic"))
        return RichGroup(*parts)
    parts.append(Text(tr("Chaque code au fil des sessions", "Each code over the sessions"), style="bold"))
    label_w = 20
    cell = 7
    table = Table.grid(padding=(0, 1))
    table.add_column(width=label_w + 4, no_wrap=True)
    per_session = label_w + 4 + 8 + n * (cell + 1) <= width
    if per_session:
        for _ in sessions:
            table.add_column(width=cell, no_wrap=True)
        head = [Text("")] + [Text(day_month(s["date"]), style="dim") for s in sessions]
    else:
        table.add_column(no_wrap=True)
        head = [Text(""), Text(tr("sessions →", "sessions →"), style="dim")]
    table.add_column(justify="right", width=6)
    table.add_row(*head, Text(tr("total", "total"), style="dim"))
    book = data["codebook"]
    top = max((max(r["values"] or [0]) for r in rows), default=0)
    for r in rows:
        code = book.get(r["code"])
        mark = "▶ " if r["code"] == focus else "  "
        label = Text(mark, style="bold")
        label.append(f" {code.shortcut if code and code.shortcut else r['code'][:2]} ", style=code_style(r["color"]))
        label.append(" " + _one_line(short_label(code) if code else r["label"], label_w - 1), style="bold" if r["code"] == focus else "")
        if per_session:
            cells = []
            for v in r["values"]:
                t = Text(hbar(v, top, cell - 3).ljust(cell - 3), style=r["color"])
                t.append(f"{v:>2}" if v else " ·", style="" if v else "dim")
                cells.append(t)
        else:
            cells = [Text(r["spark"], style=r["color"])]
        table.add_row(label, *cells, Text(str(r["total"]), style="bold" if r["code"] == focus else ""))
    parts.append(table)
    return RichGroup(*parts)


def answered_or_waiting(proposals: list[dict[str, Any]]) -> tuple[list, list, list]:
    """(answered, still waiting for management, the rest: practicable by the group or closed)."""
    answered = [p for p in proposals if p["answer"]]
    waiting = [p for p in proposals if not p["answer"] and p["open"] and p["destination"] == "organisateurs"]
    others = [p for p in proposals if p not in answered and p not in waiting]
    return answered, waiting, others


def render_proposals_summary(data: dict[str, Any], width: int) -> Text:
    """Under the chart: how many proposals were answered, which still wait (F6 has the whole story)."""
    from ..proposals import status_label

    answered, waiting, others = answered_or_waiting(data["proposals"])
    out = Text(tr("Propositions", "Proposals"), style="bold")
    out.append(tr(" : {a} avec réponse · {w} en attente · {o} autre(s) — F6", ": {a} answered · {w} waiting · {o} other(s) — F6", a=len(answered), w=len(waiting), o=len(others)))
    for p in waiting:
        last = p.get("last") or {}
        out.append("\n  ▸ ", style="#d7af5f")
        head = f"{status_label(p['status'])} {day_month(last.get('date') or '')}  "
        out.append(head, style="#d7af5f")
        out.append(_one_line(p["text"], max(20, width - len(head) - 6)))
    return out


def render_cooccurrence(data: dict[str, Any]) -> RichGroup:
    co = data["cooccurrence"]
    book = data["codebook"]
    if not co["codes"]:
        return RichGroup(Text(tr("Aucun passage codé pour l'instant.", "No tagged passage yet."), style="italic"))
    intro = Text(tr("Codes posés sur la même contribution : combien de contributions portent les deux.", "Codes on the same contribution: how many contributions carry both."), style="bold")
    intro.append(tr("\nSur la diagonale : combien de contributions portent le code.", "\nOn the diagonal: how many contributions carry the code."), style="dim")

    def chip(code_id: str) -> Text:
        code = book.get(code_id)
        color = code.color if code else "#888888"
        return Text(f" {code.shortcut if code and code.shortcut else code_id[:2]} ", style=code_style(color))

    table = Table(box=None, padding=(0, 1), show_edge=False, pad_edge=False)
    table.add_column("", no_wrap=True)
    for c in co["codes"]:
        table.add_column(chip(c), justify="right", no_wrap=True)
    top = max((co["matrix"][i][j] for i in range(len(co["codes"])) for j in range(len(co["codes"])) if i != j), default=0)
    for i, c in enumerate(co["codes"]):
        code = book.get(c)
        label = chip(c)
        label.append(" " + _one_line(short_label(code) if code else c, 18))
        cells = []
        for j, n in enumerate(co["matrix"][i]):
            if i == j:
                cells.append(Text(str(n), style="dim italic"))
            elif not n:
                cells.append(Text("·", style="dim"))
            else:
                cells.append(Text(str(n), style="bold reverse" if top and n >= top * 0.6 else ("bold" if n >= top * 0.3 else "")))
        table.add_row(label, *cells)
    pairs = Text(tr("Les paires les plus fréquentes", "The most frequent pairs"), style="bold")
    for a, b, n in co["pairs"][:8]:
        pairs.append("\n  ")
        pairs.append_text(chip(a))
        pairs.append(" + ")
        pairs.append_text(chip(b))
        la, lb = (short_label(book[x]) if x in book else x for x in (a, b))
        pairs.append(tr(" {a} + {b} : {n} contribution(s)", " {a} + {b}: {n} contribution(s)", a=la, b=lb, n=n))
    if not co["pairs"]:
        pairs.append("\n  " + tr("(aucun code n'est encore posé avec un autre)", "(no code is yet found with another)"), style="dim")
    return RichGroup(intro, Text(""), table, Text(""), pairs)


def render_timeline(data: dict[str, Any]) -> RichGroup | Text:
    from ..debates import status_label as debate_status
    from ..proposals import status_label as proposal_status

    events = data["timeline"]
    if not events:
        return Text(tr("Rien à montrer pour l'instant.", "Nothing to show yet."), style="italic")
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, style="bold")
    table.add_column(no_wrap=True)
    table.add_column()
    last = None
    marks = {"session": ("■", "bold"), "debate": ("◆", "#5fafd7"), "proposal": ("▸", "#d7af5f")}
    for e in events:
        date = short_date(e["date"]) if e["date"] != last else ""
        last = e["date"]
        mark, style = marks[e["kind"]]
        line = Text()
        if e["kind"] == "session":
            line.append(tr("Session : ", "Session: "), style="bold")
            line.append(e["title"] or "—", style="italic")
        elif e["kind"] == "debate":
            line.append(tr("Débat ", "Debate "), style="bold")
            line.append(f"({debate_status(e['status'])}) ", style=style)
            line.append(e["title"])
        else:
            line.append(tr("Proposition ", "Proposal "), style="bold")
            line.append(f"{proposal_status(e['status'])} : ", style=style)
            line.append(_one_line(e["title"], 90))
            if e.get("note"):
                line.append(f"\n{_one_line(e['note'], 140)}", style="dim italic")
        table.add_row(date, Text(mark, style=style), line)
    legend = Text(tr("■ session   ◆ débat de normes (à sa première session)   ▸ étape d'une proposition", "■ session   ◆ norm debate (at its first session)   ▸ step of a proposal"), style="dim")
    return RichGroup(legend, Text(""), table)


def render_answers(data: dict[str, Any]) -> RichGroup | Text:
    from ..proposals import status_label

    proposals = data["proposals"]
    if not proposals:
        return Text(tr("Aucune proposition pour ce groupe.", "No proposal for this group."), style="italic")
    answered, waiting, others = answered_or_waiting(proposals)
    parts: list[Any] = []

    def block(title: str, rows: list[dict[str, Any]], style: str, with_answer: bool) -> None:
        head = Text(f"{title} ({len(rows)})", style=f"bold {style}")
        parts.append(head)
        if not rows:
            parts.append(Text("  —", style="dim"))
        for p in rows:
            line = Text("  • ")
            line.append(_one_line(p["text"], 200), style="bold")
            last = p.get("last") or {}
            line.append("\n    " + status_label(p["status"]), style=style)
            if last.get("date"):
                line.append(tr(" depuis le {d}", " since {d}", d=short_date(last["date"])), style="dim")
            line.append(tr(" · portée par {c}", " · carried by {c}", c=p["carrier"] or tr("le groupe", "the group")), style="dim")
            if with_answer:
                line.append("\n    " + tr("Réponse : ", "Answer: "), style="bold")
                line.append(_one_line(p["answer"], 400), style="italic")
            parts.append(line)
        parts.append(Text(""))

    block(tr("Encore en attente d'une réponse", "Still waiting for an answer"), waiting, "#d7af5f", False)
    block(tr("Réponse reçue", "Answer received"), answered, "#87d787", True)
    block(tr("Praticables par le groupe, mises en œuvre ou abandonnées", "Practicable by the group, put into practice or dropped"), others, "#87af87", False)
    return RichGroup(*parts)


# --- the screen ------------------------------------------------------------------------------

class LoadStep(Message):
    """One more part of the review data is ready (the progress bar moves)."""


class Loaded(Message):
    def __init__(self, data: dict[str, Any] | None, error: str | None) -> None:
        super().__init__()
        self.data = data
        self.error = error


class Found(Message):
    def __init__(self, hits: list[dict[str, Any]], params: dict[str, Any], generation: int, error: str | None) -> None:
        super().__init__()
        self.hits = hits
        self.params = params
        self.generation = generation
        self.error = error


REVIEW_KEYS = [
    HELP_KEY,
    Key("f2", "show('search')", "Recherche", "Search", help_fr="La recherche (le curseur va dans la zone de recherche)", help_en="The search (the cursor goes to the search box)"),
    Key("f3", "show('tab-codes')", "Codes", "Codes", help_fr="Codes au fil des sessions : graphique et tableau", help_en="Codes over sessions: chart and table"),
    Key("f4", "show('tab-cooc')", "Cooccurrences", "Co-occurrences", wide=True, help_fr="Codes posés ensemble sur une même contribution", help_en="Codes found together on one contribution"),
    Key("f5", "show('tab-timeline')", "Chronologie", "Timeline", help_fr="Chronologie des sessions, débats et propositions", help_en="Timeline of sessions, debates and proposals"),
    Key("f6", "show('tab-answers')", "Propositions", "Proposals", help_fr="Propositions : répondues, en attente", help_en="Proposals: answered, waiting"),
    Key("ctrl+o", "toggle_off_record", "Hors CR", "Off record", priority=True, wide=True,
        help_fr="Montrer / masquer les contributions hors compte rendu (montrées, elles sont marquées)",
        help_en="Show / hide off-the-record contributions (when shown, they are marked)"),
    Key("ctrl+r", "clear_filters", "Effacer les filtres", "Clear filters", priority=True, wide=True, help_fr="Effacer la recherche et tous les filtres", help_en="Clear the search and every filter"),
    Key("escape", "back", "Retour", "Back", help_fr="Revenir à la recherche, puis à l'écran précédent", help_en="Back to the search, then to the previous screen"),
]


class ReviewScreen(Screen):
    def __init__(self, db: Database, group_id: int, session_id: int | None = None) -> None:
        super().__init__()
        bind_keys(self, REVIEW_KEYS)
        self.db = db
        self.group = get_group(db, group_id)
        self.session_id = session_id
        self.data: dict[str, Any] | None = None
        self.hits: list[dict[str, Any]] = []
        self.include_off_record = True
        self.generation = 0
        self._timer: Timer | None = None
        self.focus_code: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(tr("grt · Revue du groupe « {g} »", "grt · Review of '{g}'", g=self.group.name), classes="topbar", id="review-top")
        with Horizontal(id="review-main"):
            with Vertical(id="review-search"):
                yield Input(
                    id="review-query",
                    compact=True,
                    placeholder=tr("Chercher dans toutes les sessions : un mot, \"une expression\", plan*", "Search all sessions: a word, \"a phrase\", plan*"),
                )
                with Horizontal(id="review-filters"):
                    yield Select([], prompt=tr("Code : tous", "Code: all"), id="f-code", compact=True)
                    yield Select([], prompt=tr("Rôle : tous", "Role: all"), id="f-role", compact=True)
                    yield Select([], prompt=tr("Session : toutes", "Session: all"), id="f-session", compact=True)
                with Horizontal(id="review-dates"):
                    yield Label(tr("Du ", "From "))
                    yield Input(id="f-from", compact=True, placeholder=tr("JJ/MM/AAAA", "YYYY-MM-DD"))
                    yield Label(tr(" au ", " to "))
                    yield Input(id="f-to", compact=True, placeholder=tr("JJ/MM/AAAA", "YYYY-MM-DD"))
                    yield Static("", id="review-off")
                with Horizontal(id="review-status-row"):
                    yield Static(tr("Chargement des sessions du groupe…", "Loading the group's sessions…"), id="review-status")
                    yield ProgressBar(total=6, show_eta=False, id="review-progress")
                yield OptionList(id="review-hits")
            with TabbedContent(initial="tab-codes", id="review-side"):
                with TabPane(tr("Codes", "Codes"), id="tab-codes"):
                    with VerticalScroll(classes="review-scroll"):
                        yield Static("", id="codes-view")
                with TabPane(tr("Cooccurrences", "Co-occurrences"), id="tab-cooc"):
                    with VerticalScroll(classes="review-scroll"):
                        yield Static("", id="cooc-view")
                with TabPane(tr("Chronologie", "Timeline"), id="tab-timeline"):
                    with VerticalScroll(classes="review-scroll"):
                        yield Static("", id="timeline-view")
                with TabPane(tr("Propositions", "Proposals"), id="tab-answers"):
                    with VerticalScroll(classes="review-scroll"):
                        yield Static("", id="answers-view")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.app.group_id = self.group.id  # type: ignore[attr-defined]
        self.query_one("#review-hits", OptionList).border_title = tr("Ce qui a été dit", "What was said")
        # ↓ from the search box goes down to the hits.
        bind_keys(self.query_one("#review-query", Input), [Key("down", "screen.focus_hits", "Résultats", "Results", show=False)])
        # A sentence rather than Textual's animated loading indicator: it costs the interface nothing.
        self.query_one("#codes-view", Static).update(Text(tr("Chargement…", "Loading…"), style="italic"))
        self.show_off_record_state()
        self.query_one("#review-query", Input).focus()
        self.load_data()

    def on_resize(self) -> None:
        fit_footer(self, REVIEW_KEYS)
        if self.data is not None:
            self.call_after_refresh(self.render_side)

    # --- loading ---------------------------------------------------------------------------------

    def _thread_db(self) -> tuple[Database, bool]:
        """A connection of its own for a worker thread (True: close it after), or the screen's for an
        in-memory base."""
        path = db_file(self.db)
        if not str(path) or str(path) == ".":
            return self.db, False
        return connect(path), True

    @work(thread=True, exclusive=True, group="review-load")
    def load_data(self) -> None:
        db, own = self._thread_db()
        # Messages, not call_from_thread: the worker never waits for the interface to be free.
        step = lambda: self.post_message(LoadStep())  # noqa: E731
        try:
            from ..proposals import list_proposals

            gid = self.group.id
            sessions = group_sessions(db, gid)
            step()
            counts = code_counts(db, gid, sessions=sessions)
            series = codes_over_sessions(db, gid, counts=counts)
            step()
            co = cooccurrence(db, gid)
            step()
            events = timeline(db, gid)
            step()
            proposals = list_proposals(db, group_id=gid)
            roles = group_roles(db, gid)
            codebook = {c.id: c for c in list_codes(db, include_groups=False)}
            step()
            data = {
                "sessions": sessions, "counts": counts, "series": series, "cooccurrence": co, "timeline": events,
                "proposals": proposals, "roles": roles, "codebook": codebook,
                "contributions": sum(s["contributions"] for s in sessions),
            }
            error = None
        except GrtError as e:
            data, error = None, str(e)
        finally:
            if own:
                db.conn.close()
        self.post_message(Loaded(data, error))

    def on_load_step(self, message: LoadStep) -> None:
        self.query_one("#review-progress", ProgressBar).advance(1)

    def on_loaded(self, message: Loaded) -> None:
        self.data_loaded(message.data, message.error)

    def data_loaded(self, data: dict[str, Any] | None, error: str | None) -> None:
        self.query_one("#review-progress").display = False
        if data is None:
            self.set_status(Text(tr("Chargement impossible : {e}", "Cannot load: {e}", e=error), style="bold red"))
            return
        self.data = data
        top = self.query_one("#review-top", Static)
        top.update(
            tr("grt · Revue · {g} · {s} session(s)", "grt · Review · {g} · {s} session(s)", g=self.group.name, s=len(data["sessions"]))
        )
        book = data["codebook"]
        used = set(data["counts"]["codes"])
        codes = sorted(book.values(), key=lambda c: (c.id not in used, c.position))
        self.query_one("#f-code", Select).set_options(
            [(Text.assemble((f" {c.shortcut or c.id[:2]} ", code_style(c.color)), " " + short_label(c) + ("" if c.id in used else tr(" (jamais posé)", " (never used)"))), c.id) for c in codes]
        )
        self.query_one("#f-role", Select).set_options([(r, r) for r in data["roles"]])
        self.query_one("#f-session", Select).set_options(
            [(f"{short_date(s['date'])} — {_one_line(s['question'] or '', 40)}", s["id"]) for s in reversed(data["sessions"])]
        )
        self.render_side()
        self.start_search()

    # --- right-hand side -------------------------------------------------------------------------

    def pane_width(self) -> int:
        """Columns of one pane: half the screen when both show, all of it on a narrow terminal."""
        return self.size.width if self.has_class("-narrow") else self.size.width // 2

    def render_side(self) -> None:
        if self.data is None:
            return
        width = max(40, self.pane_width() - 4)
        codes = render_codes(self.data, self.focus_code, width)
        if self.data["proposals"]:
            codes = RichGroup(codes, Text(""), render_proposals_summary(self.data, width))
        self.query_one("#codes-view", Static).update(codes)
        self.query_one("#cooc-view", Static).update(render_cooccurrence(self.data))
        self.query_one("#timeline-view", Static).update(render_timeline(self.data))
        self.query_one("#answers-view", Static).update(render_answers(self.data))

    # --- search ----------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id not in ("review-query", "f-from", "f-to"):
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DELAY, self.start_search)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start_search()
        if event.input.id == "review-query":
            self.focus_hits()
        else:
            self.focus_next()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "f-code":
            self.focus_code = None if event.select.is_blank() else str(event.value)
            self.render_side()
        self.start_search()

    def read_filters(self) -> dict[str, Any]:
        def value(select_id: str) -> Any:
            select = self.query_one(select_id, Select)
            return None if select.is_blank() else select.value

        def date(input_id: str) -> str | None:
            text = self.query_one(input_id, Input).value.strip()
            return parse_date(text) if text else None

        return {
            "query": self.query_one("#review-query", Input).value,
            "code": value("#f-code"),
            "role": value("#f-role"),
            "session_id": value("#f-session"),
            "date_from": date("#f-from"),
            "date_to": date("#f-to"),
            "include_off_record": self.include_off_record,
        }

    def start_search(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.data is None:
            return
        try:
            params = self.read_filters()
        except GrtError as e:
            self.set_status(Text(str(e), style="bold red"))
            return
        self.generation += 1
        self.set_status(Text(tr("Recherche…", "Searching…"), style="italic"))
        self.run_search(params, self.generation)

    @work(thread=True, exclusive=True, group="review-search")
    def run_search(self, params: dict[str, Any], generation: int) -> None:
        db, own = self._thread_db()
        try:
            hits, error = review_search(db, self.group.id, limit=LIMIT, **params), None
        except GrtError as e:
            hits, error = [], str(e)
        finally:
            if own:
                db.conn.close()
        self.post_message(Found(hits, params, generation, error))

    def on_found(self, message: Found) -> None:
        self.show_hits(message.hits, message.params, message.generation, message.error)

    def show_hits(self, hits: list[dict[str, Any]], params: dict[str, Any], generation: int, error: str | None) -> None:
        if generation != self.generation:
            return  # a later search is on its way
        if error:
            self.set_status(Text(error, style="bold red"))
            return
        self.hits = hits
        box = self.query_one("#review-hits", OptionList)
        width = max(60, (self.pane_width() - 6) * 2 - 6)
        book = self.data["codebook"] if self.data else {}
        options: list[Option | None] = []
        for h in hits:
            if options:
                options.append(None)  # a rule between two hits
            options.append(Option(self.hit_text(h, book, width), id=str(h["id"])))
        box.set_options(options)
        if hits:
            box.highlighted = 0
        off = sum(1 for h in hits if h["off_record"])
        status = Text()
        searching = params["query"].strip() or any(params[k] for k in ("code", "role", "session_id", "date_from", "date_to"))
        if not hits:
            status.append(tr("Aucune contribution ne correspond.", "No contribution matches."), style="bold")
        elif searching:
            status.append(tr("{n} contribution(s) trouvée(s)", "{n} contribution(s) found", n=len(hits)), style="bold")
        else:
            status.append(tr("{n} contribution(s), toutes sessions", "{n} contribution(s), all sessions", n=len(hits)), style="bold")
        if len(hits) >= LIMIT:
            status.append(tr(" (les {n} premières : précisez la recherche)", " (the first {n}: narrow the search)", n=LIMIT), style="dim")
        if off:
            status.append(" · ")
            status.append(tr("dont {n} hors compte rendu", "{n} off the record", n=off), style="bold #ff8080")
        self.set_status(status)

    def hit_text(self, h: dict[str, Any], book: dict[str, Any], width: int) -> Text:
        head = Text()
        head.append(short_date(h["date"]), style="bold")
        head.append(" · ")
        head.append(h["speaker"] or tr("(groupe)", "(group)"), style="bold")
        if h["off_record"]:
            head.append(" ")
            head.append_text(off_record_badge())
        for c in h["codes"]:
            code = book.get(c)
            head.append(" ")
            head.append(f" {code.shortcut if code and code.shortcut else c[:2]} ", style=code_style(code.color if code else "#888888"))
        if h.get("role"):
            room = width // 2 - len(head) - 3
            if room >= 8:
                head.append(" · " + _one_line(h["role"], room), style="dim")
        body = in_context(h["text"], h["spans"], width)
        if h["off_record"]:
            body.stylize("italic")
        return Text("\n").join([head, body])

    def set_status(self, text: Text) -> None:
        self.query_one("#review-status", Static).update(text)

    def show_off_record_state(self) -> None:
        text = Text(" ")
        if self.include_off_record:
            text.append(tr("Hors CR : montré, marqué", "Off record: shown, marked"), style="dim")
        else:
            text.append(tr("Hors CR : masqué", "Off record: hidden"), style="bold")
        text.append(tr(" (Ctrl+O)", " (Ctrl+O)"), style="dim")
        self.query_one("#review-off", Static).update(text)

    # --- actions ---------------------------------------------------------------------------------

    def focus_hits(self) -> None:
        self.query_one("#review-hits", OptionList).focus()

    def action_focus_hits(self) -> None:
        self.focus_hits()

    def action_show(self, what: str) -> None:
        if what == "search":
            self.remove_class("-show-side")
            self.query_one("#review-query", Input).focus()
            return
        self.add_class("-show-side")
        self.query_one("#review-side", TabbedContent).active = what
        scroll = self.query_one(f"#{what} .review-scroll")
        scroll.can_focus = True
        scroll.focus()

    def action_toggle_off_record(self) -> None:
        self.include_off_record = not self.include_off_record
        self.show_off_record_state()
        self.start_search()

    def action_clear_filters(self) -> None:
        for select in self.query(Select):
            select.clear()
        for input_id in ("#review-query", "#f-from", "#f-to"):
            self.query_one(input_id, Input).value = ""
        self.focus_code = None
        self.render_side()
        self.start_search()
        self.query_one("#review-query", Input).focus()

    def action_back(self) -> None:
        if self.has_class("-show-side") and self.has_class("-narrow"):
            self.action_show("search")
            return
        if self.focused is not self.query_one("#review-query"):
            self.query_one("#review-query", Input).focus()
            return
        self.dismiss()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "review-hits":
            return
        event.stop()
        hit = next((h for h in self.hits if str(h["id"]) == event.option.id), None)
        if hit is not None:
            self.app.push_screen(ContributionView(self.db, hit))

    # --- help and palette ------------------------------------------------------------------------

    def help_sections(self):
        return [
            (
                tr("Revue du groupe", "Group review"),
                [
                    (tr("Taper", "Type"), tr("Chercher dans toutes les sessions, pendant la frappe", "Search all sessions as you type")),
                    ("↓ / " + tr("Entrée", "Enter"), tr("Aller aux résultats", "Go to the results")),
                    ("Tab", tr("Filtres : code, rôle, session, dates (Entrée ouvre une liste)", "Filters: code, role, session, dates (Enter opens a list)")),
                    (tr("Entrée", "Enter"), tr("Sur un résultat : lire la contribution entière", "On a result: read the whole contribution")),
                ]
                + help_rows(REVIEW_KEYS),
            )
        ]

    def help_notes(self) -> list[str]:
        return [
            tr(
                "Recherche : les accents et les majuscules ne comptent pas (« equipe » trouve « Équipe ») ; \"entre guillemets\" cherche l'expression exacte ; plan* trouve planning, planifier… Plusieurs mots : tous doivent y être.",
                "Search: accents and case do not matter; \"in quotes\" finds the exact phrase; plan* finds planning, plan… Several words: all must be there.",
            ),
            tr(
                "Les contributions hors compte rendu sont montrées ici, marquées HORS COMPTE RENDU : elles restent dans le groupe et ne sortent jamais dans une synthèse ni un export.",
                "Off-the-record contributions are shown here, marked OFF THE RECORD: they stay in the group and never leave in a synthesis or an export.",
            ),
        ]

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            (tr("Chercher", "Search"), "F2", lambda: self.action_show("search")),
            (tr("Codes au fil des sessions (graphique)", "Codes over sessions (chart)"), "F3", lambda: self.action_show("tab-codes")),
            (tr("Codes posés ensemble (cooccurrences)", "Codes found together (co-occurrences)"), "F4", lambda: self.action_show("tab-cooc")),
            (tr("Chronologie des débats et propositions", "Timeline of debates and proposals"), "F5", lambda: self.action_show("tab-timeline")),
            (tr("Propositions répondues et en attente", "Proposals answered and waiting"), "F6", lambda: self.action_show("tab-answers")),
            (tr("Montrer / masquer le hors compte rendu", "Show / hide off the record"), "Ctrl+O", self.action_toggle_off_record),
            (tr("Effacer la recherche et les filtres", "Clear the search and filters"), "Ctrl+R", self.action_clear_filters),
        ]


class ContributionView(ModalScreen[None]):
    """One contribution in full: the words searched highlighted, its tags listed."""

    KEYS = [Key("escape,enter,q", "close", "Fermer", "Close")]

    def __init__(self, db: Database, hit: dict[str, Any]) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.db = db
        self.hit = hit

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="contribution-view"):
            yield Static(self.render_view())

    def on_mount(self) -> None:
        box = self.query_one("#contribution-view")
        box.border_title = tr("Contribution du {d}", "Contribution of {d}", d=short_date(self.hit["date"]))
        box.border_subtitle = tr("Échap pour fermer", "Esc to close")
        box.can_focus = True
        box.focus()

    def render_view(self) -> Text:
        from ..annotations import list_annotations

        h = self.hit
        book = {c.id: c for c in list_codes(self.db)}
        out = Text()
        out.append(h["speaker"] or tr("(groupe)", "(group)"), style="bold")
        if h.get("role"):
            out.append(f", {h['role']}", style="dim")
        if h["off_record"]:
            out.append("  ")
            out.append_text(off_record_badge())
        out.append("\n" + tr("Question du jour : ", "Question of the day: "), style="dim")
        out.append((h.get("question") or "—") + "\n\n", style="dim italic")
        body = Text(h["text"], style="italic" if h["off_record"] else "")
        for s, e in h["spans"]:
            body.stylize(HIT_STYLE, s, e)
        out.append_text(body)
        tags = list_annotations(self.db, contribution_id=h["id"])
        if tags:
            out.append("\n\n" + tr("Passages codés", "Tagged passages"), style="bold")
            for a in tags:
                code = book.get(a.code)
                out.append("\n  ")
                out.append(f" {code.shortcut if code and code.shortcut else a.code[:2]} ", style=code_style(code.color if code else "#888888"))
                out.append(f" {short_label(code) if code else a.code} : ", style="bold")
                out.append(f"« {a.quote} »", style="italic")
        if h["off_record"]:
            out.append("\n\n" + tr("Hors compte rendu : cette parole reste dans le groupe.", "Off the record: these words stay in the group."), style="bold #ff8080")
        return out

    def action_close(self) -> None:
        self.dismiss(None)
