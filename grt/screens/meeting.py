"""The meeting screen: capture a GRT session live, from the keyboard, without ever losing a word.

Top: the group, the date, the elapsed time, the question of the day and the opening reminders.
Middle: the running list of contributions. Bottom: who speaks (F2…F9) and the capture area.
What is typed is written to the database as a draft contribution at most AUTOSAVE_DELAY seconds after
a keystroke, even while the typing goes on, and comes back in its place when the session is reopened.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from rich.text import Text
from sqlite_utils import Database
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.markup import escape
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ..annotations import add_annotation, delete_annotation, list_annotations, reanchor, relocate
from ..codebook import list_codes
from ..contributions import (
    commit_draft,
    delete_contribution,
    get_contribution,
    get_draft,
    list_contributions,
    move_contribution,
    save_draft,
    set_off_record,
    set_speaker,
    update_text,
)
from ..errors import GrtError, NotFound
from ..groups import get_group, list_participants
from ..i18n import language, tr
from ..models import Annotation, Contribution, Participant
from ..sessions import attendees, get_session, set_attendance, update_session
from ..widgets.clock import ElapsedClock
from ..widgets.contribution_list import LIST_KEYS, ContributionList
from ..widgets.highlight_area import HighlightTextArea
from ..widgets.keys import HELP_KEY, Key, after_queued_keys, bind_keys, fit_footer, help_rows
from ..widgets.proposals_panel import ProposalsPanel, open_proposals
from ..widgets.render import clock_time, code_style, off_record_badge, short_date, speaker_name
from ..widgets.speaker_bar import SPEAKER_KEYS, SpeakerBar

# Seconds between a keystroke and the moment the text is in the database (the issue allows one second).
AUTOSAVE_DELAY = 0.5
# If a write fails (disk full, base locked by another program), try again after this many seconds.
RETRY_DELAY = 1.0


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A selection without the spaces at its edges (selecting by word often takes one)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def speaker_keys() -> list[Key]:
    return [
        Key(k, f"speaker({i})", f"Intervenant {i + 1}", f"Speaker {i + 1}", show=False, priority=True)
        for i, k in enumerate(SPEAKER_KEYS)
    ]


MEETING_KEYS = [
    HELP_KEY,
    Key("ctrl+s", "commit", "Valider", "Commit", priority=True,
        help_fr="Valider la contribution ; la suivante commence aussitôt, même intervenant",
        help_en="Commit the contribution; the next one starts at once, same speaker"),
    Key("ctrl+t", "tag", "Coder", "Tag", priority=True,
        help_fr="Coder le passage sélectionné (puis 2 lettres du code et Entrée, ou un chiffre)",
        help_en="Tag the selected passage (then 2 letters of the code and Enter, or a digit)"),
    Key("ctrl+o", "toggle_off_record", "Hors CR", "Off record", priority=True,
        help_fr="Hors compte rendu (oui/non) : la contribution en cours, ou la dernière si rien n'est tapé",
        help_en="Off the record (on/off): the contribution being typed, or the last one if nothing is typed"),
    Key("ctrl+f", "toggle_proposals", "Prop.", "Proposals", priority=True,
        help_fr="Afficher / masquer les propositions en cours du groupe (« faire autrement »)",
        help_en="Show / hide the group's open proposals"),
    Key("ctrl+n", "note_proposal", "Noter prop.", "Note proposal", priority=True, wide=True,
        help_fr="Noter une proposition (« faire autrement ») : texte et destination", help_en="Note a proposal: text and destination"),
    Key("ctrl+g", "follow_proposals", "Nouvelles", "News", priority=True, wide=True,
        help_fr="Demander des nouvelles des propositions en cours et les mettre à jour (statut, réponse), datées de cette séance",
        help_en="Ask for news of the open proposals and update them (status, answer), dated by this meeting"),
    Key("ctrl+r", "undo_tag", "Annuler codage", "Undo tag", priority=True, wide=True,
        help_fr="Annuler le dernier codage", help_en="Undo the last tag"),
    Key("ctrl+l", "pick_speaker", "Autre", "Other", priority=True, wide=True,
        help_fr="Choisir l'intervenant dans une liste (au-delà de F9, ou une personne arrivée en retard)",
        help_en="Pick the speaker from a list (beyond F9, or someone who arrived late)"),
    Key("tab", "app.focus_next", "Liste", "List", wide=True,
        help_fr="Aller dans la liste des contributions (modifier, déplacer, supprimer, coder)",
        help_en="Go to the list of contributions (edit, move, delete, tag)"),
    Key("escape", "back", "Accueil", "Home",
        help_fr="Revenir à l'accueil (la saisie en cours reste enregistrée)",
        help_en="Back to the home screen (the text being typed stays saved)"),
]


class MeetingScreen(Screen):
    def __init__(self, db: Database, session_id: int, group_id: int | None = None) -> None:
        super().__init__()
        bind_keys(self, MEETING_KEYS + speaker_keys())
        self.db = db
        self.session = get_session(db, session_id)
        self.group = get_group(db, self.session.group_id)
        self.codes = {c.id: c for c in list_codes(db)}
        self.people: dict[int, Participant] = {}
        self.speakers: list[Participant] = []
        self.speaker_id: int | None = None
        self.off_record = False
        # The draft as the database holds it: (text, speaker, off_record) of the last write.
        self._saved: tuple[str, int | None, bool] = ("", None, False)
        self._draft_id: int | None = None
        self._draft_tags: list[Annotation] = []
        self._save_timer: Timer | None = None
        self._save_failed = False
        # Tags made in this screen (and its edit windows), newest last, for Ctrl+R.
        self.tag_undo: list[int] = []

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Kept as an attribute: the last save, on unmount, happens after the widgets are gone.
        self._capture = HighlightTextArea(id="capture", placeholder=tr("Tapez ici ce qui se dit…", "Type here what is said…"))
        with Horizontal(classes="topbar", id="meeting-top"):
            yield Static(self._title(), id="meeting-title")
            yield ElapsedClock(self.app.now, id="clock")  # type: ignore[attr-defined]
        yield Static(self._question(), id="question")
        yield Static("", id="reminders")
        with Horizontal(id="meeting-main"):
            yield ContributionList(id="contributions")
            yield ProposalsPanel(id="proposals")
        yield SpeakerBar(id="speakers")
        yield self._capture
        yield Footer(compact=True)

    def _title(self) -> Text:
        out = Text()
        out.append("grt · ", style="bold")
        out.append(self.group.name, style="bold")
        out.append(" · " + tr("séance du {d}", "meeting of {d}", d=short_date(self.session.date)))
        return out

    def _question(self) -> Text:
        out = Text()
        out.append(tr("Question du jour : ", "Question of the day: "), style="bold")
        out.append(self.session.question or tr("(aucune : Échap puis e pour l'écrire)", "(none: Esc then e to write it)"), style="bold italic")
        return out

    def _reminders(self) -> Text:
        """The opening rules, and who is there in a position of authority: one line, always in view."""
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(tr("Confidentiel · rien ne sort sans validation du groupe", "Confidential · nothing leaves without the group's validation"), style="dim")
        bosses = [p for p in self.speakers if p.authority]
        if bosses:
            # The names first: a narrow terminal cuts the end of the line, never who is there.
            out.append("  ")
            out.append(tr(" AUTORITÉ : {n} ", " AUTHORITY: {n} ", n=", ".join(p.pseudonym for p in bosses)), style="bold black on #e0b030")
            roles = ", ".join(p.role for p in bosses if p.role)
            if roles:
                out.append(f" {roles}", style="#e0b030")
        return out

    def on_mount(self) -> None:
        self.app.group_id = self.group.id  # type: ignore[attr-defined]
        self.app.session_id = self.session.id  # type: ignore[attr-defined]
        self.query_one("#proposals").display = False
        self.query_one("#contributions", ContributionList).border_title = tr("Contributions", "Contributions")
        self.reload_people()
        self.reload_contributions()
        self.restore_draft()
        closed = self.session.status == "close"
        self.query_one(ElapsedClock).set_times(self.session.started_at, self.session.ended_at if closed else None, closed)
        self.query_one(ContributionList).show_last()
        self.capture.focus()

    def on_screen_resume(self) -> None:
        self.app.group_id = self.group.id  # type: ignore[attr-defined]
        self.app.session_id = self.session.id  # type: ignore[attr-defined]

    def on_resize(self, event: events.Resize) -> None:
        fit_footer(self, MEETING_KEYS)

    @property
    def capture(self) -> HighlightTextArea:
        return self._capture

    @property
    def contribution_list(self) -> ContributionList:
        return self.query_one("#contributions", ContributionList)

    # --- loading ---------------------------------------------------------------------------------

    def reload_people(self) -> None:
        self.people = {p.id: p for p in list_participants(self.db, self.group.id)}
        self.speakers = [p for p in attendees(self.db, self.session.id) if p.active]
        self.query_one("#reminders", Static).update(self._reminders())
        self.update_speaker_display()

    def reload_contributions(self) -> None:
        contributions = list_contributions(self.db, self.session.id)
        by_contribution: dict[int, list[Annotation]] = {}
        for a in list_annotations(self.db, session_id=self.session.id):
            by_contribution.setdefault(a.contribution_id, []).append(a)
        self.contribution_list.load(contributions, by_contribution, self.people, self.codes)
        self.contribution_list.border_subtitle = self._counts(contributions)

    def _counts(self, contributions: list[Contribution]) -> str:
        off = sum(1 for c in contributions if c.off_record)
        text = tr("{n} contribution(s)", "{n} contribution(s)", n=len(contributions))
        return text + (tr(", dont {n} hors compte rendu", ", {n} off the record", n=off) if off else "")

    def restore_draft(self) -> None:
        """Put back what was being typed when grt stopped (closed, killed or out of battery)."""
        draft = get_draft(self.db, self.session.id)
        last = self.contribution_list.contributions[-1] if self.contribution_list.contributions else None
        if draft is not None:
            self._draft_id = draft.id
            self.speaker_id = draft.participant_id
            self.off_record = draft.off_record
            self._saved = (draft.text, draft.participant_id, draft.off_record)
            self._draft_tags = list_annotations(self.db, contribution_id=draft.id)
            self.capture.load_text(draft.text)
            self.capture.move_cursor(self.capture.document.end)
            self.show_draft_tags()
            if draft.text.strip():
                self.notify(tr("La saisie en cours a été retrouvée.", "The text being typed was restored."))
        elif last is not None and last.participant_id in {p.id for p in self.speakers}:
            self.speaker_id = last.participant_id
        elif self.speakers:
            self.speaker_id = self.speakers[0].id
        if draft is None:
            self._saved = ("", self.speaker_id, self.off_record)
        self.update_speaker_display()

    # --- who speaks ------------------------------------------------------------------------------

    def update_speaker_display(self) -> None:
        speaker = self.people.get(self.speaker_id) if self.speaker_id is not None else None
        self.query_one(SpeakerBar).set_state(self.speakers, self.speaker_id, speaker_name(speaker))
        capture = self.capture
        title = f"[b]{escape(speaker_name(speaker))}[/b]"
        if self.off_record:
            title += " — [b reverse]" + tr(" HORS COMPTE RENDU ", " OFF THE RECORD ") + "[/]"
        capture.border_title = title
        capture.set_class(self.off_record, "-off-record")

    @after_queued_keys
    def action_speaker(self, index: int) -> None:
        if index >= len(self.speakers):
            self.notify(
                tr("Personne sur {k} : il y a {n} présent(s).", "Nobody on {k}: {n} present.", k=SPEAKER_KEYS[index].upper(), n=len(self.speakers)),
                severity="warning",
            )
            return
        self.give_floor(self.speakers[index].id)

    def give_floor(self, participant_id: int | None) -> None:
        """Someone else speaks: what was being typed is committed for the previous speaker first."""
        if participant_id == self.speaker_id:
            self.capture.focus()
            return
        before = self.people.get(self.speaker_id) if self.speaker_id is not None else None
        had_text = bool(self.capture.text.strip())
        committed = self.commit(quiet=True)
        if had_text and committed is None:
            return  # the write failed (already said): the text keeps its speaker
        self.speaker_id = participant_id
        self.off_record = False
        self.update_speaker_display()
        self.schedule_save()
        if committed is not None:
            self.notify(
                tr("Contribution de {a} validée ; la parole est à {b}.", "{a}'s contribution committed; {b} has the floor.", a=speaker_name(before), b=speaker_name(self.people.get(participant_id) if participant_id else None)),
                timeout=2,
            )
        self.capture.focus()

    def action_pick_speaker(self) -> None:
        def chosen(result: tuple[int | None] | None) -> None:
            if result is None:
                return
            (pid,) = result
            if pid is not None and pid not in {p.id for p in self.speakers}:
                # Someone arriving late: they are present from now on and get the next free key.
                set_attendance(self.db, self.session.id, pid, True)
                self.reload_people()
            self.give_floor(pid)

        self.app.push_screen(SpeakerPicker(list(self.people.values()), self.speaker_id), chosen)

    # --- typing and autosave ---------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if event.text_area.id != "capture":
            return
        text = event.text_area.text
        if self._draft_tags:
            self.show_draft_tags(text)
        if text.strip() and self.session.status == "preparee":
            # The meeting starts with its first word: that is when the clock starts. Typing must
            # never stop on this: if the base is busy, the clock starts with a later keystroke.
            try:
                self.session = update_session(self.db, self.session.id, status="en_cours")
                self.query_one(ElapsedClock).set_times(self.session.started_at)
            except (GrtError, sqlite3.Error):
                pass
        self.schedule_save()

    def schedule_save(self) -> None:
        # A throttle, not a debounce: continuous typing is still saved every AUTOSAVE_DELAY seconds.
        if self._save_timer is None:
            self._save_timer = self.set_timer(AUTOSAVE_DELAY, self._timer_save)

    def _timer_save(self) -> None:
        self._save_timer = None
        self.flush()

    def _cancel_timer(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None

    def flush(self, text: str | None = None) -> bool:
        """Write the capture area to the draft row now if it changed. False if the write failed."""
        text = self.capture.text if text is None else text
        state = (text, self.speaker_id, self.off_record)
        if state == self._saved:
            return True
        if self._draft_id is None and not text.strip():
            self._saved = state
            return True
        try:
            old_text = self._saved[0]
            draft = save_draft(self.db, self.session.id, self.speaker_id, text, off_record=self.off_record)
            self._draft_id = draft.id
            lost = reanchor(self.db, draft.id, old_text, draft.text) if self._draft_tags and old_text != draft.text else 0
            if self._draft_tags:
                self._draft_tags = list_annotations(self.db, contribution_id=draft.id)
            self._saved = state
        except (GrtError, sqlite3.Error) as e:
            if not self._save_failed:
                self.notify(
                    tr(
                        "Enregistrement impossible ({e}). Le texte reste à l'écran ; nouvel essai dans une seconde.",
                        "Cannot save ({e}). The text stays on screen; trying again in a second.",
                        e=e,
                    ),
                    severity="error",
                    timeout=10,
                )
            self._save_failed = True
            self._cancel_timer()
            self._save_timer = self.set_timer(RETRY_DELAY, self._timer_save)
            return False
        if self._save_failed:
            self.notify(tr("Enregistrement rétabli.", "Saving works again."))
        self._save_failed = False
        if lost:
            self.notify(tr("{n} codage(s) retiré(s) : le passage a changé.", "{n} tag(s) removed: the passage changed.", n=lost), severity="warning")
        self.capture.border_subtitle = tr("enregistré à {t}", "saved at {t}", t=self.app.now().strftime("%H:%M:%S"))  # type: ignore[attr-defined]
        return True

    def flush_now(self) -> None:
        self._cancel_timer()
        self.flush()

    def on_unmount(self) -> None:
        self.flush_now()

    def show_draft_tags(self, text: str | None = None) -> None:
        """Colour the tagged passages of the text being typed, following them as the text moves."""
        text = self.capture.text if text is None else text
        spans = []
        for a in self._draft_tags:
            start = a.start if text[a.start : a.end] == a.quote else relocate(text, a.quote, a.start)
            if start is not None and a.code in self.codes:
                spans.append((start, start + len(a.quote), code_style(self.codes[a.code].color)))
        self.capture.set_spans(spans)

    # --- committing ------------------------------------------------------------------------------

    @after_queued_keys
    def action_commit(self) -> None:
        c = self.commit()
        if c is not None:
            self.capture.focus()

    def commit(self, quiet: bool = False) -> Contribution | None:
        """The text becomes a contribution at the end of the list; the next one starts at once."""
        text = self.capture.text
        if not text.strip():
            if not quiet:
                self.notify(tr("Rien à valider : la zone de saisie est vide.", "Nothing to commit: the capture area is empty."), timeout=2)
            return None
        self._cancel_timer()
        if not self.flush(text.strip()):
            return None
        try:
            c = commit_draft(self.db, self.session.id)
        except (GrtError, sqlite3.Error) as e:
            self.notify(tr("Validation impossible ({e}) ; le texte reste enregistré comme brouillon.", "Cannot commit ({e}); the text stays saved as a draft.", e=e), severity="error")
            return None
        self._draft_id = None
        self._draft_tags = []
        self._saved = ("", self.speaker_id, self.off_record)
        self.capture.load_text("")
        self.capture.set_spans([])
        self.capture.border_subtitle = ""
        if c is not None:
            tags = list_annotations(self.db, contribution_id=c.id)
            lst = self.contribution_list
            lst.annotations[c.id] = tags
            lst.append(c)
            lst.show_last()
            lst.border_subtitle = self._counts(lst.contributions)
        return c

    # --- off the record --------------------------------------------------------------------------

    @after_queued_keys
    def action_toggle_off_record(self) -> None:
        if self.focused is self.contribution_list:
            self.action_toggle_highlighted_off_record()
            return
        if self.capture.text.strip():
            self.off_record = not self.off_record
            self.update_speaker_display()
            self.flush_now()
            return
        # Nothing typed yet: "ça, on ne le met pas" is about what was just said.
        if not self.contribution_list.contributions:
            self.notify(tr("Aucune contribution à marquer.", "No contribution to mark."), severity="warning")
            return
        self._toggle(self.contribution_list.contributions[-1])

    def action_toggle_highlighted_off_record(self) -> None:
        c = self.contribution_list.highlighted_contribution
        if c is not None:
            self._toggle(c)

    def _toggle(self, c: Contribution) -> None:
        c = set_off_record(self.db, c.id, not c.off_record)
        self.contribution_list.update_one(c)
        self.contribution_list.border_subtitle = self._counts(self.contribution_list.contributions)
        who = speaker_name(self.people.get(c.participant_id) if c.participant_id else None)
        if c.off_record:
            self.notify(tr("Contribution de {w} ({t}) : HORS COMPTE RENDU.", "{w}'s contribution ({t}): OFF THE RECORD.", w=who, t=clock_time(c.created_at)))
        else:
            self.notify(tr("Contribution de {w} ({t}) : de nouveau dans le compte rendu.", "{w}'s contribution ({t}): back in the report.", w=who, t=clock_time(c.created_at)))

    # --- tagging ---------------------------------------------------------------------------------

    @after_queued_keys
    def action_tag(self) -> None:
        if self.focused is self.contribution_list:
            self.action_edit_highlighted()
            return
        span = self.capture.selection_offsets()
        text = self.capture.text
        if span is not None:
            span = trim_span(text, *span)
        if span is None or span[0] >= span[1]:
            self.notify(
                tr(
                    "Sélectionnez d'abord le passage : Maj+flèches (Ctrl+Maj+flèches mot par mot), puis Ctrl+T.",
                    "Select the passage first: Shift+arrows (Ctrl+Shift+arrows word by word), then Ctrl+T.",
                ),
                severity="warning",
            )
            return
        start, end = span
        quote = text[start:end]
        self.flush_now()
        if self._draft_id is None:
            return
        from .tag_picker import TagPicker, remember_code

        def chosen(code: str | None) -> None:
            self.capture.focus()
            if not code:
                return
            draft = get_contribution(self.db, self._draft_id) if self._draft_id else None
            if draft is None:
                return
            at = start if draft.text[start:end] == quote else relocate(draft.text, quote, start)
            if at is None:
                self.notify(tr("Le passage a changé entre-temps : recommencez.", "The passage changed meanwhile: try again."), severity="warning")
                return
            try:
                ann = add_annotation(self.db, draft.id, code, at, at + len(quote))
            except GrtError as e:
                self.notify(str(e), severity="error")
                return
            remember_code(self.db, code)
            self.tag_undo.append(ann.id)
            self._draft_tags.append(ann)
            self.show_draft_tags()
            self.capture.move_cursor(self.capture.selection.end)
            self.notify(tr("Codé : {c}", "Tagged: {c}", c=self.codes[code].label(language())), timeout=2)

        self.app.push_screen(TagPicker(self.db, quote), chosen)

    def action_undo_tag(self) -> None:
        while self.tag_undo:
            ann_id = self.tag_undo.pop()
            row = self.db.execute("SELECT contribution_id, quote, code FROM annotations WHERE id = ?", [ann_id]).fetchone()
            if row is None:  # already gone: its passage was edited away
                continue
            delete_annotation(self.db, ann_id)
            self.after_tags_changed(row[0])
            label = self.codes[row[2]].label(language()) if row[2] in self.codes else row[2]
            self.notify(tr("Codage annulé : {c} sur « {q} »", "Tag undone: {c} on '{q}'", c=label, q=_short(row[1])), timeout=3)
            return
        self.notify(tr("Aucun codage à annuler.", "No tag to undo."), timeout=2)

    def after_tags_changed(self, contribution_id: int) -> None:
        """Redraw whichever place shows this contribution (capture area or list)."""
        if contribution_id == self._draft_id:
            self._draft_tags = list_annotations(self.db, contribution_id=contribution_id)
            self.show_draft_tags()
            return
        try:
            c = get_contribution(self.db, contribution_id)
        except NotFound:
            return
        self.contribution_list.update_one(c, list_annotations(self.db, contribution_id=contribution_id))

    # --- earlier contributions -------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "contributions":
            event.stop()
            self.action_edit_highlighted()

    def action_edit_highlighted(self) -> None:
        c = self.contribution_list.highlighted_contribution
        if c is None:
            return

        def closed(_: Any) -> None:
            try:
                fresh = get_contribution(self.db, c.id)
            except NotFound:
                self.reload_contributions()
                return
            self.contribution_list.update_one(fresh, list_annotations(self.db, contribution_id=c.id))
            self.contribution_list.focus()

        self.app.push_screen(EditContributionScreen(self, c), closed)

    def action_move_highlighted(self, offset: int) -> None:
        c = self.contribution_list.highlighted_contribution
        if c is None:
            return
        move_contribution(self.db, c.id, offset)
        self.reload_contributions()
        self.contribution_list.highlighted = self.contribution_list.get_option_index(str(c.id))

    def action_delete_highlighted(self) -> None:
        from .forms import ConfirmDialog

        c = self.contribution_list.highlighted_contribution
        if c is None:
            return
        who = speaker_name(self.people.get(c.participant_id) if c.participant_id else None)

        def done(yes: bool | None) -> None:
            if yes:
                index = self.contribution_list.highlighted or 0
                delete_contribution(self.db, c.id)
                self.reload_contributions()
                if self.contribution_list.contributions:
                    self.contribution_list.highlighted = min(index, len(self.contribution_list.contributions) - 1)
                self.notify(tr("Contribution supprimée.", "Contribution deleted."))

        self.app.push_screen(
            ConfirmDialog(tr("Supprimer cette contribution de {w} ({t}) ?", "Delete this contribution by {w} ({t})?", w=who, t=clock_time(c.created_at)), _short(c.text, 200)),
            done,
        )

    # --- proposals -------------------------------------------------------------------------------

    def action_toggle_proposals(self) -> None:
        panel = self.query_one("#proposals", ProposalsPanel)
        main = self.query_one("#meeting-main")
        if panel.display:
            panel.display = False
            main.remove_class("-with-proposals")
            if self.focused is None or self.focused is panel:
                self.capture.focus()
            self.call_after_refresh(self.contribution_list.scroll_to_highlight)
            return
        panel.show_proposals(open_proposals(self.db, self.group.id, self.session.id))
        panel.display = True
        main.add_class("-with-proposals")
        self.call_after_refresh(self.contribution_list.scroll_to_highlight)

    def action_follow_proposals(self) -> None:
        from .proposals import ProposalsFollowUp

        def done(_: Any) -> None:
            self.capture.focus()
            panel = self.query_one("#proposals", ProposalsPanel)
            if panel.display:
                panel.show_proposals(open_proposals(self.db, self.group.id, self.session.id))

        self.flush_now()
        self.app.push_screen(ProposalsFollowUp(self.db, self.group.id, self.session.id), done)

    def action_note_proposal(self) -> None:
        from .forms import ProposalForm

        source = self.contribution_list.highlighted_contribution if self.focused is self.contribution_list else None
        if source is None and self.contribution_list.contributions:
            source = self.contribution_list.contributions[-1]
        carrier = self.people.get(self.speaker_id) if self.speaker_id is not None else None

        def done(result: Any) -> None:
            self.capture.focus()
            if result:
                self.notify(tr("Proposition notée.", "Proposal noted."))
                panel = self.query_one("#proposals", ProposalsPanel)
                if panel.display:
                    panel.show_proposals(open_proposals(self.db, self.group.id, self.session.id))

        self.app.push_screen(ProposalForm(self.db, self.group.id, self.session.id, carrier, source), done)

    # --- session ---------------------------------------------------------------------------------

    def action_close_session(self) -> None:
        self.flush_now()
        self.session = update_session(self.db, self.session.id, status="close")
        self.query_one(ElapsedClock).set_times(self.session.started_at, self.session.ended_at, True)
        self.notify(tr("Séance close. Vous pouvez encore corriger les contributions.", "Meeting closed. You can still correct the contributions."))

    def action_restart_clock(self) -> None:
        self.session = update_session(self.db, self.session.id, status="en_cours")
        self.query_one(ElapsedClock).set_times(self.session.started_at)
        self.notify(tr("Chronomètre remis à zéro.", "Clock restarted."))

    def action_back(self) -> None:
        if self.focused is not self.capture:
            self.capture.focus()
            return
        if self.capture.selection_offsets() is not None:
            self.capture.move_cursor(self.capture.selection.end)
            return
        self.flush_now()
        self.dismiss()

    # --- help and palette ------------------------------------------------------------------------

    def help_sections(self):
        return [
            (
                tr("Pendant la séance", "During the meeting"),
                [
                    ("F2 … F9", tr("Donner la parole (la contribution en cours est validée pour l'intervenant précédent)", "Give the floor (the text being typed is committed for the previous speaker)")),
                ]
                + help_rows(MEETING_KEYS),
            ),
            (
                tr("Dans la zone de saisie", "In the capture area"),
                [
                    (tr("Maj+flèches", "Shift+arrows"), tr("Sélectionner un passage (pour le coder avec Ctrl+T)", "Select a passage (to tag it with Ctrl+T)")),
                    (tr("Ctrl+Maj+← →", "Ctrl+Shift+← →"), tr("Sélectionner mot par mot", "Select word by word")),
                    ("Ctrl+Z / Ctrl+Y", tr("Annuler / rétablir la frappe", "Undo / redo typing")),
                    ("Ctrl+X / Ctrl+C / Ctrl+V", tr("Couper / copier / coller", "Cut / copy / paste")),
                    ("Ctrl+A / Ctrl+E", tr("Début / fin de ligne", "Start / end of line")),
                    ("Ctrl+W / Ctrl+U / Ctrl+K", tr("Effacer le mot / le début / la fin de la ligne", "Delete word / start / end of line")),
                ],
            ),
            (
                tr("Dans la liste des contributions (Tab)", "In the list of contributions (Tab)"),
                [("↑ ↓", tr("Choisir une contribution", "Choose a contribution"))] + help_rows(LIST_KEYS),
            ),
        ]

    def help_notes(self) -> list[str]:
        return [
            tr(
                "Ce que vous tapez est enregistré automatiquement moins d'une seconde après la frappe, même si l'ordinateur s'éteint ; la saisie réapparaît à la réouverture de la séance.",
                "What you type is saved automatically less than a second after each keystroke, even if the computer dies; it reappears when the meeting is reopened.",
            ),
            tr(
                "Hors compte rendu : une contribution marquée ne sort jamais du groupe (ni synthèse, ni export). Avec une zone de saisie vide, Ctrl+O marque la dernière contribution validée. "
                "La marque reste pour les contributions suivantes du même intervenant (cadre rouge) jusqu'à Ctrl+O ou un changement d'intervenant.",
                "Off the record: a marked contribution never leaves the group (no synthesis, no export). With an empty capture area, Ctrl+O marks the last committed contribution. "
                "The mark stays for the same speaker's next contributions (red frame) until Ctrl+O or another speaker.",
            ),
            tr(
                "Si les touches F2…F9 ne répondent pas sur un portable, maintenez Fn ou activez le verrouillage Fn ; Ctrl+L choisit l'intervenant dans une liste.",
                "If F2…F9 do nothing on a laptop, hold Fn or turn Fn lock on; Ctrl+L picks the speaker from a list.",
            ),
        ]

    def commands(self) -> list[tuple[str, str, Any]]:
        return [
            (tr("Valider la contribution", "Commit the contribution"), "Ctrl+S", self.action_commit),
            (tr("Hors compte rendu", "Off the record"), tr("Ctrl+O : la contribution en cours, ou la dernière", "Ctrl+O: the one being typed, or the last one"), self.action_toggle_off_record),
            (tr("Coder la sélection", "Tag the selection"), "Ctrl+T", self.action_tag),
            (tr("Annuler le dernier codage", "Undo the last tag"), "Ctrl+R", self.action_undo_tag),
            (tr("Propositions en cours", "Open proposals"), "Ctrl+F", self.action_toggle_proposals),
            (tr("Noter une proposition", "Note a proposal"), "Ctrl+N", self.action_note_proposal),
            (tr("Nouvelles des propositions en cours", "News of the open proposals"), "Ctrl+G", self.action_follow_proposals),
            (tr("Choisir l'intervenant dans la liste", "Pick the speaker from a list"), "Ctrl+L", self.action_pick_speaker),
            (tr("Clore la séance", "Close the meeting"), tr("Arrête le chronomètre", "Stops the clock"), self.action_close_session),
            (tr("Remettre le chronomètre à zéro", "Restart the clock"), tr("Si la séance a été ouverte avant de commencer", "If the meeting was opened before it started"), self.action_restart_clock),
            (tr("Retour à l'accueil", "Back to the home screen"), tr("Échap", "Esc"), self.action_back),
        ]


def _short(text: str, n: int = 60) -> str:
    words = " ".join(text.split())
    return words if len(words) <= n else words[: n - 1] + "…"


class SpeakerPicker(ModalScreen[tuple[int | None] | None]):
    """Every participant of the group (and 'the group' for several voices at once)."""

    KEYS = [Key("escape", "cancel", "Annuler", "Cancel")]

    def __init__(self, people: list[Participant], current: int | None) -> None:
        super().__init__()
        bind_keys(self, self.KEYS)
        self.people = [p for p in people if p.active] + [p for p in people if not p.active]
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="speaker-picker", classes="form"):
            yield OptionList(id="speaker-options")

    def on_mount(self) -> None:
        box = self.query_one("#speaker-picker")
        box.border_title = tr("Qui parle ?", "Who speaks?")
        box.border_subtitle = tr("Entrée choisir · Échap annuler", "Enter pick · Esc cancel")
        options = self.query_one(OptionList)
        for p in self.people:
            label = Text(p.pseudonym, style="bold")
            if p.role:
                label.append(f" — {p.role}", style="dim")
            if p.authority:
                label.append(" ★", style="#e0b030")
            options.add_option(Option(label, id=str(p.id)))
        options.add_option(Option(Text(tr("(le groupe / plusieurs voix)", "(the group / several voices)"), style="italic"), id="none"))
        ids = [o.id for o in options.options]
        options.highlighted = ids.index(str(self.current)) if str(self.current) in ids else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss((None if event.option.id == "none" else int(event.option.id),))

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditContributionScreen(ModalScreen[bool]):
    """An earlier contribution: correct its text or speaker, tag passages in it, mark it off the record.

    Closing (Ctrl+S or Escape) keeps the changes: in this product, text is never thrown away by reflex.
    """

    KEYS = [
        HELP_KEY,
        Key("ctrl+s", "close", "Enregistrer", "Save", priority=True, help_fr="Enregistrer et fermer", help_en="Save and close"),
        Key("ctrl+t", "tag", "Coder", "Tag", priority=True, help_fr="Coder le passage sélectionné", help_en="Tag the selected passage"),
        Key("ctrl+o", "toggle_off_record", "Hors CR", "Off record", priority=True, help_fr="Hors compte rendu (oui/non)", help_en="Off the record (on/off)"),
        Key("ctrl+r", "undo_tag", "Annuler codage", "Undo tag", priority=True, show=False, help_fr="Annuler le dernier codage", help_en="Undo the last tag"),
        Key("escape", "close", "Fermer", "Close", help_fr="Fermer (les modifications sont gardées)", help_en="Close (changes are kept)"),
    ]

    def __init__(self, meeting: MeetingScreen, contribution: Contribution) -> None:
        super().__init__()
        bind_keys(self, self.KEYS + speaker_keys())
        self.meeting = meeting
        self.db = meeting.db
        self.contribution = contribution
        self.tags = list_annotations(self.db, contribution_id=contribution.id)

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-box"):
            yield Static("", id="edit-head")
            yield HighlightTextArea(self.contribution.text, id="edit-text")
            yield Static("", id="edit-tags")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        box = self.query_one("#edit-box")
        box.border_title = tr("Contribution n°{n}", "Contribution no. {n}", n=self._number())
        box.border_subtitle = tr("Ctrl+S/Échap fermer · Ctrl+T coder · F2…F9 intervenant", "Ctrl+S/Esc close · Ctrl+T tag · F2…F9 speaker")
        self.refresh_view()
        area = self.query_one("#edit-text", HighlightTextArea)
        area.move_cursor(area.document.end)
        area.focus()

    def _number(self) -> int:
        ids = [c.id for c in self.meeting.contribution_list.contributions]
        return ids.index(self.contribution.id) + 1 if self.contribution.id in ids else 0

    def refresh_view(self) -> None:
        c = self.contribution
        speaker = self.meeting.people.get(c.participant_id) if c.participant_id else None
        head = Text()
        head.append(clock_time(c.created_at) + "  ", style="dim")
        head.append(speaker_name(speaker), style="bold")
        if c.off_record:
            head.append("  ")
            head.append_text(off_record_badge())
        keys = "  ".join(f"{SPEAKER_KEYS[i].upper()} {p.pseudonym}" for i, p in enumerate(self.meeting.speakers[: len(SPEAKER_KEYS)]))
        head.append("\n" + tr("Changer d'intervenant : ", "Change speaker: ") + keys, style="dim")
        self.query_one("#edit-head", Static).update(head)
        area = self.query_one("#edit-text", HighlightTextArea)
        codes = self.meeting.codes
        area.set_spans([(a.start, a.end, code_style(codes[a.code].color)) for a in self.tags if a.code in codes and area.text[a.start : a.end] == a.quote])
        lines = Text()
        for a in self.tags:
            if a.code not in codes:
                continue
            if lines:
                lines.append("\n")
            lines.append(f" {codes[a.code].shortcut or a.code} ", style=code_style(codes[a.code].color))
            lines.append(f" {codes[a.code].label(language())} : « {_short(a.quote, 70)} »")
        if not self.tags:
            lines = Text(tr("Aucun passage codé. Sélectionnez-en un (Maj+flèches) puis Ctrl+T.", "No tagged passage. Select one (Shift+arrows) then Ctrl+T."), style="dim italic")
        self.query_one("#edit-tags", Static).update(lines)

    def save_text(self) -> bool:
        """Write the edited text (tags follow their passage); False if it cannot be saved."""
        text = self.query_one("#edit-text", HighlightTextArea).text
        if text.strip() == self.contribution.text:
            return True
        if not text.strip():
            self.notify(tr("Le texte est vide : il n'est pas enregistré (Suppr dans la liste pour supprimer).", "The text is empty: not saved (Del in the list deletes)."), severity="warning")
            return False
        try:
            self.contribution, lost = update_text(self.db, self.contribution.id, text)
        except GrtError as e:
            self.notify(str(e), severity="error")
            return False
        self.tags = list_annotations(self.db, contribution_id=self.contribution.id)
        if lost:
            self.notify(tr("{n} codage(s) retiré(s) : le passage a changé.", "{n} tag(s) removed: the passage changed.", n=lost), severity="warning")
        return True

    @after_queued_keys
    def action_close(self) -> None:
        if self.save_text():
            self.dismiss(True)

    @after_queued_keys
    def action_speaker(self, index: int) -> None:
        if index < len(self.meeting.speakers):
            self.contribution = set_speaker(self.db, self.contribution.id, self.meeting.speakers[index].id)
            self.refresh_view()

    @after_queued_keys
    def action_toggle_off_record(self) -> None:
        self.contribution = set_off_record(self.db, self.contribution.id, not self.contribution.off_record)
        self.refresh_view()

    @after_queued_keys
    def action_tag(self) -> None:
        from .tag_picker import TagPicker, remember_code

        area = self.query_one("#edit-text", HighlightTextArea)
        span = area.selection_offsets()
        if span is not None:
            span = trim_span(area.text, *span)
        if span is None or span[0] >= span[1]:
            self.notify(tr("Sélectionnez d'abord le passage : Maj+flèches, puis Ctrl+T.", "Select the passage first: Shift+arrows, then Ctrl+T."), severity="warning")
            return
        start, end = span
        quote = area.text[start:end]
        if not self.save_text():
            return
        at = start if self.contribution.text[start:end] == quote else relocate(self.contribution.text, quote, start)
        if at is None:
            return

        def chosen(code: str | None) -> None:
            area.focus()
            if not code:
                return
            try:
                ann = add_annotation(self.db, self.contribution.id, code, at, at + len(quote))
            except GrtError as e:
                self.notify(str(e), severity="error")
                return
            remember_code(self.db, code)
            self.meeting.tag_undo.append(ann.id)
            self.tags = list_annotations(self.db, contribution_id=self.contribution.id)
            area.move_cursor(area.selection.end)
            self.refresh_view()

        self.app.push_screen(TagPicker(self.db, quote), chosen)

    def action_undo_tag(self) -> None:
        self.meeting.action_undo_tag()
        self.tags = list_annotations(self.db, contribution_id=self.contribution.id)
        self.refresh_view()

    def help_sections(self):
        return [
            (tr("Modifier une contribution", "Edit a contribution"), [("F2 … F9", tr("Changer l'intervenant", "Change the speaker"))] + help_rows(self.KEYS)),
        ]
