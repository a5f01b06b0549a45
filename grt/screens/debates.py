"""Norm debates and proposals of a group, after the session (JOURNEYS §4).

Tab "Débats de normes": the list of debates and, beside it, the chosen debate: its antecedent norms,
renormalisations, values at stake (with their dimension), other items, the choice made or left open, who spoke
and in which sessions. n makes a debate from annotations ticked with Space; l links more; a adds free text.
Tab "Propositions": grt.screens.proposals.ProposalsPane.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from rich.text import Text
from sqlite_utils import Database
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, OptionList, RadioButton, RadioSet, SelectionList, Static, TabbedContent, TabPane, Tabs
from textual.widgets.option_list import Option

from ..codebook import list_codes
from ..debates import (
    add_norm,
    add_other,
    add_renormalisation,
    add_session,
    add_speaker,
    add_value,
    create_debate,
    delete_debate,
    dimension_label,
    get_debate,
    link_annotation,
    list_debates,
    remove_session,
    remove_speaker,
    status_label,
    unlink,
    update_debate,
    update_item,
)
from ..errors import GrtError
from ..groups import get_group, list_participants
from ..i18n import language, tr
from ..search import fold
from ..sessions import list_sessions
from ..widgets.keys import HELP_KEY, WIDE_FOOTER, Key, bind_keys, fit_footer, help_rows
from ..widgets.render import authority_badge, code_style, off_record_badge, short_date
from .forms import ConfirmDialog, FormScreen
from .proposals import PANE_KEYS, FillTable, ProposalsChanged, ProposalsPane

DEBATE_STATUSES = ("ouvert", "approfondi", "clos")
STATUS_STYLE = {"ouvert": "bold #d7af5f", "approfondi": "bold #5fafd7", "clos": "dim"}
# Codes offered first when a debate is made from annotations: the norms, their renormalisation, the values.
DEBATE_CODES = ("prescrit", "reel", "valeur", "ecart", "debat_de_normes", "trou_de_normes")


def section_label(kind: str) -> str:
    return {
        "norme": tr("Normes antécédentes", "Antecedent norms"),
        "renormalisation": tr("Renormalisations", "Renormalisations"),
        "valeur": tr("Valeurs en jeu", "Values at stake"),
        "autre": tr("Autres éléments", "Other items"),
    }[kind]


def debate_status_text(status: str) -> Text:
    return Text(status_label(status), style=STATUS_STYLE.get(status, ""))


def _one_line(text: str, n: int) -> str:
    words = " ".join((text or "").split())
    return words if len(words) <= n else words[: n - 1] + "…"


def day_month(iso: str) -> str:
    try:
        d = dt.date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return d.strftime("%d/%m") if language() == "fr" else d.strftime("%m-%d")


def group_annotations(db: Database, group_id: int, codes: tuple[str, ...] | None = DEBATE_CODES) -> list[dict[str, Any]]:
    """The group's tagged passages, newest session first, with who said them and how many debates use them."""
    where, params = ["s.group_id = ?", "c.draft = 0"], [group_id]
    if codes:
        where.append(f"a.code IN ({','.join('?' * len(codes))})")
        params += list(codes)
    rows = db.query(
        f"""SELECT a.id, a.code, a.quote, a.attributes, c.off_record, s.id AS session_id, s.date,
                   p.pseudonym AS speaker,
                   (SELECT COUNT(DISTINCT i.debate_id) FROM debate_items i WHERE i.annotation_id = a.id) AS debates
            FROM annotations a JOIN contributions c ON c.id = a.contribution_id
            JOIN sessions s ON s.id = c.session_id LEFT JOIN participants p ON p.id = c.participant_id
            WHERE {" AND ".join(where)}
            ORDER BY s.date DESC, s.id DESC, c.position, a.start""",
        params,
    )
    out = []
    for r in rows:
        r["attributes"] = json.loads(r["attributes"] or "{}")
        r["off_record"] = bool(r["off_record"])
        out.append(r)
    return out


# --- choosing annotations --------------------------------------------------------------------


class AnnotationPicker(ModalScreen[list[int] | None]):
    """Tick tagged passages with Space, Enter makes the debate (or links them to the open one)."""

    KEYS = [
        Key("ctrl+s", "done", "Valider", "Done", priority=True, show=False),
        Key("ctrl+t", "all_codes", "Tous les codes", "All codes", priority=True,
            help_fr="Montrer les passages de tous les codes (au lieu des normes, renormalisations, valeurs, écarts…)",
            help_en="Show passages of every code (instead of norms, renormalisations, values, gaps…)"),
        Key("escape", "cancel", "Annuler", "Cancel"),
    ]

    def __init__(self, db: Database, group_id: int, *, title: str, exclude: set[int] = frozenset(), action_label: str = "") -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.db = db
        self.group_id = group_id
        self.title_text = title
        self.exclude = set(exclude)
        self.action_label = action_label or tr("créer le débat", "make the debate")
        self.all_codes = False
        self.codes = {c.id: c for c in list_codes(db)}
        self.rows: list[dict[str, Any]] = []
        self.ticked: set[int] = set()
        self.shown_ids: set[int] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="annotation-picker", classes="form"):
            yield Input(placeholder=tr("Filtrer : un mot du passage ou un pseudonyme", "Filter: a word of the passage or a pseudonym"), id="picker-filter", select_on_focus=False)
            yield SelectionList[int](id="annotation-options")
            yield Static("", id="picker-count", classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        box = self.query_one("#annotation-picker")
        box.border_title = self.title_text
        box.border_subtitle = tr("Lettres : filtrer · Espace cocher · Entrée {a} · Échap annuler", "Letters: filter · Space tick · Enter {a} · Esc cancel", a=self.action_label)
        options = self.query_one("#annotation-options", SelectionList)
        # Enter on the list validates; Space ticks (SelectionList's own key).
        bind_keys(options, [Key("enter", "screen.done", self.action_label.capitalize(), self.action_label.capitalize())])
        self.load()
        options.focus()

    def load(self) -> None:
        codes = None if self.all_codes else DEBATE_CODES
        self.rows = [r for r in group_annotations(self.db, self.group_id, codes) if r["id"] not in self.exclude]
        self.refilter(self.query_one("#picker-filter", Input).value)

    def _prompt(self, r: dict[str, Any]) -> Text:
        code = self.codes.get(r["code"])
        out = Text()
        out.append(f" {code.shortcut or r['code'][:2]} " if code else f" {r['code'][:2]} ", style=code_style(code.color) if code else "reverse")
        # One line each: who and when first, so that they survive when the quote is cut.
        out.append(f" {day_month(r['date'])} {r['speaker'] or tr('(groupe)', '(group)')} ", style="bold")
        if r["off_record"]:
            out.append_text(off_record_badge())
            out.append(" ")
        if r["debates"]:
            out.append("◆ ", style="#5fafd7")
        if r["code"] == "valeur" and r["attributes"].get("dimension"):
            out.append(f"[{dimension_label(r['attributes']['dimension'])}] ", style="dim")
        out.append(f"« {_one_line(r['quote'], 300)} »", style="italic dim" if r["off_record"] else "italic")
        return out

    def refilter(self, query: str) -> None:
        q = fold(query.strip())
        shown = [r for r in self.rows if not q or q in fold(r["quote"]) or q in fold(r["speaker"] or "")]
        self.shown_ids = {r["id"] for r in shown}
        options = self.query_one("#annotation-options", SelectionList)
        options.clear_options()
        options.add_options([(self._prompt(r), r["id"], r["id"] in self.ticked) for r in shown])
        if shown:
            options.highlighted = 0
        self.update_count()

    def update_count(self) -> None:
        if not self.rows:
            text = tr("Aucun passage codé de ce type dans le groupe (Ctrl+T : tous les codes).", "No tagged passage of this kind in the group (Ctrl+T: all codes).")
        else:
            text = tr("{n} passage(s) coché(s) sur {t} · ◆ déjà dans un débat", "{n} passage(s) ticked out of {t} · ◆ already in a debate", n=len(self.ticked), t=len(self.rows))
        self.query_one("#picker-count", Static).update(text)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        # Ticks survive filtering: those of hidden passages are kept aside.
        self.ticked = (self.ticked - self.shown_ids) | set(event.selection_list.selected)
        self.update_count()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refilter(event.value)

    def on_key(self, event) -> None:
        # Letters typed in the list go to the filter: looking for "planning" is just typing it.
        options = self.query_one("#annotation-options", SelectionList)
        if self.focused is options and event.character and event.character.isprintable() and event.character != " ":
            event.stop()
            event.prevent_default()
            box = self.query_one("#picker-filter", Input)
            box.focus()
            box.insert_text_at_cursor(event.character)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#annotation-options").focus()

    def chosen(self) -> list[int]:
        return [r["id"] for r in self.rows if r["id"] in self.ticked]

    def action_done(self) -> None:
        ids = self.chosen()
        options = self.query_one("#annotation-options", SelectionList)
        if not ids and options.highlighted is not None and options.option_count:
            # Nothing ticked: the passage under the cursor is the one meant.
            ids = [options.get_option_at_index(options.highlighted).value]
        if not ids:
            self.notify(tr("Cochez au moins un passage (Espace).", "Tick at least one passage (Space)."), severity="warning")
            return
        self.dismiss(ids)

    def action_all_codes(self) -> None:
        self.all_codes = not self.all_codes
        self.load()

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- forms -----------------------------------------------------------------------------------


class DebateForm(FormScreen):
    """Title, the choice made (or left open), notes, status."""

    def __init__(self, db: Database, group_id: int, debate: dict[str, Any] | None = None) -> None:
        self.db = db
        self.group_id = group_id
        self.debate = debate
        self.title_text = tr("Modifier le débat", "Edit the debate") if debate else tr("Nouveau débat de normes", "New norm debate")
        super().__init__()

    def fields(self) -> ComposeResult:
        d = self.debate or {}
        yield Label(tr("Titre", "Title"), classes="field-label")
        yield Input(d.get("title", ""), id="title", placeholder=tr("ex. Finir le soin ou tenir le planning", "e.g. Finish the care or keep to the schedule"))
        yield Label(tr("Choix fait par le groupe (vide : laissé ouvert)", "Choice made by the group (empty: left open)"), classes="field-label")
        yield Input(d.get("choice", ""), id="choice")
        yield Label(tr("Notes", "Notes"), classes="field-label")
        yield Input(d.get("notes", ""), id="notes")
        yield Label(tr("Statut (↑↓ puis Espace)", "Status (↑↓ then Space)"), classes="field-label")
        current = d.get("status", "ouvert")
        with RadioSet(id="status"):
            for s in DEBATE_STATUSES:
                yield RadioButton(status_label(s), s == current, id=s)

    def save(self) -> dict[str, Any]:
        radio = self.query_one("#status", RadioSet)
        values = {
            "title": self.query_one("#title", Input).value,
            "choice": self.query_one("#choice", Input).value,
            "notes": self.query_one("#notes", Input).value,
            "status": radio.pressed_button.id if radio.pressed_button is not None else "ouvert",
        }
        if self.debate:
            return update_debate(self.db, self.debate["id"], **values)
        return create_debate(self.db, self.group_id, values["title"], notes=values["notes"], choice=values["choice"], status=values["status"])


class ItemForm(FormScreen):
    """A free-text item (a norm nobody said aloud, a value named by the facilitator), or an item's comment,
    kind and dimension."""

    def __init__(self, db: Database, debate_id: int, item: dict[str, Any] | None = None, kind: str = "norme") -> None:
        self.db = db
        self.debate_id = debate_id
        self.item = item
        self.kind = item["kind"] if item else kind
        linked = item is not None and item["annotation_id"] is not None
        self.title_text = tr("Modifier l'élément", "Edit the item") if item else tr("Ajouter un élément (texte libre)", "Add an item (free text)")
        self.linked = linked
        super().__init__()

    def fields(self) -> ComposeResult:
        item = self.item or {}
        if self.linked:
            yield Static(Text(f"« {_one_line(item['quote'] or '', 200)} »", style="italic"))
            yield Label(tr("Commentaire (facultatif)", "Comment (optional)"), classes="field-label")
        else:
            yield Label(tr("Texte", "Text"), classes="field-label")
        yield Input(item.get("text", ""), id="text", placeholder=tr("ex. Le plan d'aide fixe trente minutes", "e.g. The care plan sets thirty minutes"))
        yield Label(tr("C'est… (↑↓ puis Espace)", "It is… (↑↓ then Space)"), classes="field-label")
        with RadioSet(id="kind"):
            for k in ("norme", "renormalisation", "valeur", "autre"):
                yield RadioButton(section_label(k), k == self.kind, id=k)
        yield Label(tr("Dimension, pour une valeur", "Dimension, for a value"), classes="field-label")
        dimension = item.get("dimension") or ""
        with RadioSet(id="dimension"):
            yield RadioButton(tr("mesurable (délais, coûts, quantités)", "measurable (delays, costs, quantities)"), dimension == "mesurable", id="mesurable")
            yield RadioButton(tr("sans dimension (dignité, lien, bien-être…)", "without dimension (dignity, bond, well-being…)"), dimension == "sans_dimension", id="sans_dimension")
            yield RadioButton(tr("non précisée", "not stated"), not dimension, id="none")

    def save(self) -> bool:
        text = self.query_one("#text", Input).value
        kind_button = self.query_one("#kind", RadioSet).pressed_button
        kind = kind_button.id if kind_button is not None else self.kind
        dim_button = self.query_one("#dimension", RadioSet).pressed_button
        dimension = dim_button.id if dim_button is not None and dim_button.id != "none" else ""
        if self.item:
            update_item(self.db, self.item["id"], text=text, kind=kind, dimension=dimension if kind == "valeur" else None)
            return True
        if kind == "valeur":
            add_value(self.db, self.debate_id, text, dimension=dimension or None)
        else:
            {"norme": add_norm, "renormalisation": add_renormalisation, "autre": add_other}[kind](self.db, self.debate_id, text)
        return True


class PeopleSessionsForm(FormScreen):
    """Who took part in the debate and the sessions where it came up (ticked from what was linked)."""

    def __init__(self, db: Database, debate: dict[str, Any]) -> None:
        self.db = db
        self.debate = debate
        self.title_text = tr("Qui et quand", "Who and when")
        super().__init__()

    def fields(self) -> ComposeResult:
        d = self.debate
        speakers = {p["id"] for p in d["participants"]}
        sessions = {s["id"] for s in d["sessions"]}
        people = []
        for p in list_participants(self.db, d["group_id"]):
            label = Text(p.pseudonym + (f" — {p.role}" if p.role else ""))
            if p.authority:
                label.append("  ")
                label.append_text(authority_badge())
            people.append((label, p.id, p.id in speakers))
        yield Label(tr("Intervenants (Espace pour cocher)", "Speakers (Space to tick)"), classes="field-label")
        yield SelectionList[int](*people, id="speakers")
        yield Label(tr("Sessions où le débat est venu", "Sessions where the debate came up"), classes="field-label")
        yield SelectionList[int](
            *[(f"{short_date(s['date'])} — {_one_line(s['question'] or '', 50)}", s["id"], s["id"] in sessions) for s in list_sessions(self.db, d["group_id"])],
            id="sessions",
        )

    def save(self) -> bool:
        d = self.debate
        speakers = set(self.query_one("#speakers", SelectionList).selected)
        before = {p["id"] for p in d["participants"]}
        for pid in speakers - before:
            add_speaker(self.db, d["id"], pid)
        for pid in before - speakers:
            remove_speaker(self.db, d["id"], pid)
        sessions = set(self.query_one("#sessions", SelectionList).selected)
        before = {s["id"] for s in d["sessions"]}
        for sid in sessions - before:
            add_session(self.db, d["id"], sid)
        for sid in before - sessions:
            remove_session(self.db, d["id"], sid)
        return True


# --- the debates pane ------------------------------------------------------------------------

DEBATE_KEYS = [
    HELP_KEY,
    Key("n", "new", "Nouveau", "New",
        help_fr="Nouveau débat à partir de passages codés : Espace pour cocher, Entrée pour créer",
        help_en="New debate from tagged passages: Space to tick, Enter to create"),
    Key("l", "link", "Lier", "Link", help_fr="Lier d'autres passages codés au débat choisi", help_en="Link more tagged passages to the chosen debate"),
    Key("a", "add_item", "Ajouter", "Add", help_fr="Ajouter un élément en texte libre (norme, renormalisation, valeur…)", help_en="Add a free-text item (norm, renormalisation, value…)"),
    Key("e", "edit", "Modifier", "Edit", wide=True, help_fr="Modifier le titre, le choix, les notes, le statut (ou Entrée sur l'en-tête du débat)", help_en="Edit the title, choice, notes, status (or Enter on the debate's heading)"),
    Key("s", "cycle_status", "Statut", "Status", help_fr="Statut suivant : ouvert → approfondi → clos", help_en="Next status: open → deepened → closed"),
    Key("i", "people", "Qui et quand", "Who and when", wide=True, help_fr="Intervenants et sessions du débat", help_en="Speakers and sessions of the debate"),
    Key("delete", "delete", "Supprimer", "Delete", show=False,
        help_fr="Dans la liste : supprimer le débat ; dans le détail : retirer l'élément",
        help_en="In the list: delete the debate; in the detail: remove the item"),
]


class DebatesPane(Vertical):
    def __init__(self, db: Database, group_id: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        bind_keys(self, DEBATE_KEYS)
        self.db = db
        self.group_id = group_id
        self.rows: list[dict[str, Any]] = []
        self.debate: dict[str, Any] | None = None
        self.codes = {c.id: c for c in list_codes(db)}

    def compose(self) -> ComposeResult:
        with Horizontal(classes="dp-body"):
            yield FillTable("title", id="debates-list")
            yield OptionList(id="debate-detail", classes="dp-detail")

    def on_mount(self) -> None:
        table = self.query_one("#debates-list", DataTable)
        table.add_column(tr("Statut", "Status"), key="status", width=10)
        table.add_column(tr("Sessions", "Sessions"), key="sessions", width=11)
        table.add_column(tr("Titre", "Title"), key="title", width=30)
        self.reload()

    @property
    def table(self) -> FillTable:
        return self.query_one("#debates-list", FillTable)

    @property
    def detail(self) -> OptionList:
        return self.query_one("#debate-detail", OptionList)

    def reload(self, select: int | None = None) -> None:
        keep = select if select is not None else (self.current["id"] if self.current else None)
        self.rows = list_debates(self.db, self.group_id)
        table = self.table
        table.clear()
        for d in self.rows:
            dates = d["session_dates"]
            when = day_month(dates[0]) + (f" +{len(dates) - 1}" if len(dates) > 1 else "") if dates else "—"
            table.add_row(debate_status_text(d["status"]), when, d["title"], key=str(d["id"]))
        table.border_title = tr("Débats de normes : {n}", "Norm debates: {n}", n=len(self.rows))
        table.border_subtitle = tr("n nouveau à partir des passages codés", "n new from tagged passages")
        self.call_after_refresh(table.fit)
        if self.rows:
            table.move_cursor(row=next((i for i, d in enumerate(self.rows) if d["id"] == keep), 0), animate=False)
        self.show_detail()
        self.post_message(ProposalsChanged())

    @property
    def current(self) -> dict[str, Any] | None:
        if not self.is_mounted:
            return None
        table = self.table
        if not self.rows or not (0 <= table.cursor_row < len(self.rows)):
            return None
        return self.rows[table.cursor_row]

    def show_detail(self, keep_item: int | None = None) -> None:
        d = self.current
        detail = self.detail
        highlighted = detail.highlighted_option.id if detail.highlighted_option else None
        detail.clear_options()
        if d is None:
            self.debate = None
            detail.add_option(Option(Text(tr(
                "Aucun débat de normes pour ce groupe.\n\nn : en créer un à partir des passages codés (une norme antécédente, la renormalisation qui lui répond, une valeur en jeu) ; Espace pour cocher, Entrée pour créer.",
                "No norm debate for this group.\n\nn: make one from tagged passages (an antecedent norm, the renormalisation that answers it, a value at stake); Space to tick, Enter to create."), style="italic"), disabled=True))
            detail.border_title = ""
            return
        self.debate = get_debate(self.db, d["id"])
        detail.add_options(self._detail_options(self.debate))
        detail.border_title = tr("Débat", "Debate")
        detail.border_subtitle = tr("Entrée modifier · Suppr retirer", "Enter edit · Del remove")
        wanted = f"item-{keep_item}" if keep_item is not None else highlighted
        if wanted:
            try:
                detail.highlighted = detail.get_option_index(wanted)
            except Exception:  # the item is gone
                detail.highlighted = 0
        else:
            detail.highlighted = 0

    def _detail_options(self, d: dict[str, Any]) -> list[Option]:
        head = Text()
        head.append(d["title"], style="bold")
        head.append("  ")
        head.append(f" {status_label(d['status'])} ", style=STATUS_STYLE.get(d["status"], "") + " reverse")
        head.append("\n" + tr("Choix : ", "Choice: "), style="bold")
        if d["choice"]:
            head.append(d["choice"])
        else:
            head.append(tr("laissé ouvert", "left open"), style="italic")
        if d["sessions"]:
            head.append("\n" + tr("Sessions : ", "Sessions: "), style="bold")
            head.append(", ".join(short_date(s["date"]) for s in d["sessions"]))
        if d["participants"]:
            head.append("\n" + tr("Intervenants : ", "Speakers: "), style="bold")
            for i, p in enumerate(d["participants"]):
                head.append((", " if i else "") + p["pseudonym"])
                if p["authority"]:
                    head.append(" ★", style="#e0b030")
        options = [Option(head, id="head")]
        for kind, key in (("norme", "norms"), ("renormalisation", "renormalisations"), ("valeur", "values"), ("autre", "others")):
            items = d[key]
            if not items and kind == "autre":
                continue
            options.append(Option(Text(f"{section_label(kind)} ({len(items)})", style="bold underline"), id=f"section-{kind}", disabled=True))
            for item in items:
                options.append(Option(self._item_text(item), id=f"item-{item['id']}"))
            if not items:
                options.append(Option(Text(tr("  (aucun : l pour lier un passage, a pour l'écrire)", "  (none: l to link a passage, a to write one)"), style="dim italic"), id=f"empty-{kind}", disabled=True))
        if d["notes"]:
            notes = Text(tr("Notes", "Notes") + "\n", style="bold underline")
            notes.append(d["notes"], style="italic")
            options.append(Option(notes, id="notes"))
        return options

    def _item_text(self, item: dict[str, Any]) -> Text:
        out = Text()
        if item["annotation_id"] is not None:
            code = self.codes.get(item["code"])
            out.append(f" {code.shortcut or item['code'][:2]} " if code else "    ", style=code_style(code.color) if code else "")
            out.append(f" « {item['quote']} »", style="italic dim" if item["off_record"] else "italic")
            out.append(f" — {item['speaker'] or tr('(groupe)', '(group)')}, {short_date(item['session_date'])}", style="dim")
            if item["off_record"]:
                out.append(" ")
                out.append_text(off_record_badge())
            if item["text"]:
                out.append("\n     " + item["text"])
        else:
            out.append(" •  ", style="bold")
            out.append(item["text"])
        if item["kind"] == "valeur" and item.get("dimension"):
            out.append(f"  [{dimension_label(item['dimension'])}]", style="bold")
        return out

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "debates-list":
            self.show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "debates-list":
            event.stop()
            if self.current is not None:
                self.detail.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "debate-detail":
            return
        event.stop()
        option_id = event.option.id or ""
        if option_id in ("head", "notes"):
            self.action_edit()
        elif option_id.startswith("item-"):
            self.edit_item(int(option_id[5:]))

    def focus_list(self) -> None:
        self.table.focus()

    def selected_item(self) -> dict[str, Any] | None:
        if self.debate is None or self.screen.focused is not self.detail:
            return None
        option = self.detail.highlighted_option
        if option is None or not (option.id or "").startswith("item-"):
            return None
        item_id = int(option.id[5:])
        return next((i for i in self.debate["items"] if i["id"] == item_id), None)

    # --- actions ---------------------------------------------------------------------------------

    def _need_debate(self) -> dict[str, Any] | None:
        if self.debate is None:
            self.notify(tr("Aucun débat choisi : n pour en créer un.", "No debate chosen: n to make one."), severity="warning")
        return self.debate

    def action_new(self) -> None:
        def done(ids: list[int] | None) -> None:
            self.focus_list()
            if not ids:
                return
            try:
                d = create_debate(self.db, self.group_id, annotation_ids=ids)
            except GrtError as e:
                self.notify(str(e), severity="error")
                return
            self.reload(select=d["id"])
            self.detail.focus()
            self.notify(tr("Débat créé avec {n} passage(s). e pour le renommer, a pour ajouter une valeur ou une norme.", "Debate made with {n} passage(s). e to rename it, a to add a value or a norm.", n=len(ids)))

        self.app.push_screen(AnnotationPicker(self.db, self.group_id, title=tr("Nouveau débat : cochez les passages", "New debate: tick the passages")), done)

    def action_new_empty(self) -> None:
        def done(d: dict[str, Any] | None) -> None:
            self.focus_list()
            if d:
                self.reload(select=d["id"])

        self.app.push_screen(DebateForm(self.db, self.group_id), done)

    def action_link(self) -> None:
        d = self._need_debate()
        if d is None:
            return
        linked = {i["annotation_id"] for i in d["items"] if i["annotation_id"] is not None}

        def done(ids: list[int] | None) -> None:
            self.detail.focus()
            if not ids:
                return
            try:
                for annotation_id in ids:
                    link_annotation(self.db, d["id"], annotation_id)
            except GrtError as e:
                self.notify(str(e), severity="error")
            self.reload(select=d["id"])
            self.notify(tr("{n} passage(s) lié(s) au débat.", "{n} passage(s) linked to the debate.", n=len(ids)), timeout=3)

        title = tr("Lier au débat « {t} »", "Link to the debate '{t}'", t=_one_line(d["title"], 40))
        self.app.push_screen(AnnotationPicker(self.db, self.group_id, title=title, exclude=linked, action_label=tr("lier", "link")), done)

    def action_add_item(self) -> None:
        d = self._need_debate()
        if d is None:
            return
        item = self.selected_item()
        kind = item["kind"] if item else "norme"

        def done(ok: bool | None) -> None:
            self.detail.focus()
            if ok:
                self.reload(select=d["id"])

        self.app.push_screen(ItemForm(self.db, d["id"], kind=kind), done)

    def edit_item(self, item_id: int) -> None:
        d = self.debate
        item = next((i for i in d["items"] if i["id"] == item_id), None) if d else None
        if item is None:
            return

        def done(ok: bool | None) -> None:
            self.detail.focus()
            if ok:
                self.reload(select=d["id"])
                self.show_detail(keep_item=item_id)

        self.app.push_screen(ItemForm(self.db, d["id"], item=item), done)

    def action_edit(self) -> None:
        d = self._need_debate()
        if d is None:
            return
        back = self.screen.focused

        def done(result: dict[str, Any] | None) -> None:
            if back is not None:
                back.focus()
            if result:
                self.reload(select=result["id"])

        self.app.push_screen(DebateForm(self.db, self.group_id, d), done)

    def action_cycle_status(self) -> None:
        d = self._need_debate()
        if d is None:
            return
        status = DEBATE_STATUSES[(DEBATE_STATUSES.index(d["status"]) + 1) % len(DEBATE_STATUSES)]
        update_debate(self.db, d["id"], status=status)
        self.reload(select=d["id"])
        self.notify(tr("Débat {s}.", "Debate {s}.", s=status_label(status)), timeout=2)

    def action_people(self) -> None:
        d = self._need_debate()
        if d is None:
            return

        def done(ok: bool | None) -> None:
            self.focus_list()
            if ok:
                self.reload(select=d["id"])

        self.app.push_screen(PeopleSessionsForm(self.db, d), done)

    def action_delete(self) -> None:
        d = self._need_debate()
        if d is None:
            return
        item = self.selected_item()
        if item is not None:
            def removed(yes: bool | None) -> None:
                self.detail.focus()
                if yes:
                    unlink(self.db, d["id"], item["id"])
                    self.reload(select=d["id"])

            what = f"« {_one_line(item['label'] or '', 120)} »"
            self.app.push_screen(ConfirmDialog(tr("Retirer cet élément du débat ?", "Remove this item from the debate?"), what + tr("\n(le passage codé reste dans la session)", "\n(the tagged passage stays in the session)") if item["annotation_id"] else what), removed)
            return

        def deleted(yes: bool | None) -> None:
            self.focus_list()
            if yes:
                delete_debate(self.db, d["id"])
                self.reload()
                self.notify(tr("Débat supprimé.", "Debate deleted."), timeout=3)

        self.app.push_screen(ConfirmDialog(tr("Supprimer le débat « {t} » ?", "Delete the debate '{t}'?", t=_one_line(d["title"], 60)), tr("Les passages codés restent dans les sessions.", "The tagged passages stay in the sessions.")), deleted)


# --- the screen ------------------------------------------------------------------------------

SCREEN_KEYS = [
    HELP_KEY,
    Key("d", "tab('tab-debates')", "Débats", "Debates", help_fr="Onglet des débats de normes", help_en="Norm debates tab"),
    Key("p", "tab('tab-proposals')", "Propositions", "Proposals", help_fr="Onglet des propositions (faire autrement)", help_en="Proposals tab (doing otherwise)"),
    Key("escape", "back", "Retour", "Back", help_fr="Revenir à la liste, puis à l'écran précédent", help_en="Back to the list, then to the previous screen"),
]


class DebatesScreen(Screen):
    def __init__(self, db: Database, group_id: int, session_id: int | None = None, tab: str = "tab-debates") -> None:
        super().__init__()
        bind_keys(self, SCREEN_KEYS)
        self.db = db
        self.group = get_group(db, group_id)
        # The session chosen elsewhere counts only if it is this group's (news is then linked to it).
        in_group = session_id is not None and db.execute("SELECT 1 FROM sessions WHERE id = ? AND group_id = ?", [session_id, group_id]).fetchone()
        self.session_id = session_id if in_group else None
        self.initial_tab = tab

    def compose(self) -> ComposeResult:
        yield Static(tr("grt · Débats de normes et propositions · {g}", "grt · Norm debates and proposals · {g}", g=self.group.name), classes="topbar")
        with TabbedContent(initial=self.initial_tab, id="dp-tabs"):
            with TabPane(tr("Débats de normes", "Norm debates"), id="tab-debates"):
                yield DebatesPane(self.db, self.group.id, id="debates-pane")
            with TabPane(tr("Propositions", "Proposals"), id="tab-proposals"):
                today = self.app.now().date()  # type: ignore[attr-defined]
                yield ProposalsPane(self.db, self.group.id, session_id=self.session_id, today=today, id="proposals-pane")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.app.group_id = self.group.id  # type: ignore[attr-defined]
        self.query_one("#dp-tabs", TabbedContent).query_one(Tabs).can_focus = False
        self.update_tab_titles()
        self.call_after_refresh(self.focus_active)

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE_FOOTER
        bind_keys(self.query_one(DebatesPane), DEBATE_KEYS, wide=wide)
        bind_keys(self.query_one(ProposalsPane), PANE_KEYS, wide=wide)
        self._footer_wide = None  # let fit_footer refresh the footer for the new width
        fit_footer(self, SCREEN_KEYS)

    @property
    def active_tab(self) -> str:
        return self.query_one("#dp-tabs", TabbedContent).active

    def focus_active(self) -> None:
        pane = self.query_one("#debates-pane" if self.active_tab == "tab-debates" else "#proposals-pane")
        pane.focus_list()  # type: ignore[attr-defined]

    def update_tab_titles(self) -> None:
        tabs = self.query_one("#dp-tabs", TabbedContent)
        debates = self.query_one(DebatesPane).rows
        proposals = self.db.execute(
            "SELECT COUNT(*) FROM proposals WHERE group_id = ? AND status NOT IN ('mise_en_oeuvre', 'abandonnee')", [self.group.id]
        ).fetchone()[0]
        tabs.get_tab("tab-debates").label = tr("Débats de normes ({n})", "Norm debates ({n})", n=len(debates))
        tabs.get_tab("tab-proposals").label = tr("Propositions ({n} en cours)", "Proposals ({n} open)", n=proposals)

    def on_proposals_changed(self, event: ProposalsChanged) -> None:
        if self.is_mounted:
            self.call_after_refresh(self.update_tab_titles)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        pane = self.query_one("#dp-tabs", TabbedContent).active_pane
        if self.focused is None or pane not in self.focused.ancestors:
            self.focus_active()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tab" and self.is_mounted:
            # Only the key to the other tab shows.
            return parameters[0] != self.active_tab
        return True

    def action_tab(self, tab: str) -> None:
        self.query_one("#dp-tabs", TabbedContent).active = tab
        # Focus first: a refresh while the hidden tab still holds the focus would switch back to it.
        self.focus_active()
        self.refresh_bindings()

    def action_back(self) -> None:
        pane = self.query_one("#debates-pane" if self.active_tab == "tab-debates" else "#proposals-pane")
        lists = {"#debates-list", "#proposals-list"}
        if self.focused is not None and f"#{self.focused.id}" not in lists:
            pane.focus_list()  # type: ignore[attr-defined]
            return
        self.dismiss()

    def help_sections(self):
        debates = (
            tr("Débats (touche d)", "Debates (key d)"),
            [
                ("↑ ↓", tr("Choisir un débat, puis un élément", "Choose a debate, then an item")),
                (tr("Entrée", "Enter"), tr("Dans la liste : aller au détail ; sur un élément : le modifier", "In the list: go to the detail; on an item: edit it")),
            ]
            + help_rows(DEBATE_KEYS),
        )
        proposals = (
            tr("Propositions (touche p)", "Proposals (key p)"),
            [(tr("Entrée", "Enter"), tr("Changer le statut (comme s)", "Change the status (as s)"))] + help_rows(PANE_KEYS),
        )
        # The tab on screen comes first.
        first, second = (debates, proposals) if self.active_tab == "tab-debates" else (proposals, debates)
        return [first, second, (tr("Cet écran", "This screen"), help_rows(SCREEN_KEYS))]

    def help_notes(self) -> list[str]:
        return [
            tr(
                "Un débat de normes relie une norme antécédente (ce qui était prescrit) à la renormalisation qui lui répond (ce qui a été fait) et aux valeurs en jeu ; le choix du groupe peut rester ouvert.",
                "A norm debate links an antecedent norm (what was prescribed) to the renormalisation that answers it (what was done) and to the values at stake; the group's choice may stay open.",
            ),
            tr(
                "Le statut d'une proposition est daté : chaque étape (discutée, transmise, réponse reçue…) reste dans son historique, avec sa note.",
                "A proposal's status is dated: every step (discussed, sent, answer received…) stays in its history, with its note.",
            ),
        ]

    def commands(self) -> list[tuple[str, str, Any]]:
        debates = self.query_one(DebatesPane)
        proposals = self.query_one(ProposalsPane)

        def on(tab: str, action):
            def run() -> None:
                self.action_tab(tab)
                action()

            return run

        return [
            (tr("Nouveau débat à partir de passages codés", "New debate from tagged passages"), "n", on("tab-debates", debates.action_new)),
            (tr("Nouveau débat sans passage (titre libre)", "New debate without passages (free title)"), tr("Puis a pour ajouter des éléments", "Then a to add items"), on("tab-debates", debates.action_new_empty)),
            (tr("Lier des passages au débat", "Link passages to the debate"), "l", on("tab-debates", debates.action_link)),
            (tr("Intervenants et sessions du débat", "Speakers and sessions of the debate"), "i", on("tab-debates", debates.action_people)),
            (tr("Nouvelle proposition", "New proposal"), "n", on("tab-proposals", proposals.action_new)),
            (tr("Noter la réponse des organisateurs du travail", "Record the answer from those who organise the work"), "r", on("tab-proposals", proposals.action_answer)),
            (tr("Propositions : en cours seulement / toutes", "Proposals: open only / all"), "o", on("tab-proposals", proposals.action_toggle_open)),
        ]
