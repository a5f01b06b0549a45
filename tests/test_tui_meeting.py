"""The meeting screen driven from the keyboard, as a facilitator would, with the database checked after
each step; and its snapshots at 80x24 and 160x48."""

from __future__ import annotations

import datetime as dt

import pytest

from grt.annotations import list_annotations
from grt.app import SCREENS, GrtApp
from grt.contributions import get_draft, list_contributions, save_draft
from grt.i18n import set_language
from grt.screens.forms import ConfirmDialog, ProposalForm, SessionForm
from grt.screens.meeting import EditContributionScreen, MeetingScreen, trim_span
from grt.screens.tag_picker import TagPicker, rank_codes, recent_codes
from grt.sessions import get_session, list_sessions

NOW = dt.datetime(2026, 11, 20, 14, 30, 0)


def make_app(db) -> GrtApp:
    return GrtApp(db, clock=lambda: NOW)


async def open_meeting(pilot, session_id: int) -> MeetingScreen:
    pilot.app.open_screen("meeting", session_id=session_id)
    await pilot.pause()
    assert isinstance(pilot.app.screen, MeetingScreen)
    return pilot.app.screen


def texts(db, session_id):
    return [(c.participant_id, c.text, c.off_record) for c in list_contributions(db, session_id)]


async def test_a_whole_meeting_from_the_keyboard(db, meeting_setup):
    t = meeting_setup
    lina, paul, chef = t["lina"].id, t["paul"].id, t["chef"].id
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        # Create the session from the home screen: n, the date (today by default), the question.
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, SessionForm)
        assert form.query_one("#date").value == "20/11/2026"
        form.query_one("#date").value = "27/11/2026"
        await pilot.press("enter")  # to the question
        await pilot.press(*"Temps")
        await pilot.press("ctrl+s")
        new = next(s for s in list_sessions(db) if s["date"] == "2026-11-27")
        assert new["question"] == "Temps" and new["authority_present"]

        # Open it: the cursor is in the capture area, Lina (first present) has the floor.
        await pilot.press("enter")
        meeting = app.screen
        assert isinstance(meeting, MeetingScreen) and meeting.session.id == new["id"]
        assert meeting.focused is meeting.capture
        assert meeting.speaker_id == lina

        # Type, commit with one key; the next contribution starts at once for the same speaker.
        await pilot.press(*"30 min.")
        assert get_session(db, new["id"]).status == "en_cours"  # the clock started with the first word
        meeting.flush_now()
        assert get_draft(db, new["id"]).text == "30 min."
        await pilot.press("ctrl+s")
        assert texts(db, new["id"]) == [(lina, "30 min.", False)]
        assert meeting.capture.text == "" and meeting.speaker_id == lina and get_draft(db, new["id"]) is None

        # F3 gives the floor to Paul; F2 back to Lina commits Paul's words first.
        await pilot.press("f3")
        assert meeting.speaker_id == paul
        await pilot.press(*"Rien.")
        await pilot.press("f2")
        assert texts(db, new["id"])[-1] == (paul, "Rien.", False)
        assert meeting.speaker_id == lina and meeting.capture.text == ""

        # Tag while capturing: select a span from the keyboard, Ctrl+T, two letters, Enter.
        await pilot.press(*"Je reste 45 min.")
        await pilot.press("left", "ctrl+shift+left", "ctrl+shift+left")  # selects "45 min"
        await pilot.press("ctrl+t")
        assert isinstance(app.screen, TagPicker)
        await pilot.press("e", "c", "enter")
        draft = get_draft(db, new["id"])
        [ann] = list_annotations(db, contribution_id=draft.id)
        assert (ann.code, ann.quote, ann.start) == ("ecart", "45 min", draft.text.index("45"))
        assert recent_codes(db)[0] == "ecart"
        # Undo the last tagging, then tag again with the digit of the recent code.
        await pilot.press("ctrl+r")
        assert list_annotations(db, contribution_id=draft.id) == []
        await pilot.press("end", *["shift+left"] * len("min."), "ctrl+t", "1")
        assert [a.quote for a in list_annotations(db, contribution_id=draft.id)] == ["min."]
        await pilot.press("ctrl+s")
        committed = list_contributions(db, new["id"])[-1]
        assert committed.id == draft.id and committed.text == "Je reste 45 min."
        [ann] = list_annotations(db, contribution_id=committed.id)
        assert committed.text[ann.start : ann.end] == "min."

        # "Ça, on ne le met pas": with nothing typed, Ctrl+O marks the last contribution.
        await pilot.press("ctrl+o")
        assert texts(db, new["id"])[-1][2] is True
        # While typing, Ctrl+O marks the contribution in progress (the capture area turns red).
        await pilot.press(*"Chut.", "ctrl+o")
        assert meeting.capture.has_class("-off-record")
        assert get_draft(db, new["id"]).off_record  # written at once
        await pilot.press("ctrl+s")
        assert texts(db, new["id"])[-1] == (lina, "Chut.", True)

        # Edit an earlier contribution: Tab to the list, up to Paul's, Enter, fix the text and the speaker.
        await pilot.press("tab")
        assert meeting.focused is meeting.contribution_list
        await pilot.press("up", "up")
        assert meeting.contribution_list.highlighted_contribution.text == "Rien."
        await pilot.press("enter")
        assert isinstance(app.screen, EditContributionScreen)
        await pilot.press("end", *" Non.", "f4", "ctrl+s")
        assert texts(db, new["id"])[1] == (chef, "Rien. Non.", False)
        assert meeting.focused is meeting.contribution_list

        # Move it up, then delete the first one (after a confirmation).
        await pilot.press("shift+up")
        assert [x[1] for x in texts(db, new["id"])][:2] == ["Rien. Non.", "30 min."]
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("o")
        assert [x[1] for x in texts(db, new["id"])] == ["30 min.", "Je reste 45 min.", "Chut."]

        # Escape: back to the capture area, then to the home screen, which shows the new counts.
        await pilot.press("escape")
        assert meeting.focused is meeting.capture
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"
        row = next(s for s in app.screen.sessions if s["id"] == new["id"])
        assert row["contributions"] == 3 and row["off_record"] == 2


async def test_the_draft_comes_back_in_its_place(db, meeting_setup):
    sid, paul = meeting_setup["session"].id, meeting_setup["paul"].id
    save_draft(db, sid, paul, "Ce que je tapais quand la batterie a lâché", off_record=True)
    app = make_app(db)
    async with app.run_test() as pilot:
        meeting = await open_meeting(pilot, sid)
        assert meeting.capture.text == "Ce que je tapais quand la batterie a lâché"
        assert meeting.speaker_id == paul and meeting.off_record
        assert meeting.capture.cursor_location == meeting.capture.document.end
        await pilot.press(*" et la suite", "ctrl+s")
    assert texts(db, sid) == [(paul, "Ce que je tapais quand la batterie a lâché et la suite", True)]


async def test_typing_is_saved_by_a_timer_not_on_each_key(db, meeting_setup):
    sid = meeting_setup["session"].id
    app = make_app(db)
    async with app.run_test() as pilot:
        meeting = await open_meeting(pilot, sid)
        await pilot.press(*"abc")
        # One pending write for the three keys; the timer itself is exercised by test_autosave_kill.py.
        assert meeting._save_timer is not None
        assert get_draft(db, sid) is None
        await pilot.press("escape")  # leaving writes at once
        assert get_draft(db, sid).text == "abc"


async def test_commit_with_nothing_typed_changes_nothing(db, meeting_setup):
    sid = meeting_setup["session"].id
    app = make_app(db)
    async with app.run_test() as pilot:
        await open_meeting(pilot, sid)
        await pilot.press("space", "ctrl+s")
    assert texts(db, sid) == []


async def test_escape_first_drops_a_selection(db, meeting_setup):
    app = make_app(db)
    async with app.run_test() as pilot:
        meeting = await open_meeting(pilot, meeting_setup["session"].id)
        await pilot.press(*"mot", "shift+left", "escape")
        assert app.screen is meeting and meeting.capture.selection_offsets() is None


async def test_tag_without_selection_explains_how(db, meeting_setup):
    app = make_app(db)
    async with app.run_test() as pilot:
        meeting = await open_meeting(pilot, meeting_setup["session"].id)
        await pilot.press(*"texte", "ctrl+t")
        assert app.screen is meeting
        assert any("Sélectionnez" in n.message for n in app._notifications)


async def test_speaker_keys_follow_attendance_and_ctrl_l_adds_a_latecomer(db, meeting_setup):
    from grt.sessions import set_attendance

    t = meeting_setup
    sid = t["session"].id
    set_attendance(db, sid, t["paul"].id, False)
    app = make_app(db)
    async with app.run_test() as pilot:
        meeting = await open_meeting(pilot, sid)
        assert [p.pseudonym for p in meeting.speakers] == ["Lina", "Sandrine"]
        await pilot.press("f3")
        assert meeting.speaker_id == t["chef"].id
        await pilot.press("f9")  # nobody there: a message, no change
        assert meeting.speaker_id == t["chef"].id
        await pilot.press("ctrl+l")
        await pilot.press("up", "enter")  # the list starts on Sandrine; Paul, above, arrives late
        assert meeting.speaker_id == t["paul"].id
        assert [p.pseudonym for p in meeting.speakers] == ["Lina", "Paul", "Sandrine"]


async def test_authority_presence_and_reminders_are_at_the_top(db, meeting_setup):
    app = make_app(db)
    async with app.run_test() as pilot:
        meeting = await open_meeting(pilot, meeting_setup["session"].id)
        top = str(meeting.query_one("#reminders").render())
        assert "Confidentiel" in top and "validation" in top
        assert "AUTORITÉ : Sandrine" in top and "responsable de secteur" in top
        assert "Qu'est-ce qui vous a empêchés" in str(meeting.query_one("#question").render())


async def test_open_proposals_on_demand_and_a_new_one_in_two_keys(db, meeting_setup):
    from grt.proposals import list_proposals

    t = meeting_setup
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        meeting = await open_meeting(pilot, t["session"].id)
        panel = meeting.query_one("#proposals")
        assert not panel.display
        await pilot.press("ctrl+f")
        assert panel.display
        assert "Prévoir dix minutes de transmission" in str(panel.query_one("Static").render())
        assert meeting.focused is meeting.capture  # typing goes on while the panel is open
        await pilot.press("ctrl+n")
        assert isinstance(app.screen, ProposalForm)
        await pilot.press(*"Un cahier de liaison", "ctrl+s")
        assert app.screen is meeting
    new = [p for p in list_proposals(db, group_id=t["group"].id) if p["text"] == "Un cahier de liaison"]
    assert new and new[0]["session_id"] == t["session"].id and new[0]["carrier"] == "Lina"
    assert new[0]["destination"] == "organisateurs"


async def test_earlier_session_shows_tags_and_off_record(db, meeting_setup):
    t = meeting_setup
    app = make_app(db)
    async with app.run_test(size=(100, 40)) as pilot:
        meeting = await open_meeting(pilot, t["earlier"].id)
        lst = meeting.contribution_list
        assert len(lst.contributions) == 3
        prompts = [lst.get_option_at_index(i).prompt for i in range(3)]
        assert "HORS COMPTE RENDU" in prompts[2].plain and "HORS COMPTE RENDU" not in prompts[0].plain
        # Tag highlights carry the code colour as background.
        first = prompts[0]
        planning = first.plain.index("Le planning")
        assert any(s.start <= planning < s.end and s.style.bgcolor is not None for s in first.spans)
        assert "Norme antécédente" in first.plain  # the chip line
        assert str(meeting.query_one("#clock").render()) == "durée 2 h 10"


async def test_help_lists_every_key_and_the_palette_has_the_main_actions(db, meeting_setup):
    from grt.screens.help import HelpScreen

    app = make_app(db)
    async with app.run_test() as pilot:
        meeting = await open_meeting(pilot, meeting_setup["session"].id)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(k for _, rows in app.screen.sections for k, _ in rows)
        for key in ("F2 … F9", "Ctrl+S", "Ctrl+T", "Ctrl+O", "Ctrl+R", "Ctrl+F", "Ctrl+N", "Ctrl+L", "Échap", "Suppr", "F1", "Ctrl+P"):
            assert key in shown, key
        await pilot.press("escape")
        assert app.screen is meeting
        titles = [c.title for c in app.get_system_commands(meeting)]
        for title in ("Valider la contribution", "Hors compte rendu", "Coder la sélection", "Propositions en cours", "Clore la séance"):
            assert title in titles


async def test_english_interface(db, meeting_setup):
    set_language("en")
    app = make_app(db)
    async with app.run_test() as pilot:
        meeting = await open_meeting(pilot, meeting_setup["session"].id)
        labels = {b.description for _, b in meeting._bindings}
        assert {"Commit", "Tag", "Off record", "Home"} <= labels
        assert "Question of the day" in str(meeting.query_one("#question").render())


async def test_screens_registry_opens_for_the_current_session(db, meeting_setup):
    assert SCREENS["meeting"].needs == "session"
    app = make_app(db)
    async with app.run_test() as pilot:
        app.session_id = None
        app.open_screen("meeting")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"  # refused: no session chosen
        app.session_id = meeting_setup["earlier"].id
        app.open_screen("meeting")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen) and app.screen.session.id == meeting_setup["earlier"].id


def test_picker_ranks_shortcuts_then_words_without_accents(db):
    from grt.codebook import list_codes

    codes = [c for c in list_codes(db) if not c.is_group]
    assert rank_codes(codes, "ec")[0].id == "ecart"
    assert rank_codes(codes, "ecart")[0].id == "ecart"
    assert rank_codes(codes, "tem")[0].id == "temps"
    assert rank_codes(codes, "valeur")[0].id == "valeur"
    assert rank_codes(codes, "zzz") == []


def test_trim_span_drops_spaces_at_the_edges():
    assert trim_span(" un mot ", 0, 8) == (1, 7)


# --- snapshots ---------------------------------------------------------------------------------


def _meeting_snapshot_app(db, t, draft: str):
    save_draft(db, t["earlier"].id, t["paul"].id, draft)
    app = make_app(db)
    app.group_id, app.session_id = t["group"].id, t["earlier"].id

    async def run_before(pilot) -> None:
        await pilot.pause()
        await open_meeting(pilot, t["earlier"].id)
        app.screen.capture.cursor_blink = False
        app.clear_notifications()
        await pilot.pause()

    return app, run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_meeting_snapshot(db, meeting_setup, snap_compare, size):
    app, run_before = _meeting_snapshot_app(db, meeting_setup, "Et quand le bureau rappelle, c'est pour ajouter une visite.")
    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_quitting_saves_what_was_being_typed(db, meeting_setup):
    sid = meeting_setup["session"].id
    app = make_app(db)
    async with app.run_test() as pilot:
        await open_meeting(pilot, sid)
        await pilot.press(*"dernier mot", "ctrl+q")
    assert get_draft(db, sid).text == "dernier mot"


async def test_a_failed_write_keeps_the_text_and_tries_again(db, meeting_setup, monkeypatch):
    import sqlite3

    import grt.screens.meeting as meeting_module

    sid = meeting_setup["session"].id
    real_save = meeting_module.save_draft
    locked = {"yes": True}

    def flaky(*args, **kwargs):
        if locked["yes"]:
            raise sqlite3.OperationalError("database is locked")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(meeting_module, "save_draft", flaky)
    app = make_app(db)
    async with app.run_test() as pilot:
        meeting = await open_meeting(pilot, sid)
        await pilot.press(*"texte précieux")
        assert meeting.flush() is False
        assert meeting.capture.text == "texte précieux"
        assert meeting._save_timer is not None  # a new try is scheduled
        assert any("Enregistrement impossible" in n.message for n in app._notifications)
        locked["yes"] = False
        assert meeting.flush() is True
    assert get_draft(db, sid).text == "texte précieux"


def test_start_up_does_not_load_the_language_model(db, meeting_setup, tmp_path):
    import subprocess
    import sys

    from grt.db import db_file

    code = f"""
import asyncio, sys
from grt.app import GrtApp
from grt.db import open_db
async def main():
    app = GrtApp(open_db({str(db_file(db))!r}))
    async with app.run_test() as pilot:
        await pilot.pause()
        app.open_screen("meeting", session_id={meeting_setup["session"].id})
        await pilot.pause()
        assert type(app.screen).__name__ == "MeetingScreen"
    print(sorted(m for m in sys.modules if m == "spacy" or m.startswith(("spacy.", "fr_core_news"))))
asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


async def test_off_record_mark_stays_with_the_speaker_until_someone_else_speaks(db, meeting_setup):
    t = meeting_setup
    sid = t["session"].id
    app = make_app(db)
    async with app.run_test() as pilot:
        await open_meeting(pilot, sid)
        await pilot.press(*"a", "ctrl+o", "ctrl+s", *"b", "ctrl+s")
        await pilot.press("f3", *"c", "f2")
    assert texts(db, sid) == [(t["lina"].id, "a", True), (t["lina"].id, "b", True), (t["paul"].id, "c", False)]


async def test_keys_queued_before_commit_or_new_speaker_are_kept(db, meeting_setup):
    """Fast typing on a busy laptop: letters still queued when Ctrl+S or F3 arrives stay in their contribution."""
    from textual import events

    from grt.app import GrtApp
    from grt.contributions import list_contributions

    session = meeting_setup["session"]
    app = GrtApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_screen("meeting", group_id=session.group_id, session_id=session.id)
        await pilot.pause()
        for ch in "bonjour":
            app.post_message(events.Key(ch, ch))
        app.post_message(events.Key("ctrl+s", None))
        for ch in "merci":
            app.post_message(events.Key(ch, ch))
        app.post_message(events.Key("f3", None))
        await pilot.pause()
        await pilot.pause()
    texts = [c.text for c in list_contributions(db, session.id)]
    assert texts[-2:] == ["bonjour", "merci"]
