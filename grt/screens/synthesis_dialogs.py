"""Windows over the synthesis screen: writing a text, choosing the sessions, exporting, reading what leaves.

Closing a text editor (Ctrl+S or Escape) keeps what was written: text is never thrown away by reflex.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from rich.console import Group as RichGroup
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from sqlite_utils import Database
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, SelectionList, Static, TextArea

from ..i18n import tr
from ..sessions import list_sessions
from ..widgets.keys import Key, after_queued_keys, bind_keys
from ..widgets.render import short_date


def _short(text: str, n: int) -> str:
    words = " ".join((text or "").split())
    return words if len(words) <= n else words[: n - 1] + "…"


# --- writing a text --------------------------------------------------------------------------


class TextEditorDialog(ModalScreen[str]):
    """The introduction or a pole's text. Returns the text, changed or not."""

    KEYS = [
        Key("ctrl+s", "close", "Enregistrer et fermer", "Save and close", priority=True),
        Key("escape", "close", "Fermer (le texte est gardé)", "Close (the text is kept)"),
    ]

    def __init__(self, title: str, explanation: str, text: str) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.title_text = title
        self.explanation = explanation
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="synth-editor") as box:
            box.border_title = self.title_text
            box.border_subtitle = tr("Ctrl+S ou Échap : enregistrer et fermer", "Ctrl+S or Esc: save and close")
            yield Static(Text(self.explanation, style="italic"), classes="hint")
            yield TextArea(self.text, id="synth-editor-text", soft_wrap=True, show_line_numbers=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)
        area.focus()

    @after_queued_keys
    def action_close(self) -> None:
        if self.is_current:
            self.dismiss(self.query_one(TextArea).text)


# --- choosing the sessions -------------------------------------------------------------------


class SessionsDialog(ModalScreen[list[int]]):
    """Tick the sessions the synthesis covers: this one, the last three, or any range."""

    KEYS = [
        Key("enter,ctrl+s", "submit", "Ouvrir la synthèse", "Open the synthesis", priority=True),
        Key("3", "last_three", "Les 3 dernières", "The last 3"),
        Key("1", "only_this", "Cette séance seule", "This session only"),
        Key("escape", "cancel", "Annuler", "Cancel"),
    ]

    def __init__(self, db: Database, group_id: int, selected: list[int], anchor: int | None) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        # Newest first, as on the home screen.
        self.sessions = list(reversed(list_sessions(db, group_id)))
        self.selected = set(selected)
        self.anchor = anchor if anchor is not None else (selected[-1] if selected else None)

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="synth-sessions") as box:
            box.border_title = tr("Séances de la synthèse", "Sessions of the synthesis")
            box.border_subtitle = tr("Espace cocher · Entrée ouvrir · Échap annuler", "Space tick · Enter open · Esc cancel")
            yield Static(
                tr(
                    "Cochez les séances à réunir (Espace). 3 : les trois dernières jusqu'à la séance ouverte ; 1 : celle-ci seule.",
                    "Tick the sessions to gather (Space). 3: the last three up to the open session; 1: this one only.",
                ),
                classes="hint",
            )
            items = []
            for s in self.sessions:
                label = Text(short_date(s["date"]), style="bold")
                label.append("  " + _short(s["question"] or tr("(pas de question)", "(no question)"), 52))
                label.append("  " + tr("{n} passage(s) codé(s)", "{n} tagged passage(s)", n=s["annotations"]), style="dim")
                items.append((label, s["id"], s["id"] in self.selected))
            yield SelectionList[int](*items, id="synth-sessions-list")
            yield Static("", classes="form-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        box = self.query_one(SelectionList)
        ids = [s["id"] for s in self.sessions]
        if self.anchor in ids:
            box.highlighted = ids.index(self.anchor)
        box.focus()

    def _tick(self, ids: list[int]) -> None:
        box = self.query_one(SelectionList)
        box.deselect_all()
        for i in ids:
            box.select(i)

    def action_last_three(self) -> None:
        ids = [s["id"] for s in self.sessions]
        start = ids.index(self.anchor) if self.anchor in ids else 0
        self._tick(ids[start : start + 3])

    def action_only_this(self) -> None:
        if self.anchor is not None:
            self._tick([self.anchor])

    def action_submit(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if not chosen:
            self.query_one(".form-error", Static).update(
                Text(tr("Cochez au moins une séance (Espace).", "Tick at least one session (Space)."), style="bold")
            )
            return
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- exporting -------------------------------------------------------------------------------


def slug(text: str, limit: int = 40) -> str:
    """'GRT Aide à domicile — secteur Est' -> 'grt-aide-a-domicile-secteur-est' (safe in any file system)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out[:limit].rstrip("-") or "groupe"


def documents_dir() -> Path:
    """The user's Documents folder if there is one, else their home folder."""
    try:
        from platformdirs import user_documents_dir

        docs = Path(user_documents_dir())
    except Exception:  # platformdirs missing or confused: the home folder will do
        docs = Path.home() / "Documents"
    return docs if docs.is_dir() else Path.home()


def default_export_path(group_name: str, dates: list[str], folder: Path | None = None) -> Path:
    """'synthese-<group>-<date>.docx', or '…-<first>-au-<last>.docx' for a range of sessions."""
    folder = folder if folder is not None and folder.is_dir() else documents_dir()
    dates = sorted(dates)
    when = dates[0] if len(dates) == 1 else (f"{dates[0]}-au-{dates[-1]}" if dates else "")
    return folder / f"synthese-{slug(group_name)}{'-' + when if when else ''}.docx"


class ExportDialog(ModalScreen[tuple[Path, bool]]):
    """Where to write the file. Returns (path, overwrite) once the path is sound."""

    KEYS = [
        Key("ctrl+s", "submit", "Exporter", "Export", priority=True),
        Key("escape", "cancel", "Annuler", "Cancel"),
    ]

    def __init__(self, path: Path, summary: Text) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.path = path
        self.summary = summary

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="synth-export") as box:
            box.border_title = tr("Exporter la synthèse", "Export the synthesis")
            box.border_subtitle = tr("Entrée exporter · Échap annuler", "Enter export · Esc cancel")
            yield Static(self.summary)
            yield Label(tr("Fichier (.docx pour Word, .md pour Markdown)", "File (.docx for Word, .md for Markdown)"), classes="field-label")
            yield Input(str(self.path), id="synth-export-path")
            yield Static("", classes="form-error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.focus()
        box.cursor_position = len(box.value)

    def show_error(self, message: str) -> None:
        self.query_one(".form-error", Static).update(Text(message, style="bold"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    @after_queued_keys
    def action_submit(self) -> None:
        self._submit()

    def _submit(self) -> None:
        from .forms import ConfirmDialog

        if not self.is_current:
            return
        value = self.query_one(Input).value.strip()
        if not value:
            self.show_error(tr("Donnez un nom de fichier.", "Give a file name."))
            return
        path = Path(value).expanduser()
        if path.suffix.lower() not in (".docx", ".md", ".markdown"):
            path = path.with_name(path.name + ".docx")
        if path.is_dir():
            self.show_error(tr("{p} est un dossier : ajoutez un nom de fichier.", "{p} is a folder: add a file name.", p=path))
            return
        if not path.parent.is_dir():
            self.show_error(tr("Le dossier {d} n'existe pas.", "The folder {d} does not exist.", d=path.parent))
            return
        if not path.exists():
            self.dismiss((path, False))
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.dismiss((path, True))
            else:
                self.show_error(tr("Choisissez un autre nom.", "Choose another name."))
                self.query_one(Input).focus()

        self.app.push_screen(
            ConfirmDialog(tr("Le fichier {n} existe déjà. Le remplacer ?", "The file {n} already exists. Replace it?", n=path.name), str(path)),
            answer,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- reading what leaves ---------------------------------------------------------------------


class ReadingDialog(ModalScreen[None]):
    """A read-only page (debates and proposals as they will leave, the export log)."""

    KEYS = [Key("escape,q", "close", "Fermer", "Close")]

    def __init__(self, title: str, body: Any) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="synth-reading") as box:
            box.border_title = self.title_text
            box.border_subtitle = tr("↑↓ défiler · Échap fermer", "↑↓ scroll · Esc close")
            box.can_focus = True
            yield Static(self.body)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#synth-reading").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def debates_and_proposals(content: Any) -> RichGroup:
    """The norm debates and the proposals exactly as the export will show them (masked, validated)."""
    parts: list[Any] = []
    parts.append(Text(tr("Débats de normes", "Norm debates"), style="bold underline"))
    if not content.debates:
        parts.append(Text(tr("Aucun débat de normes pour ces séances.", "No norm debate for these sessions."), style="dim italic"))
    for d in content.debates:
        head = Text("\n• " + d.title, style="bold")
        head.append(f"  ({d.status})", style="dim")
        parts.append(head)
        if d.participants:
            parts.append(Padding(Text(tr("Avec : ", "With: ") + ", ".join(d.participants), style="dim"), (0, 0, 0, 2)))
        for part in d.parts:
            parts.append(Padding(Text(part.heading, style="italic"), (0, 0, 0, 2)))
            for entry in part.entries:
                parts.append(Padding(Text("– " + entry), (0, 0, 0, 4)))
        if d.choice:
            line = Text(tr("Arbitrage : ", "Choice: "), style="bold")
            line.append(d.choice, style="")
            parts.append(Padding(line, (0, 0, 0, 2)))
    parts.append(Text("\n" + tr("Propositions (faire autrement)", "Proposals (doing otherwise)"), style="bold underline"))
    if not content.proposals:
        parts.append(Text(tr("Aucune proposition pour ces séances.", "No proposal for these sessions."), style="dim italic"))
    for heading, proposals in content.proposals:
        parts.append(Text("\n" + heading, style="bold"))
        for p in proposals:
            line = Text("• " + p.text)
            line.append(f"  [{p.status}" + (f", {p.date}" if p.date else "") + "]", style="dim")
            parts.append(Padding(line, (0, 0, 0, 2)))
            if p.answer:
                parts.append(Padding(Text(tr("Réponse : ", "Answer: ") + p.answer, style="italic"), (0, 0, 0, 4)))
            if p.follow_up:
                parts.append(Padding(Text(tr("Suivi : ", "Follow-up: ") + p.follow_up, style="dim"), (0, 0, 0, 4)))
    if content.pending:
        parts.append(
            Text(
                "\n"
                + tr(
                    "Les citations encore à valider figurent ici ; seules celles que le groupe aura validées sortiront.",
                    "Quotes still to validate show here; only those the group validates will leave.",
                ),
                style="italic",
            )
        )
    return RichGroup(*parts)


def export_stamp(iso: str) -> str:
    """'2026-10-15T14:05:09' -> '15/10/2026 14:05'."""
    try:
        when = dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return f"{short_date(when.date().isoformat())} {when:%H:%M}"


def export_log_table(rows: list[dict[str, Any]], dates: dict[int, str], limit: int | None = None) -> Table | Text:
    """Date, sessions, number of items, file, SHA-256 (short): what left the group, newest first."""
    if not rows:
        return Text(tr("Aucun export pour l'instant : e exporte la synthèse validée.", "No export yet: e exports the validated synthesis."), style="dim italic")
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold", expand=False)
    table.add_column(tr("Exportée le", "Exported on"), no_wrap=True)
    table.add_column(tr("Séances", "Sessions"), no_wrap=True)
    table.add_column(tr("Extraits", "Items"), justify="right", no_wrap=True)
    table.add_column(tr("Fichier", "File"), overflow="ellipsis", no_wrap=True)
    table.add_column("SHA-256", no_wrap=True)
    for r in rows[:limit]:
        sessions = [short_date(dates[s]) for s in r["sessions"] if s in dates]
        when = sessions[0] if len(sessions) == 1 else (f"{sessions[0]} → {sessions[-1]}" if sessions else "")
        table.add_row(export_stamp(r["created_at"]), when, str(r["items"]), r["file_name"], r["sha256"][:12])
    return table
