"""The home screen: groups, their sessions with counts, open proposals and authority presence; the forms
to create and edit groups, participants and sessions; snapshots at 80x24 and 160x48."""

from __future__ import annotations

import datetime as dt

import pytest

from grt.app import GrtApp
from grt.errors import InvalidInput
from grt.groups import list_groups, list_participants
from grt.i18n import set_language
from grt.screens.forms import ConfirmDialog, GroupForm, ParticipantForm, ParticipantsScreen, SessionForm, parse_date
from grt.screens.home import HomeScreen
from grt.sessions import attendees, list_sessions

NOW = dt.datetime(2026, 11, 20, 14, 30, 0)


def make_app(db) -> GrtApp:
    return GrtApp(db, clock=lambda: NOW)


async def test_home_lists_sessions_with_counts_proposals_and_authority(db, meeting_setup):
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        # Newest session first, with the cursor on it.
        assert [s["date"] for s in home.sessions] == ["2026-11-20", "2026-10-02"]
        earlier = home.sessions[1]
        assert (earlier["contributions"], earlier["off_record"], earlier["open_proposals"]) == (3, 1, 1)
        table = home.query_one("#sessions")
        row = [str(c) for c in table.get_row_at(1)]
        assert row[0] == "02/10/2026" and row[2] == "3" and row[3] == "1" and "Sandrine" in row[4]
        await pilot.press("down")
        detail = str(home.query_one("#session-detail").render())
        assert "Racontez une visite" in detail and "1 proposition(s) ouverte(s)" in detail
        assert "AUTORITÉ" in detail and "Sandrine (responsable de secteur)" in detail
        assert app.session_id == meeting_setup["earlier"].id
        await pilot.press("enter")
        assert type(app.screen).__name__ == "MeetingScreen"


async def test_no_authority_no_badge(db, meeting_setup):
    from grt.sessions import set_attendance

    set_attendance(db, meeting_setup["session"].id, meeting_setup["chef"].id, False)
    app = make_app(db)
    async with app.run_test(size=(100, 30)):
        home = app.screen
        assert "AUTORITÉ" not in str(home.query_one("#session-detail").render())
        assert str(home.query_one("#sessions").get_row_at(0)[4]) == "—"


async def test_first_group_then_its_participants_then_a_session(db):
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        home = app.screen
        assert "Aucun groupe" in str(home.query_one("#groups").get_option_at_index(0).prompt)
        await pilot.press("n")  # no group yet: explained, nothing opens
        assert app.screen is home
        await pilot.press("g")
        assert isinstance(app.screen, GroupForm)
        await pilot.press(*"Foyer", "enter", *"ESAT", "enter")
        [group] = list_groups(db)
        assert (group.name, group.sector) == ("Foyer", "ESAT")
        # Creating a group leads straight to its participants.
        assert isinstance(app.screen, ParticipantsScreen)
        await pilot.press("a")
        assert isinstance(app.screen, ParticipantForm)
        await pilot.press(*"Karim", "enter", *"chef", "tab", "space", "ctrl+s")
        await pilot.press("a", *"Julie", "enter", *"AMP", "ctrl+s")
        people = list_participants(db, group.id)
        assert [(p.pseudonym, p.role, p.authority) for p in people] == [("Karim", "chef", True), ("Julie", "AMP", False)]
        # Reorder: Julie first (she will be F2 in the meeting).
        await pilot.press("down", "shift+up")
        assert [p.pseudonym for p in list_participants(db, group.id)] == ["Julie", "Karim"]
        await pilot.press("enter")  # Enter edits the participant under the cursor
        assert isinstance(app.screen, ParticipantForm) and app.screen.query_one("#pseudonym").value == "Julie"
        await pilot.press("escape", "escape")
        assert app.screen is home
        assert "Karim" in str(home.query_one("#participants").render())
        # A session: date is today by default, everyone active is present, one can be unticked.
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, SessionForm) and form.query_one("#date").value == "20/11/2026"
        await pilot.press("enter", *"Relève", "enter")
        assert form.focused.id == "present"
        await pilot.press("space", "ctrl+s")  # untick Julie
        [s] = list_sessions(db, group.id)
        assert (s["date"], s["question"], s["authority_present"]) == ("2026-11-20", "Relève", True)
        assert [p.pseudonym for p in attendees(db, s["id"])] == ["Karim"]
        assert home.sessions[0]["id"] == s["id"]


async def test_edit_group_and_session_and_errors_stay_in_the_form(db, meeting_setup):
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        home = app.screen
        await pilot.press("e")  # on the sessions table: edit the session
        form = app.screen
        assert isinstance(form, SessionForm)
        form.query_one("#date").value = "31/02/2026"
        await pilot.press("ctrl+s")
        assert app.screen is form and "Date impossible" in str(form.query_one(".form-error").render())
        form.query_one("#date").value = "21/11/2026"
        await pilot.press("ctrl+s")
        assert app.screen is home and home.sessions[0]["date"] == "2026-11-21"
        home.query_one("#groups").focus()
        await pilot.press("e")
        assert isinstance(app.screen, GroupForm)
        app.screen.query_one("#name").value = ""
        await pilot.press("ctrl+s")
        assert "ne peut pas être vide" in str(app.screen.query_one(".form-error").render())
        await pilot.press("escape")
        assert app.screen is home and list_groups(db)[0].name == "Équipe SAAD Est"


async def test_only_an_empty_session_can_be_deleted(db, meeting_setup):
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        home = app.screen
        await pilot.press("down", "delete")  # the earlier session holds contributions
        assert app.screen is home and len(list_sessions(db)) == 2
        await pilot.press("up", "delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # Enter means No
        assert len(list_sessions(db)) == 2
        await pilot.press("delete", "o")
        assert [s["date"] for s in list_sessions(db)] == ["2026-10-02"]


async def test_proposals_of_the_group_on_f(db, meeting_setup):
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f")
        assert "Prévoir dix minutes" in str(app.screen.query_one("#proposals-dialog Static").render())
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_english_home(db, meeting_setup):
    set_language("en")
    app = make_app(db)
    async with app.run_test(size=(100, 30)):
        home = app.screen
        assert home.query_one("#sessions").border_title == "Sessions of 'Équipe SAAD Est'"
        assert {"New session", "New group", "Participants", "Quit"} <= {b.description for _, b in home._bindings}


def test_parse_date_accepts_what_french_users_type():
    today = dt.date(2026, 11, 20)
    assert parse_date("", today) == "2026-11-20"
    assert parse_date("27/11/2026", today) == "2026-11-27"
    assert parse_date("3/1", today) == "2026-01-03"
    assert parse_date("2026-12-01", today) == "2026-12-01"
    with pytest.raises(InvalidInput):
        parse_date("demain", today)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_home_snapshot(db, meeting_setup, snap_compare, size):
    app = make_app(db)

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.clear_notifications()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
