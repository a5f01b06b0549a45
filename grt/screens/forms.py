"""Small forms over the domain: group, participant, session, proposal; and a yes/no question.

Keyboard: Tab moves between fields, Enter goes to the next field (and saves from the last one),
Ctrl+S saves from anywhere, Escape cancels. Errors show as a sentence under the fields.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rich.text import Text
from sqlite_utils import Database
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, DataTable, Footer, Input, Label, RadioButton, RadioSet, SelectionList, Static

from ..errors import GrtError, InvalidInput
from ..groups import add_group, add_participant, delete_participant, get_group, list_participants, update_group, update_participant
from ..i18n import tr
from ..models import Contribution, Group, Participant, Session
from ..sessions import add_session, attendees, set_attendance, update_session
from ..validation import iso_date
from ..widgets.keys import HELP_KEY, Key, after_queued_keys, bind_keys, fit_footer, help_rows
from ..widgets.render import authority_badge, short_date, speaker_name

_FR_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?\s*$")


def parse_date(text: str, today: dt.date | None = None) -> str:
    """ISO date from what a French user types: '20/11/2026', '20/11', '2026-11-20' or nothing (today)."""
    today = today or dt.date.today()
    if not (text or "").strip():
        return today.isoformat()
    m = _FR_DATE.match(text)
    if m:
        day, month, year = int(m[1]), int(m[2]), m[3]
        y = today.year if year is None else (2000 + int(year) if len(year) == 2 else int(year))
        try:
            return dt.date(y, month, day).isoformat()
        except ValueError:
            raise InvalidInput(tr("Date impossible : « {v} ».", "Impossible date: '{v}'.", v=text.strip())) from None
    try:
        return iso_date(text)
    except InvalidInput:
        raise InvalidInput(
            tr("Date invalide : « {v} » (par exemple 20/11/2026).", "Invalid date: '{v}' (for example 2026-11-20).", v=text.strip())
        ) from None


class FormScreen(ModalScreen):
    """A titled box of fields; subclasses implement fields() and save() (which may raise GrtError)."""

    KEYS = [
        Key("ctrl+s", "submit", "Enregistrer", "Save", priority=True),
        Key("escape", "cancel", "Annuler", "Cancel"),
    ]
    title_text = ""

    def __init__(self) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)

    def compose(self) -> ComposeResult:
        with Vertical(classes="form") as box:
            box.border_title = self.title_text
            box.border_subtitle = tr("Ctrl+S enregistrer · Échap annuler", "Ctrl+S save · Esc cancel")
            yield from self.fields()
            yield Static("", classes="form-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        first = next((w for w in self.query("Input, SelectionList, RadioSet, Checkbox") if w.focusable), None)
        if first is not None:
            first.focus()

    def fields(self) -> ComposeResult:
        yield from ()

    def save(self) -> Any:
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.query_one(".form-error", Static).update(Text(message, style="bold"))

    @after_queued_keys
    def action_submit(self) -> None:
        try:
            result = self.save()
        except GrtError as e:
            self.show_error(str(e))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: next field, or save from the last one."""
        event.stop()
        fields = [w for w in self.query("Input, SelectionList, RadioSet, Checkbox") if w.focusable]
        if not fields or event.input is fields[-1]:
            self.action_submit()
        else:
            self.focus_next()


def _label(fr: str, en: str) -> Label:
    return Label(tr(fr, en), classes="field-label")


class GroupForm(FormScreen):
    def __init__(self, db: Database, group: Group | None = None) -> None:
        self.db = db
        self.group = group
        self.title_text = tr("Modifier le groupe", "Edit the group") if group else tr("Nouveau groupe", "New group")
        super().__init__()

    def fields(self) -> ComposeResult:
        yield _label("Nom du groupe", "Group name")
        yield Input(self.group.name if self.group else "", id="name", placeholder=tr("ex. Équipe SAAD Est", "e.g. Home care team East"))
        yield _label("Secteur (facultatif)", "Sector (optional)")
        yield Input(self.group.sector if self.group else "", id="sector", placeholder=tr("ex. aide à domicile", "e.g. home care"))

    def save(self) -> Group:
        name = self.query_one("#name", Input).value
        sector = self.query_one("#sector", Input).value
        if self.group:
            return update_group(self.db, self.group.id, name=name, sector=sector)
        return add_group(self.db, name, sector)


class ParticipantForm(FormScreen):
    def __init__(self, db: Database, group_id: int, participant: Participant | None = None) -> None:
        self.db = db
        self.group_id = group_id
        self.participant = participant
        self.title_text = tr("Modifier le participant", "Edit the participant") if participant else tr("Nouveau participant", "New participant")
        super().__init__()

    def fields(self) -> ComposeResult:
        p = self.participant
        yield _label("Pseudonyme (ce qui apparaîtra partout)", "Pseudonym (shown everywhere)")
        yield Input(p.pseudonym if p else "", id="pseudonym", placeholder=tr("ex. Lina", "e.g. Lina"))
        yield _label("Rôle ou métier", "Role or trade")
        yield Input(p.role if p else "", id="role", placeholder=tr("ex. aide-soignante", "e.g. care assistant"))
        yield Checkbox(tr("En position d'autorité sur d'autres membres (cadre, responsable…)", "In a position of authority over others (manager…)"), p.authority if p else False, id="authority")
        yield _label("Nom réel (facultatif : jamais affiché ni exporté, sert à le masquer)", "Real name (optional: never shown or exported, used to mask it)")
        yield Input(p.real_name if p else "", id="real_name", password=False)
        if p:
            yield Checkbox(tr("Participe encore au groupe", "Still takes part in the group"), p.active, id="active")

    def save(self) -> Participant:
        values = {
            "pseudonym": self.query_one("#pseudonym", Input).value,
            "role": self.query_one("#role", Input).value,
            "authority": self.query_one("#authority", Checkbox).value,
            "real_name": self.query_one("#real_name", Input).value,
        }
        if self.participant:
            values["active"] = self.query_one("#active", Checkbox).value
            return update_participant(self.db, self.participant.id, **values)
        return add_participant(self.db, self.group_id, values["pseudonym"], values["role"], authority=values["authority"], real_name=values["real_name"])


class SessionForm(FormScreen):
    """Date (today by default), question of the day, and who is present."""

    def __init__(self, db: Database, group_id: int, session: Session | None = None, today: dt.date | None = None) -> None:
        self.db = db
        self.group_id = group_id
        self.session = session
        self.today = today or dt.date.today()
        group = get_group(db, group_id)
        self.title_text = (
            tr("Modifier la session", "Edit the session") if session else tr("Nouvelle session — {g}", "New session — {g}", g=group.name)
        )
        self.people = list_participants(db, group_id)
        present = {p.id for p in attendees(db, session.id)} if session else {p.id for p in self.people if p.active}
        self.present = present
        super().__init__()

    def fields(self) -> ComposeResult:
        date = self.session.date if self.session else self.today.isoformat()
        yield _label("Date (JJ/MM/AAAA)", "Date (YYYY-MM-DD)")
        yield Input(short_date(date), id="date")
        yield _label("Question du jour", "Question of the day")
        yield Input(self.session.question if self.session else "", id="question", placeholder=tr("ex. Qu'est-ce qui vous a empêchés de bien faire votre travail ?", "e.g. What kept you from doing your work well?"))
        if self.people:
            yield _label("Présents (Espace pour cocher / décocher)", "Present (Space to tick / untick)")
            items = []
            for p in self.people:
                label = Text()
                if p.authority:  # first, so that a long role never hides it
                    label.append_text(authority_badge())
                    label.append(" ")
                label.append(p.pseudonym, style="bold")
                if p.role:
                    label.append(f" — {p.role}")
                items.append((label, p.id, p.id in self.present))
            yield SelectionList[int](*items, id="present")

    def save(self) -> Session:
        date = parse_date(self.query_one("#date", Input).value, self.today)
        question = self.query_one("#question", Input).value
        if self.session:
            session = update_session(self.db, self.session.id, date=date, question=question)
        else:
            session = add_session(self.db, self.group_id, date, question)
        if self.people:
            chosen = set(self.query_one("#present", SelectionList).selected)
            for p in self.people:
                set_attendance(self.db, session.id, p.id, p.id in chosen)
        return session


class ProposalForm(FormScreen):
    """Note a proposal as it comes: its text and where it goes; linked to the contribution it came from."""

    def __init__(self, db: Database, group_id: int, session_id: int | None, carrier: Participant | None, source: Contribution | None) -> None:
        self.db = db
        self.group_id = group_id
        self.session_id = session_id
        self.carrier = carrier
        self.source = source
        self.title_text = tr("Noter une proposition (faire autrement)", "Note a proposal (doing otherwise)")
        super().__init__()

    def fields(self) -> ComposeResult:
        yield _label("La proposition", "The proposal")
        yield Input("", id="text", placeholder=tr("ex. Prévoir 10 minutes de transmission entre deux passages", "e.g. Allow 10 minutes of handover between two visits"))
        yield _label("Destination (↑↓ puis Espace)", "Destination (↑↓ then Space)")
        with RadioSet(id="destination"):
            yield RadioButton(tr("À demander aux organisateurs du travail", "To request from those who organise the work"), True, id="organisateurs")
            yield RadioButton(tr("Praticable directement par le groupe", "Directly practicable by the group"), id="praticable")
        who = speaker_name(self.carrier) if self.carrier else tr("le groupe", "the group")
        yield Static(tr("Portée par : {w}", "Carried by: {w}", w=who), classes="field-label")
        if self.source is not None:
            words = " ".join(self.source.text.split())
            words = words[:60] + ("…" if len(words) > 60 else "")
            yield Checkbox(tr("Lier à la contribution « {w} »", "Link to the contribution '{w}'", w=words), True, id="link")

    def save(self) -> dict[str, Any]:
        from ..proposals import add_proposal

        radio = self.query_one("#destination", RadioSet)
        destination = radio.pressed_button.id if radio.pressed_button is not None else "organisateurs"
        links = []
        if self.source is not None and self.query_one("#link", Checkbox).value:
            links = [self.source.id]
        return add_proposal(
            self.db,
            self.group_id,
            self.query_one("#text", Input).value,
            destination,
            session_id=self.session_id,
            carrier_id=self.carrier.id if self.carrier else None,
            contribution_ids=links,
        )


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; No is what Escape and Enter give, so nothing is lost by reflex."""

    KEYS = [
        Key("o,y", "answer(True)", "Oui", "Yes"),
        Key("n,escape,enter", "answer(False)", "Non", "No"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="form confirm") as box:
            box.border_title = tr("Confirmer", "Confirm")
            yield Static(Text(self.question, style="bold"))
            if self.detail:
                yield Static(self.detail, classes="confirm-detail")
            yield Static(tr("o : oui    n ou Échap : non", "y: yes    n or Esc: no"), classes="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ParticipantsScreen(Screen):
    """The participants of one group: pseudonym, role, authority; add, edit, reorder (F-key order)."""

    KEYS = [
        HELP_KEY,
        Key("a", "add", "Ajouter", "Add"),
        Key("e", "edit", "Modifier", "Edit", show=False, in_help=False),
        Key("shift+up", "move(-1)", "Déplacer", "Move", display="Maj+↑↓|Shift+↑↓",
            help_fr="Monter / descendre (l'ordre des touches F2, F3…)", help_en="Move up / down (the order of the F2, F3… keys)"),
        Key("shift+down", "move(1)", "Descendre", "Move down", show=False, in_help=False),
        Key("delete", "delete", "Supprimer", "Delete", help_fr="Supprimer (seulement sans contribution)", help_en="Delete (only without contributions)"),
        Key("escape", "back", "Retour", "Back"),
    ]
    TABLE_KEYS = [Key("enter", "screen.edit", "Modifier", "Edit", help_fr="Modifier le participant", help_en="Edit the participant")]

    def __init__(self, db: Database, group_id: int) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.db = db
        self.group = get_group(db, group_id)

    def compose(self) -> ComposeResult:
        yield Static(tr("grt · Participants de « {g} »", "grt · Participants of '{g}'", g=self.group.name), classes="topbar")
        yield Static(
            tr(
                "Dans l'ordre des touches de parole (F2, F3…). Les pseudonymes seuls apparaissent dans les comptes rendus.",
                "In the order of the speaker keys (F2, F3…). Only pseudonyms appear in reports.",
            ),
            classes="hint",
        )
        yield DataTable(id="people", cursor_type="row", zebra_stripes=True)
        yield Static("", id="people-empty", classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        bind_keys(table, self.TABLE_KEYS)
        table.add_column(tr("Pseudonyme", "Pseudonym"), key="pseudonym")
        table.add_column(tr("Autorité", "Authority"), key="authority")
        table.add_column(tr("Actif", "Active"), key="active")
        table.add_column(tr("Rôle / métier", "Role / trade"), key="role")
        self.reload()
        table.focus()

    def on_resize(self) -> None:
        fit_footer(self, self.KEYS)

    def reload(self, select: int | None = None) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.people = list_participants(self.db, self.group.id)
        for p in self.people:
            table.add_row(
                p.pseudonym,
                authority_badge() if p.authority else "",
                tr("oui", "yes") if p.active else tr("non", "no"),
                p.role,
                key=str(p.id),
            )
        self.query_one("#people-empty", Static).update(
            "" if self.people else tr("Aucun participant : appuyez sur a pour en ajouter un.", "No participant yet: press a to add one.")
        )
        if select is not None:
            for i, p in enumerate(self.people):
                if p.id == select:
                    table.move_cursor(row=i)

    def current(self) -> Participant | None:
        table = self.query_one(DataTable)
        if not self.people or table.cursor_row is None or table.cursor_row >= len(self.people):
            return None
        return self.people[table.cursor_row]

    def action_add(self) -> None:
        self.app.push_screen(ParticipantForm(self.db, self.group.id), lambda p: p and self.reload(select=p.id))

    def action_edit(self) -> None:
        p = self.current()
        if p is not None:
            self.app.push_screen(ParticipantForm(self.db, self.group.id, p), lambda q: q and self.reload(select=q.id))

    def action_move(self, offset: int) -> None:
        p = self.current()
        if p is None:
            return
        ids = [x.id for x in self.people]
        i = ids.index(p.id)
        j = max(0, min(len(ids) - 1, i + offset))
        ids.insert(j, ids.pop(i))
        for pos, pid in enumerate(ids):
            update_participant(self.db, pid, position=pos)
        self.reload(select=p.id)

    def action_delete(self) -> None:
        p = self.current()
        if p is None:
            return
        spoken = self.db.execute("SELECT COUNT(*) FROM contributions WHERE participant_id = ?", [p.id]).fetchone()[0]
        if spoken:
            self.notify(
                tr(
                    "{p} a déjà {n} contribution(s) : on ne le supprime pas. Décochez plutôt « Participe encore » (Entrée).",
                    "{p} already has {n} contribution(s): not deleted. Untick 'Still takes part' instead (Enter).",
                    p=p.pseudonym,
                    n=spoken,
                ),
                severity="warning",
            )
            return

        def done(yes: bool | None) -> None:
            if yes:
                delete_participant(self.db, p.id)
                self.reload()

        self.app.push_screen(ConfirmDialog(tr("Supprimer {p} du groupe ?", "Remove {p} from the group?", p=p.pseudonym)), done)

    def action_back(self) -> None:
        self.dismiss()

    def help_sections(self):
        return [(tr("Participants", "Participants"), help_rows(self.TABLE_KEYS + self.KEYS))]
