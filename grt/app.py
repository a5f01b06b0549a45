"""The Textual application: home screen with the groups and their sessions."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

from .i18n import tr
from .sessions import list_sessions


class GrtApp(App):
    TITLE = "grt"
    BINDINGS = [("q", "quit", tr("Quitter", "Quit"))]

    def __init__(self, db: Database, db_path: Path | None = None, demo_created: bool = False) -> None:
        super().__init__()
        self.db = db
        self.db_path = db_path
        self.demo_created = demo_created

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(tr("Groupes et sessions", "Groups and sessions"))
        yield DataTable(id="sessions", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = tr("Groupes de Rencontres du Travail", "Work Encounter Groups")
        table = self.query_one(DataTable)
        table.add_columns(tr("Groupe", "Group"), "Date", tr("Contrib.", "Contrib."), tr("Question du jour", "Question of the day"))
        for s in list_sessions(self.db):
            table.add_row(s["group_name"], s["date"], str(s["contributions"]), s["question"], key=str(s["id"]))
        if self.demo_created:
            self.notify(tr("Base de démonstration créée.", "Demo database created."))
