"""The names found in what would leave the group, and what replaces them: the facilitator checks and corrects.

Names come from the scan (participants' real names, "Mme X", persons the French model recognises); the
facilitator may change a replacement, keep a word that is not a name, add a name the scan missed, or forget
one. A participant's full real name can never be kept (grt.synthesis.set_replacement refuses it).
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from sqlite_utils import Database
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, Static

from ..errors import GrtError
from ..groups import list_participants
from ..i18n import tr
from ..synthesis import get_synthesis, list_replacements, remove_replacement, set_replacement
from ..widgets.keys import Key, bind_keys, help_rows


class NamesDialog(ModalScreen[None]):
    KEYS = [
        Key("c,enter", "edit", "Corriger", "Correct", help_fr="Corriger le remplacement du nom choisi", help_en="Correct the chosen name's replacement"),
        Key("k", "keep", "Pas un nom", "Not a name", help_fr="Ce n'est pas un nom de personne : le garder tel quel", help_en="Not a person's name: keep it as it is"),
        Key("p", "person", "[personne]", "[person]", help_fr="Remplacer par [personne]", help_en="Replace with [person]"),
        Key("a", "add", "Ajouter", "Add", help_fr="Ajouter un nom que la recherche n'a pas vu", help_en="Add a name the search missed"),
        Key("delete", "forget", "Oublier", "Forget", help_fr="Oublier ce nom (une nouvelle recherche pourra le retrouver)", help_en="Forget this name (a new search may find it again)"),
        Key("s", "scan", "Chercher", "Search", help_fr="Chercher à nouveau les noms (modèle français)", help_en="Search the names again (French model)"),
        Key("escape", "close", "Fermer", "Close"),
    ]

    def __init__(self, db: Database, synthesis_id: int, scan: Callable[[], None], scanning: bool = False) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.db = db
        self.synthesis_id = synthesis_id
        self.scan = scan
        self.scanning = scanning
        self.rows: list[dict] = []
        self.mode: str | None = None  # "edit", "add-name", "add-replacement"
        self.new_name = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="synth-names") as box:
            box.border_title = tr("Noms masqués dans la synthèse", "Names masked in the synthesis")
            box.border_subtitle = tr("Entrée corriger · k pas un nom · a ajouter · Échap fermer", "Enter correct · k not a name · a add · Esc close")
            yield Static("", id="synth-names-status", classes="hint")
            yield DataTable(id="synth-names-table", cursor_type="row", zebra_stripes=True)
            yield Label("", id="synth-names-label", classes="field-label")
            yield Input(id="synth-names-input")
            yield Static("", classes="form-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(tr("Trouvé dans le texte", "Found in the text"), key="original")
        table.add_column(tr("Sortira comme", "Will leave as"), key="replacement")
        table.add_column(tr("D'où", "Why"), key="kind")
        self._close_input()
        self.reload()
        table.focus()

    def set_scanning(self, scanning: bool) -> None:
        self.scanning = scanning
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        if keep is None and self.rows and 0 <= table.cursor_row < len(self.rows):
            keep = self.rows[table.cursor_row]["original"]
        self.rows = list_replacements(self.db, self.synthesis_id)
        table.clear()
        for r in self.rows:
            kind = tr("vrai nom d'un participant", "a participant's real name") if r["kind"] == "nom_reel" else tr("repéré dans le texte", "found in the text")
            replacement = Text(tr("(gardé tel quel)", "(kept as is)"), style="dim italic") if r["kept"] else Text(r["replacement"], style="bold")
            table.add_row(r["original"], replacement, Text(kind, style="dim"), key=r["original"])
        originals = [r["original"] for r in self.rows]
        if keep in originals:
            table.move_cursor(row=originals.index(keep), animate=False)
        if self.scanning:
            text = Text(tr("⏳ Recherche des noms en cours (modèle français)…", "⏳ Searching names (French model)…"), style="bold")
        elif not self.rows:
            text = Text(tr("Aucun nom de personne trouvé dans ce qui sortira. s : chercher à nouveau ; a : ajouter un nom.", "No person's name found in what will leave. s: search again; a: add a name."), style="italic")
        else:
            text = Text(
                tr(
                    "{n} nom(s) trouvé(s) dans ce qui sortira du groupe. Vérifiez chaque remplacement avant d'exporter.",
                    "{n} name(s) found in what will leave the group. Check each replacement before exporting.",
                    n=len(self.rows),
                )
            )
        self.query_one("#synth-names-status", Static).update(text)

    # --- the line being edited -------------------------------------------------------------------

    def current(self) -> dict | None:
        table = self.query_one(DataTable)
        if not self.rows or not (0 <= table.cursor_row < len(self.rows)):
            return None
        return self.rows[table.cursor_row]

    def _open_input(self, mode: str, label: str, value: str) -> None:
        self.mode = mode
        self.query_one("#synth-names-label", Label).update(label)
        self.query_one("#synth-names-label").display = True
        box = self.query_one(Input)
        box.display = True
        box.value = value
        box.cursor_position = len(value)
        box.focus()

    def _close_input(self) -> None:
        self.mode = None
        self.query_one("#synth-names-label").display = False
        self.query_one(Input).display = False
        self.query_one(DataTable).focus()

    def _error(self, message: str = "") -> None:
        self.query_one(".form-error", Static).update(Text(message, style="bold") if message else "")

    def _save(self, original: str, replacement: str) -> bool:
        try:
            set_replacement(self.db, self.synthesis_id, original, replacement)
        except GrtError as e:
            self._error(str(e))
            return False
        self._error()
        self.reload(keep=original)
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if self.mode == "edit":
            row = self.current()
            if row and self._save(row["original"], value):
                self._close_input()
        elif self.mode == "add-name":
            if not value:
                self._error(tr("Tapez le nom tel qu'il est écrit dans le texte.", "Type the name as it is written in the text."))
                return
            from ..anonymize import default_replacement

            self.new_name = value
            people = list_participants(self.db, get_synthesis(self.db, self.synthesis_id).group_id)
            self._open_input("add-replacement", tr("Remplacé par :", "Replaced with:"), default_replacement(value, people))
        elif self.mode == "add-replacement":
            if self._save(self.new_name, value):
                self._close_input()

    # --- actions ---------------------------------------------------------------------------------

    def action_edit(self) -> None:
        row = self.current()
        if row is None:
            return
        self._open_input("edit", tr("« {n} » sortira comme :", "'{n}' will leave as:", n=row["original"]), row["replacement"])

    def action_keep(self) -> None:
        row = self.current()
        if row is not None:
            self._save(row["original"], row["original"])

    def action_person(self) -> None:
        from ..anonymize import person

        row = self.current()
        if row is not None:
            self._save(row["original"], person())

    def action_add(self) -> None:
        self._open_input("add-name", tr("Nom à masquer (tel qu'écrit dans le texte) :", "Name to mask (as written in the text):"), "")

    def action_forget(self) -> None:
        row = self.current()
        if row is not None:
            remove_replacement(self.db, self.synthesis_id, row["original"])
            self._error()
            self.reload()

    def action_scan(self) -> None:
        self.scan()

    def action_close(self) -> None:
        if self.mode is not None:
            self._error()
            self._close_input()
            return
        self.dismiss(None)

    def help_sections(self):
        return [(tr("Noms masqués", "Masked names"), help_rows(self.KEYS))]
