"""Home: the groups, their sessions (date, question, contributions, open proposals, authority present),
and the forms to create or edit them. Enter opens a session in the meeting screen."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from sqlite_utils import Database
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from ..groups import get_group, list_groups, list_participants
from ..i18n import tr
from ..models import Group
from ..sessions import attendees, delete_session, get_session, list_sessions
from ..widgets.contribution_list import WrappingOptionList
from ..widgets.keys import HELP_KEY, Key, bind_keys, fit_footer, help_rows
from ..widgets.render import authority_badge, long_date, short_date

STATUS = {"preparee": ("préparée", "planned"), "en_cours": ("en cours", "in progress"), "close": ("close", "closed")}


def open_proposal_counts(db: Database, group_id: int) -> dict[int | None, int]:
    """Open proposals per session they were born in (None: noted outside a session)."""
    try:
        from ..proposals import list_proposals

        rows = list_proposals(db, group_id=group_id, open_only=True)
    except ImportError:  # proposals module not there: read the table directly
        rows = list(db.query("SELECT session_id FROM proposals WHERE group_id = ? AND status NOT IN ('mise_en_oeuvre', 'abandonnee')", [group_id]))
    counts: dict[int | None, int] = {}
    for r in rows:
        counts[r["session_id"]] = counts.get(r["session_id"], 0) + 1
    return counts


class HomeScreen(Screen):
    KEYS = [
        HELP_KEY,
        Key("enter", "open_session", "Ouvrir", "Open", bind=False),
        Key("n", "new_session", "Nouv. session", "New session"),
        Key("g", "new_group", "Nouv. groupe", "New group"),
        Key("e", "edit", "Modifier", "Edit"),
        Key("p", "participants", "Participants", "Participants"),
        Key("f", "proposals", "Propositions", "Proposals", wide=True),
        Key("d", "app.open_screen('debates')", "Débats", "Debates", wide=True, help_fr="Débats de normes et propositions du groupe (mettre à jour les statuts, noter les réponses)", help_en="Norm debates and proposals of the group (update statuses, record answers)"),
        Key("r", "app.open_screen('review')", "Revue", "Review", wide=True, help_fr="Revue du groupe : chercher dans toutes les sessions, codes par session, chronologie", help_en="Group review: search all sessions, codes per session, timeline"),
        Key("a", "app.open_screen('annotate')", "Annoter", "Annotate", wide=True, help_fr="Annoter la session choisie : décider des codes suggérés, coder ce qui manque, écrire des mémos", help_en="Annotate the chosen session: decide the suggested codes, tag what is missing, write memos"),
        Key("delete", "delete_session", "Supprimer une session vide", "Delete an empty session", show=False),
        Key("s", "app.open_screen('synthesis')", "Synthèse", "Synthesis", wide=True, help_fr="Synthèse en trois pôles de la session choisie : valider avec le groupe, exporter en Word", help_en="Three-pole synthesis of the chosen session: validate with the group, export to Word"),
        Key("q", "app.quit", "Quitter", "Quit", wide=True),
    ]

    def __init__(self, db: Database) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.db = db
        self.groups: list[Group] = []
        self.sessions: list[dict[str, Any]] = []
        self.group: Group | None = None

    def compose(self) -> ComposeResult:
        yield Static(tr("grt · Groupes de Rencontres du Travail", "grt · Work Encounter Groups"), classes="topbar")
        with Horizontal(id="home-body"):
            with Vertical(id="groups-pane"):
                yield WrappingOptionList(id="groups")
                yield Static("", id="participants")
            with Vertical(id="sessions-pane"):
                yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
                yield Static("", id="session-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#groups", OptionList).border_title = tr("Groupes", "Groups")
        table = self.query_one("#sessions", DataTable)
        # On the table itself, so that the footer shows "Entrée Ouvrir" (the table's own Enter is hidden).
        bind_keys(table, [Key("enter", "screen.open_session", "Ouvrir", "Open")])
        self._question_width = 30
        self.reload()
        if self.groups:
            table.focus()
        else:
            self.query_one("#groups", OptionList).focus()

    def on_screen_resume(self) -> None:
        # Counts change while a meeting runs; the very first resume comes right after on_mount.
        if getattr(self, "_resumed_once", False):
            self.reload()
        self._resumed_once = True

    def on_resize(self) -> None:
        fit_footer(self, self.KEYS)
        self.call_after_refresh(self._fit_question_column)

    # --- data ------------------------------------------------------------------------------------

    def reload(self, group_id: int | None = None, session_id: int | None = None) -> None:
        """Re-read everything (counts change while a meeting runs); keep the cursor where it was."""
        keep_group = group_id or (self.group.id if self.group else self.app.group_id)  # type: ignore[attr-defined]
        keep_session = session_id or self.app.session_id  # type: ignore[attr-defined]
        self.groups = list_groups(self.db)
        box = self.query_one("#groups", OptionList)
        counts = dict(self.db.execute("SELECT group_id, COUNT(*) FROM sessions GROUP BY group_id").fetchall())
        box.set_options(self._group_option(g, counts.get(g.id, 0)) for g in self.groups)
        if not self.groups:
            self.group = None
            box.add_option(Option(Text(tr("Aucun groupe.\nAppuyez sur g pour créer le vôtre.", "No group yet.\nPress g to create yours."), style="italic"), disabled=True))
            self._show_sessions(None)
            return
        index = next((i for i, g in enumerate(self.groups) if g.id == keep_group), 0)
        box.highlighted = index
        self._select_group(self.groups[index], keep_session)

    def _group_option(self, g: Group, sessions: int) -> Option:
        text = Text(g.name, style="bold")
        detail = ", ".join(x for x in [g.sector, tr("{n} session(s)", "{n} session(s)", n=sessions)] if x)
        text.append("\n" + detail, style="dim")
        return Option(text, id=str(g.id))

    def _select_group(self, group: Group, session_id: int | None = None) -> None:
        self.group = group
        self.app.group_id = group.id  # type: ignore[attr-defined]
        people = list_participants(self.db, group.id)
        lines = Text()
        for p in people:
            if lines:
                lines.append("\n")
            lines.append(p.pseudonym, style="bold" if p.active else "dim strike")
            if p.role:
                lines.append(f" — {p.role}", style="dim")
            if p.authority:
                lines.append(" ")
                lines.append_text(authority_badge())
        if not people:
            lines = Text(tr("Aucun participant : touche p.", "No participant: key p."), style="italic")
        pane = self.query_one("#participants", Static)
        pane.update(lines)
        pane.border_title = tr("Participants ({n})", "Participants ({n})", n=len(people))
        self._show_sessions(group, session_id)

    def _show_sessions(self, group: Group | None, session_id: int | None = None) -> None:
        table = self.query_one("#sessions", DataTable)
        self.sessions = list(reversed(list_sessions(self.db, group.id))) if group else []
        table.border_title = tr("Sessions de « {g} »", "Sessions of '{g}'", g=group.name) if group else tr("Sessions", "Sessions")
        proposals = open_proposal_counts(self.db, group.id) if group else {}
        self._authority = {s["id"]: [p for p in attendees(self.db, s["id"]) if p.authority] for s in self.sessions}
        for s in self.sessions:
            s["open_proposals"] = proposals.get(s["id"], 0)
        index = next((i for i, s in enumerate(self.sessions) if s["id"] == session_id), 0)
        self._fill_table(index)
        self.call_after_refresh(self._fit_question_column)
        self._show_detail(self.sessions[index] if self.sessions else None)

    def _authority_width(self) -> int:
        names = [", ".join(p.pseudonym for p in bosses) for bosses in self._authority.values() if bosses]
        return min(24, max([len(tr("Autorité", "Authority"))] + [len(n) + 2 for n in names]))

    def _fill_table(self, cursor: int = 0) -> None:
        """(Re)build the table; the question column gets the width the others leave."""
        table = self.query_one("#sessions", DataTable)
        table.clear(columns=True)
        table.add_column("Date", key="date", width=10)
        table.add_column(tr("Question du jour", "Question of the day"), key="question", width=self._question_width)
        table.add_column(tr("Contrib.", "Contrib."), key="contributions", width=8)
        table.add_column(tr("Prop.", "Prop."), key="proposals", width=5)
        table.add_column(tr("Autorité", "Authority"), key="authority", width=self._authority_width())
        for s in self.sessions:
            table.add_row(*self._cells(s), key=str(s["id"]))
        if self.sessions:
            table.move_cursor(row=min(cursor, len(self.sessions) - 1), animate=False)

    def _cells(self, s: dict[str, Any]) -> list[Any]:
        bosses = self._authority.get(s["id"], [])
        authority = Text(" " + ", ".join(p.pseudonym for p in bosses) + " ", style="bold black on #e0b030") if bosses else Text("—", style="dim")
        question = s["question"] or tr("(pas de question)", "(no question)")
        return [short_date(s["date"]), question, str(s["contributions"]), str(s["open_proposals"] or "—"), authority]

    def _fit_question_column(self) -> None:
        table = self.query_one("#sessions", DataTable)
        available = table.scrollable_content_region.width
        if available <= 0:
            return
        # Each column also takes 2 cells of padding.
        others = (10 + 2) + (8 + 2) + (5 + 2) + (self._authority_width() + 2)
        width = max(12, available - others - 2 - 1)
        if width != self._question_width:
            self._question_width = width
            self._fill_table(table.cursor_row)

    def _show_detail(self, s: dict[str, Any] | None) -> None:
        detail = self.query_one("#session-detail", Static)
        if s is None:
            self.app.session_id = None  # type: ignore[attr-defined]
            detail.update(
                Text(tr("Aucune session. Appuyez sur n pour en créer une.", "No session yet. Press n to create one."), style="italic")
                if self.group
                else ""
            )
            return
        self.app.session_id = s["id"]  # type: ignore[attr-defined]
        out = Text()
        out.append(long_date(s["date"]).capitalize(), style="bold")
        out.append(f"  · {tr(*STATUS.get(s['status'], (s['status'], s['status'])))}", style="dim")
        out.append("\n")
        out.append(s["question"] or tr("(pas de question du jour)", "(no question of the day)"), style="italic")
        facts = [tr("{n} contribution(s)", "{n} contribution(s)", n=s["contributions"])]
        if s["off_record"]:
            facts.append(tr("dont {n} hors compte rendu", "{n} off the record", n=s["off_record"]))
        facts.append(tr("{n} passage(s) codé(s)", "{n} tagged passage(s)", n=s["annotations"]))
        facts.append(tr("{n} proposition(s) ouverte(s)", "{n} open proposal(s)", n=s["open_proposals"]))
        out.append("\n" + " · ".join(facts), style="dim")
        bosses = self._authority.get(s["id"], [])
        if bosses:
            out.append("\n")
            out.append_text(authority_badge())
            names = ", ".join(f"{p.pseudonym} ({p.role})" if p.role else p.pseudonym for p in bosses)
            out.append(" " + tr("Présence en position d'autorité : {n}", "Present in a position of authority: {n}", n=names), style="bold")
        detail.update(out)

    # --- events ----------------------------------------------------------------------------------

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None:
            return
        group_id = int(event.option.id)
        if self.group is None or self.group.id != group_id:
            self._select_group(get_group(self.db, group_id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#sessions", DataTable).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.sessions):
            self._show_detail(self.sessions[event.cursor_row])

    # --- actions ---------------------------------------------------------------------------------

    def current_session(self) -> dict[str, Any] | None:
        table = self.query_one("#sessions", DataTable)
        if not self.sessions or not (0 <= table.cursor_row < len(self.sessions)):
            return None
        return self.sessions[table.cursor_row]

    def _need_group(self) -> bool:
        if self.group is None:
            self.notify(tr("Créez d'abord un groupe (touche g).", "Create a group first (key g)."), severity="warning")
            return False
        return True

    def action_open_session(self) -> None:
        s = self.current_session()
        if s is None:
            self.notify(tr("Pas de session à ouvrir : créez-en une avec n.", "No session to open: create one with n."), severity="warning")
            return
        self.app.open_screen("meeting", group_id=s["group_id"], session_id=s["id"])  # type: ignore[attr-defined]

    def action_new_group(self) -> None:
        from .forms import GroupForm, ParticipantsScreen

        def done(group) -> None:
            if group:
                self.reload(group_id=group.id)
                self.notify(tr("Groupe « {g} » créé. Ajoutez ses participants (a).", "Group '{g}' created. Add its participants (a).", g=group.name))
                self.app.push_screen(ParticipantsScreen(self.db, group.id))

        self.app.push_screen(GroupForm(self.db), done)

    def action_new_session(self) -> None:
        from .forms import SessionForm

        if not self._need_group():
            return
        today = self.app.now().date()  # type: ignore[attr-defined]
        self.app.push_screen(SessionForm(self.db, self.group.id, today=today), lambda s: s and self.reload(session_id=s.id))

    def action_edit(self) -> None:
        from .forms import GroupForm, SessionForm

        if not self._need_group():
            return
        s = self.current_session()
        if self.focused is self.query_one("#groups") or s is None:
            self.app.push_screen(GroupForm(self.db, self.group), lambda g: g and self.reload(group_id=g.id))
        else:
            session = get_session(self.db, s["id"])
            self.app.push_screen(SessionForm(self.db, self.group.id, session), lambda x: x and self.reload(session_id=x.id))

    def action_participants(self) -> None:
        from .forms import ParticipantsScreen

        if self._need_group():
            self.app.push_screen(ParticipantsScreen(self.db, self.group.id))

    def action_proposals(self) -> None:
        from ..widgets.proposals_panel import ProposalsDialog, open_proposals

        if self._need_group():
            self.app.push_screen(ProposalsDialog(open_proposals(self.db, self.group.id)))

    def action_delete_session(self) -> None:
        from .forms import ConfirmDialog

        s = self.current_session()
        if s is None:
            return
        if s["contributions"] or s["proposals"]:
            self.notify(
                tr("Cette session contient déjà des contributions : elle n'est pas supprimée.", "This session already holds contributions: not deleted."),
                severity="warning",
            )
            return

        def done(yes: bool | None) -> None:
            if yes:
                delete_session(self.db, s["id"])
                self.reload()

        self.app.push_screen(ConfirmDialog(tr("Supprimer la session vide du {d} ?", "Delete the empty session of {d}?", d=short_date(s["date"]))), done)

    # --- help and palette ------------------------------------------------------------------------

    def help_sections(self):
        return [
            (
                tr("Accueil", "Home"),
                [
                    ("↑ ↓", tr("Choisir un groupe ou une session", "Choose a group or a session")),
                    (tr("Entrée", "Enter"), tr("Ouvrir la session (écran de séance)", "Open the session (meeting screen)")),
                ]
                + help_rows([k for k in self.KEYS if k.bind]),
            )
        ]

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            (tr("Ouvrir la session", "Open the session"), tr("L'écran de séance de la session choisie", "The meeting screen of the chosen session"), self.action_open_session),
            (tr("Nouvelle session", "New session"), tr("Date, question du jour, présents", "Date, question of the day, who is present"), self.action_new_session),
            (tr("Nouveau groupe", "New group"), tr("Puis ses participants", "Then its participants"), self.action_new_group),
            (tr("Participants du groupe", "Participants of the group"), tr("Pseudonymes, rôles, autorité", "Pseudonyms, roles, authority"), self.action_participants),
            (tr("Propositions en cours du groupe", "Open proposals of the group"), tr("Où en sont les « faire autrement »", "Where the proposals stand"), self.action_proposals),
            (tr("Modifier", "Edit"), tr("Le groupe ou la session choisie", "The chosen group or session"), self.action_edit),
        ]
