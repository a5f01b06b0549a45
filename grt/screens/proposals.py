"""Proposals ("faire autrement") followed until the people who organise the work answer.

ProposalsPane is the list and the detail of a group's proposals with the keys that move them on: it is the
"Propositions" tab of the debates screen, and, over the meeting screen, the window in which the facilitator
asks for news of the open proposals when a session opens (ProposalsFollowUp).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from sqlite_utils import Database
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, OptionList, RadioButton, RadioSet, Select, Static, TextArea
from textual.widgets.option_list import Option

from ..errors import GrtError
from ..groups import list_participants
from ..i18n import tr
from ..proposals import (
    STATUSES,
    delete_history_entry,
    delete_proposal,
    destination_label,
    get_proposal,
    list_proposals,
    open_proposals_for_session,
    set_answer,
    set_status,
    status_label,
    update_proposal,
)
from ..sessions import get_session, list_sessions
from ..widgets.keys import HELP_KEY, Key, after_queued_keys, bind_keys, help_rows
from ..widgets.render import off_record_badge, short_date
from .forms import ConfirmDialog, FormScreen, parse_date

# How each status reads in a list: the ones that wait for someone stand out.
STATUS_STYLE = {
    "proposee": "bold",
    "discutee": "bold #5fafd7",
    "transmise": "bold #d7af5f",
    "reponse_recue": "bold #87d787",
    "mise_en_oeuvre": "#87af87",
    "abandonnee": "dim strike",
}


class FillTable(DataTable):
    """A row table whose `fill` column takes the width the other columns leave (set on every resize)."""

    def __init__(self, fill: str, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.fill = fill

    def on_resize(self) -> None:
        self.fit()

    def fit(self) -> None:
        others = sum(c.get_render_width(self) for k, c in self.columns.items() if k.value != self.fill)
        width = max(16, self.scrollable_content_region.width - others - 2 * self.cell_padding)
        for key, column in self.columns.items():
            if key.value == self.fill and column.width != width:
                column.width = width
                column.auto_width = False
                # The table measures itself when rows change; a column resized by hand needs telling.
                total = sum(c.get_render_width(self) for c in self.columns.values())
                self.virtual_size = Size(total, self.virtual_size.height)
                self.refresh()


def status_text(status: str) -> Text:
    return Text(status_label(status), style=STATUS_STYLE.get(status, ""))


def short_destination(destination: str) -> str:
    return {"organisateurs": tr("à demander", "to request"), "praticable": tr("praticable", "practicable")}.get(destination, destination)


def next_status(proposal: dict[str, Any]) -> str:
    """The step a proposal usually takes next: one the group does itself skips 'sent' and 'answer'."""
    order = ["proposee", "discutee", "transmise", "reponse_recue", "mise_en_oeuvre"]
    if proposal["destination"] == "praticable":
        order = ["proposee", "discutee", "mise_en_oeuvre"]
    status = proposal["status"]
    if status in order and status != order[-1]:
        return order[order.index(status) + 1]
    return status


def session_on(db: Database, group_id: int, date: str, prefer: int | None = None) -> int | None:
    """The group's session held on that date (the preferred one if it is), so that news given in a session
    is linked to it."""
    if prefer is not None:
        try:
            if get_session(db, prefer).date == date:
                return prefer
        except GrtError:
            pass
    row = db.execute("SELECT id FROM sessions WHERE group_id = ? AND date = ? ORDER BY id LIMIT 1", [group_id, date]).fetchone()
    return row[0] if row else None


def _one_line(text: str, n: int) -> str:
    words = " ".join((text or "").split())
    return words if len(words) <= n else words[: n - 1] + "…"


def render_proposal(p: dict[str, Any]) -> Text:
    """Everything about one proposal: where it goes, who carries it, its dated history, the answer."""
    out = Text()
    out.append(p["text"], style="bold")
    out.append("\n")
    out.append(destination_label(p["destination"]).capitalize(), style="italic")
    out.append(tr(" · portée par {c}", " · carried by {c}", c=p["carrier"] or tr("le groupe", "the group")))
    if p.get("session_date"):
        out.append(tr(" · née le {d}", " · from {d}", d=short_date(p["session_date"])))
    out.append("\n\n")
    out.append(tr("Statut : ", "Status: "), style="bold")
    out.append_text(status_text(p["status"]))
    if p.get("last"):
        out.append(tr(" depuis le {d}", " since {d}", d=short_date(p["last"]["date"])))
    out.append("\n" + tr("Historique", "History"), style="bold")
    for h in p.get("history", []):
        out.append(f"\n  {short_date(h['date'])}  ")
        out.append_text(status_text(h["status"]))
        if h.get("note"):
            out.append(" — " + h["note"], style="")
    out.append("\n\n")
    if p.get("answer"):
        when = tr(" (reçue le {d})", " (received {d})", d=short_date(p["answer_date"])) if p.get("answer_date") else ""
        out.append(tr("Réponse des organisateurs du travail", "Answer from those who organise the work") + when + "\n", style="bold")
        out.append(p["answer"])
    elif p["destination"] == "organisateurs" and p["open"]:
        out.append(tr("Pas encore de réponse (touche r pour la noter).", "No answer yet (key r to record it)."), style="italic #d7af5f")
    origins = p.get("origin_contributions") or []
    if origins:
        out.append("\n\n" + tr("D'où elle vient", "Where it comes from"), style="bold")
        for c in origins:
            out.append(f"\n  {short_date(c['date'])} · {c['speaker'] or tr('(groupe)', '(group)')} : ", style="dim")
            out.append(f"« {_one_line(c['text'], 160)} »", style="italic dim" if c["off_record"] else "italic")
            if c["off_record"]:
                out.append(" ")
                out.append_text(off_record_badge())
    return out


class ProposalsChanged(Message):
    """The list was reloaded (a tab title shows its count)."""


PANE_KEYS = [
    HELP_KEY,
    Key("s", "status", "Statut", "Status",
        help_fr="Faire avancer la proposition (statut suivant déjà choisi, note facultative, Entrée)",
        help_en="Move the proposal on (next status already chosen, optional note, Enter)"),
    Key("r", "answer", "Réponse", "Answer", help_fr="Noter la réponse des organisateurs du travail", help_en="Record the answer from those who organise the work"),
    Key("n", "new", "Nouvelle", "New", help_fr="Nouvelle proposition", help_en="New proposal"),
    Key("e", "edit", "Modifier", "Edit", help_fr="Modifier le texte, la destination, le porteur, la session d'origine", help_en="Edit the text, destination, carrier, origin session"),
    Key("o", "toggle_open", "En cours/toutes", "Open/all", wide=True, help_fr="Montrer seulement les propositions en cours, ou toutes", help_en="Show only the open proposals, or all"),
    Key("u", "undo_step", "Annuler l'étape", "Undo step", wide=True, help_fr="Retirer la dernière étape notée dans l'historique (une erreur de saisie)", help_en="Remove the history step entered last (a typing mistake)"),
    Key("delete", "delete", "Supprimer", "Delete", show=False, help_fr="Supprimer la proposition", help_en="Delete the proposal"),
]


class ProposalsPane(Vertical):
    """List and detail of a group's proposals; with session_id and for_session, only the open proposals
    born before that session (the ones to ask news of at its opening), and news is dated by the session."""

    def __init__(
        self,
        db: Database,
        group_id: int,
        *,
        session_id: int | None = None,
        for_session: bool = False,
        today: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        bind_keys(self, PANE_KEYS)
        self.db = db
        self.group_id = group_id
        self.session_id = session_id
        self.for_session = for_session and session_id is not None
        self.today = today or dt.date.today()
        # Open proposals first: the ones whose news is awaited.
        self.open_only = True
        self.rows: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="dp-body"):
            yield FillTable("text", id="proposals-list")
            with VerticalScroll(id="proposal-detail", classes="dp-detail"):
                yield Static("", id="proposal-text")

    def on_mount(self) -> None:
        table = self.query_one("#proposals-list", DataTable)
        table.add_column(tr("Statut", "Status"), key="status", width=13)
        table.add_column(tr("Depuis le", "Since"), key="since", width=10)
        table.add_column(tr("Destination", "Destination"), key="destination", width=11)
        table.add_column(tr("Proposition", "Proposal"), key="text", width=30)
        detail = self.query_one("#proposal-detail")
        detail.can_focus = True
        detail.border_title = tr("Proposition", "Proposal")
        self.reload()

    @property
    def news_date(self) -> dt.date:
        """What a status change is dated by default: the session's day in a session, else today."""
        if self.for_session:
            return dt.date.fromisoformat(get_session(self.db, self.session_id).date)
        return self.today

    # --- data ------------------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        keep = select if select is not None else (self.current["id"] if self.current else None)
        if self.for_session and self.open_only:
            self.rows = open_proposals_for_session(self.db, self.session_id)
        else:
            self.rows = list_proposals(self.db, group_id=self.group_id, open_only=self.open_only)
        table = self.query_one("#proposals-list", FillTable)
        table.clear()
        for p in self.rows:
            since = short_date(p["last"]["date"]) if p.get("last") else ""
            table.add_row(status_text(p["status"]), since, short_destination(p["destination"]), _one_line(p["text"], 200), key=str(p["id"]))
        which = tr("en cours", "open") if self.open_only else tr("toutes", "all")
        table.border_title = tr("Propositions ({w}) : {n}", "Proposals ({w}): {n}", w=which, n=len(self.rows))
        table.border_subtitle = tr("o : toutes", "o: all") if self.open_only else tr("o : en cours seulement", "o: open only")
        self.call_after_refresh(table.fit)
        index = next((i for i, p in enumerate(self.rows) if p["id"] == keep), 0)
        if self.rows:
            table.move_cursor(row=index, animate=False)
        self.show_detail()
        self.post_message(ProposalsChanged())

    @property
    def current(self) -> dict[str, Any] | None:
        if not self.is_mounted:
            return None
        table = self.query_one("#proposals-list", DataTable)
        if not self.rows or not (0 <= table.cursor_row < len(self.rows)):
            return None
        return self.rows[table.cursor_row]

    def show_detail(self) -> None:
        p = self.current
        body = self.query_one("#proposal-text", Static)
        if p is None:
            if self.open_only:
                body.update(Text(tr("Aucune proposition en cours. o montre aussi les closes ; n en note une nouvelle.", "No open proposal. o also shows closed ones; n notes a new one."), style="italic"))
            else:
                body.update(Text(tr("Aucune proposition pour ce groupe. n en note une.", "No proposal for this group. n notes one."), style="italic"))
            return
        body.update(render_proposal(get_proposal(self.db, p["id"])))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "proposals-list":
            self.show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "proposals-list":
            event.stop()
            self.action_status()

    def focus_list(self) -> None:
        self.query_one("#proposals-list", DataTable).focus()

    # --- actions ---------------------------------------------------------------------------------

    def _need_one(self) -> dict[str, Any] | None:
        p = self.current
        if p is None:
            self.notify(tr("Aucune proposition choisie.", "No proposal chosen."), severity="warning")
        return p

    def action_status(self) -> None:
        p = self._need_one()
        if p is None:
            return

        def done(result: tuple[str, str, str] | None) -> None:
            self.focus_list()
            if result is None:
                return
            status, note, date = result
            try:
                after = set_status(self.db, p["id"], status, date=date, note=note, session_id=session_on(self.db, self.group_id, date, self.session_id))
            except GrtError as e:
                self.notify(str(e), severity="error")
                return
            self.reload(select=p["id"])
            if after["status"] != status:
                # Recorded with a date before the last step: it joins the history, the status stays.
                self.notify(
                    tr(
                        "Étape notée à sa date dans l'historique ; le statut reste « {s} », daté du {d}.",
                        "Step recorded at its date in the history; the status stays '{s}', dated {d}.",
                        s=status_label(after["status"]),
                        d=short_date(after["last"]["date"]),
                    ),
                    severity="warning",
                )
                return
            self.notify(tr("« {t} » : {s}.", "'{t}': {s}.", t=_one_line(p["text"], 40), s=status_label(status)), timeout=3)
            if status == "reponse_recue" and not p.get("answer"):
                self.action_answer()

        self.app.push_screen(StatusDialog(p, self.news_date), done)

    def action_answer(self) -> None:
        p = self._need_one()
        if p is None:
            return

        def done(result: tuple[str, str] | None) -> None:
            self.focus_list()
            if result is None:
                return
            answer, date = result
            try:
                set_answer(self.db, p["id"], answer, date=date, session_id=session_on(self.db, self.group_id, date, self.session_id))
            except GrtError as e:
                self.notify(str(e), severity="error")
                return
            self.reload(select=p["id"])
            self.notify(tr("Réponse enregistrée.", "Answer saved."), timeout=3)

        self.app.push_screen(AnswerDialog(get_proposal(self.db, p["id"]), self.news_date), done)

    def action_new(self) -> None:
        def done(result: dict[str, Any] | None) -> None:
            self.focus_list()
            if result:
                self.reload(select=result["id"])
                self.notify(tr("Proposition notée.", "Proposal noted."), timeout=3)

        self.app.push_screen(ProposalEditForm(self.db, self.group_id, session_id=self.session_id, today=self.news_date), done)

    def action_edit(self) -> None:
        p = self._need_one()
        if p is None:
            return

        def done(result: dict[str, Any] | None) -> None:
            self.focus_list()
            if result:
                self.reload(select=result["id"])

        self.app.push_screen(ProposalEditForm(self.db, self.group_id, proposal=p, today=self.news_date), done)

    def action_toggle_open(self) -> None:
        self.open_only = not self.open_only
        self.reload()

    def action_undo_step(self) -> None:
        p = self._need_one()
        if p is None:
            return
        history = get_proposal(self.db, p["id"])["history"]
        if len(history) <= 1:
            self.notify(tr("Il ne reste que la première étape : rien à annuler.", "Only the first step is left: nothing to undo."), severity="warning")
            return
        last = max(history, key=lambda h: h["id"])  # the step entered last, whatever its date

        def done(yes: bool | None) -> None:
            self.focus_list()
            if yes:
                delete_history_entry(self.db, last["id"])
                self.reload(select=p["id"])

        question = tr("Retirer l'étape « {s} » du {d} ?", "Remove the step '{s}' of {d}?", s=status_label(last["status"]), d=short_date(last["date"]))
        self.app.push_screen(ConfirmDialog(question, last.get("note") or ""), done)

    def action_delete(self) -> None:
        p = self._need_one()
        if p is None:
            return

        def done(yes: bool | None) -> None:
            self.focus_list()
            if yes:
                delete_proposal(self.db, p["id"])
                self.reload()
                self.notify(tr("Proposition supprimée.", "Proposal deleted."), timeout=3)

        self.app.push_screen(ConfirmDialog(tr("Supprimer cette proposition et son historique ?", "Delete this proposal and its history?"), _one_line(p["text"], 200)), done)


class StatusDialog(ModalScreen[tuple[str, str, str] | None]):
    """Where the proposal stands now: the next status is already chosen; a note and the date are optional."""

    KEYS = [
        Key("enter", "save", "Enregistrer", "Save", bind=False),
        Key("ctrl+s", "save", "Enregistrer", "Save", priority=True),
        Key("up", "move(-1)", "Statut précédent", "Previous status", show=False, priority=True),
        Key("down", "move(1)", "Statut suivant", "Next status", show=False, priority=True),
        Key("escape", "cancel", "Annuler", "Cancel"),
    ]

    def __init__(self, proposal: dict[str, Any], today: dt.date) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.proposal = proposal
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="status-dialog") as box:
            box.border_title = tr("Où en est la proposition ?", "Where does the proposal stand?")
            box.border_subtitle = tr("↑↓ statut · Entrée enregistrer · Échap annuler", "↑↓ status · Enter save · Esc cancel")
            yield Static(Text(f"« {_one_line(self.proposal['text'], 150)} »", style="italic"))
            yield Label(tr("Nouveau statut (↑↓)", "New status (↑↓)"), classes="field-label")
            yield OptionList(id="status-options")
            yield Label(tr("Note (facultative) : ce qui a été dit, fait, envoyé", "Note (optional): what was said, done, sent"), classes="field-label")
            yield Input("", id="status-note", compact=True, placeholder=tr("ex. Relancée par mail le 3 décembre", "e.g. Reminder sent by e-mail on 3 December"))
            yield Label(tr("Date (JJ/MM/AAAA)", "Date (YYYY-MM-DD)"), classes="field-label")
            yield Input(short_date(self.today.isoformat()), id="status-date", compact=True)
            yield Static("", classes="form-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        box = self.query_one("#status-options", OptionList)
        box.add_options([Option(self._label(s, False), id=s) for s in STATUSES])
        box.can_focus = False
        self.choose(STATUSES.index(next_status(self.proposal)))
        self.query_one("#status-note", Input).focus()

    def _label(self, status: str, chosen: bool) -> Text:
        # The choice is marked in the text too: it must read without colours (projector, black and white).
        label = Text("▶ " if chosen else "  ", style="bold")
        label.append_text(status_text(status))
        if status == self.proposal["status"]:
            label.append(tr("  (actuel)", "  (current)"), style="dim")
        return label

    def choose(self, index: int) -> None:
        box = self.query_one("#status-options", OptionList)
        index = max(0, min(len(STATUSES) - 1, index))
        for i, s in enumerate(STATUSES):
            box.replace_option_prompt_at_index(i, self._label(s, i == index))
        box.highlighted = index

    def action_move(self, offset: int) -> None:
        box = self.query_one("#status-options", OptionList)
        self.choose((box.highlighted or 0) + offset)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @after_queued_keys
    def action_save(self) -> None:
        box = self.query_one("#status-options", OptionList)
        option = box.highlighted_option
        if option is None or option.id is None:
            return
        try:
            date = parse_date(self.query_one("#status-date", Input).value, self.today)
        except GrtError as e:
            self.query_one(".form-error", Static).update(Text(str(e), style="bold"))
            return
        self.dismiss((option.id, self.query_one("#status-note", Input).value.strip(), date))

    def action_cancel(self) -> None:
        self.dismiss(None)


class AnswerDialog(ModalScreen[tuple[str, str] | None]):
    """Management's answer, as they gave it, and when it arrived."""

    KEYS = [
        Key("ctrl+s", "save", "Enregistrer", "Save", priority=True),
        Key("escape", "cancel", "Annuler", "Cancel"),
    ]

    def __init__(self, proposal: dict[str, Any], today: dt.date) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.proposal = proposal
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="answer-dialog") as box:
            box.border_title = tr("Réponse des organisateurs du travail", "Answer from those who organise the work")
            box.border_subtitle = tr("Ctrl+S enregistrer · Échap annuler", "Ctrl+S save · Esc cancel")
            yield Static(Text(f"« {_one_line(self.proposal['text'], 150)} »", style="italic"))
            yield Label(tr("La réponse, telle qu'elle a été donnée", "The answer, as it was given"), classes="field-label")
            yield TextArea(self.proposal.get("answer") or "", id="answer-text")
            yield Label(tr("Reçue le (JJ/MM/AAAA)", "Received on (YYYY-MM-DD)"), classes="field-label")
            default = self.proposal.get("answer_date") or self.today.isoformat()
            yield Input(short_date(default), id="answer-date", compact=True)
            yield Static("", classes="form-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        area = self.query_one("#answer-text", TextArea)
        area.move_cursor(area.document.end)
        area.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @after_queued_keys
    def action_save(self) -> None:
        answer = self.query_one("#answer-text", TextArea).text.strip()
        error = self.query_one(".form-error", Static)
        if not answer:
            error.update(Text(tr("La réponse est vide.", "The answer is empty."), style="bold"))
            return
        try:
            date = parse_date(self.query_one("#answer-date", Input).value, self.today)
        except GrtError as e:
            error.update(Text(str(e), style="bold"))
            return
        self.dismiss((answer, date))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ProposalEditForm(FormScreen):
    """A new proposal, or an existing one's text, destination, carrier and origin session."""

    def __init__(
        self,
        db: Database,
        group_id: int,
        *,
        proposal: dict[str, Any] | None = None,
        session_id: int | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.db = db
        self.group_id = group_id
        self.proposal = proposal
        self.session_id = proposal["session_id"] if proposal else session_id
        self.today = today or dt.date.today()
        self.title_text = tr("Modifier la proposition", "Edit the proposal") if proposal else tr("Nouvelle proposition (faire autrement)", "New proposal (doing otherwise)")
        super().__init__()

    def fields(self) -> ComposeResult:
        p = self.proposal
        yield Label(tr("La proposition", "The proposal"), classes="field-label")
        yield Input(p["text"] if p else "", id="text", placeholder=tr("ex. Prévoir 10 minutes de transmission entre deux passages", "e.g. Allow 10 minutes of handover between two visits"))
        yield Label(tr("Destination (↑↓ puis Espace)", "Destination (↑↓ then Space)"), classes="field-label")
        destination = p["destination"] if p else "organisateurs"
        with RadioSet(id="destination"):
            yield RadioButton(tr("À demander aux organisateurs du travail", "To request from those who organise the work"), destination == "organisateurs", id="organisateurs")
            yield RadioButton(tr("Praticable directement par le groupe", "Directly practicable by the group"), destination == "praticable", id="praticable")
        people = [(p_.pseudonym + (f" — {p_.role}" if p_.role else ""), p_.id) for p_ in list_participants(self.db, self.group_id)]
        yield Label(tr("Portée par", "Carried by"), classes="field-label")
        yield Select([(tr("le groupe", "the group"), 0), *people], value=(p["carrier_id"] or 0) if p else 0, allow_blank=False, id="carrier", compact=True)
        sessions = [(f"{short_date(s['date'])} — {_one_line(s['question'] or '', 50)}", s["id"]) for s in reversed(list_sessions(self.db, self.group_id))]
        yield Label(tr("Née lors de la session", "Born in the session"), classes="field-label")
        current = self.session_id if self.session_id in {v for _, v in sessions} else 0
        yield Select([(tr("(hors session)", "(outside a session)"), 0), *sessions], value=current, allow_blank=False, id="session", compact=True)

    def save(self) -> dict[str, Any]:
        from ..proposals import add_proposal

        radio = self.query_one("#destination", RadioSet)
        destination = radio.pressed_button.id if radio.pressed_button is not None else "organisateurs"
        carrier = self.query_one("#carrier", Select).value or None
        session = self.query_one("#session", Select).value or None
        text = self.query_one("#text", Input).value
        if self.proposal:
            return update_proposal(self.db, self.proposal["id"], text=text, destination=destination, carrier_id=carrier, session_id=session)
        date = None if session else self.today.isoformat()
        return add_proposal(self.db, self.group_id, text, destination, session_id=session, carrier_id=carrier, date=date)


class ProposalsFollowUp(ModalScreen[None]):
    """At the opening of a session: the open proposals born before it, to ask for news and move them on."""

    KEYS = [Key("escape", "close", "Fermer", "Close")]

    def __init__(self, db: Database, group_id: int, session_id: int) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.db = db
        self.group_id = group_id
        self.session_id = session_id

    def compose(self) -> ComposeResult:
        with Vertical(id="follow-up"):
            yield ProposalsPane(self.db, self.group_id, session_id=self.session_id, for_session=True, id="follow-up-pane")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        box = self.query_one("#follow-up")
        box.border_title = tr("Nouvelles des propositions en cours", "News of the open proposals")
        box.border_subtitle = tr("s statut · r réponse · Échap revenir à la séance", "s status · r answer · Esc back to the meeting")
        self.query_one(ProposalsPane).focus_list()

    def action_close(self) -> None:
        self.dismiss(None)

    def help_sections(self):
        return [(tr("Propositions en cours", "Open proposals"), [("↑ ↓", tr("Choisir une proposition", "Choose a proposal"))] + help_rows(PANE_KEYS) + [(tr("Échap", "Esc"), tr("Revenir à la séance", "Back to the meeting"))])]
