"""The debates & proposals screen driven from the keyboard, as a facilitator would after a session
(JOURNEYS §4), with the database checked after each step; the open proposals updated from the meeting
screen (§2); snapshots at 80x24 and 160x48."""

from __future__ import annotations

import datetime as dt

import pytest

from grt.app import SCREENS, GrtApp
from grt.debates import get_debate, list_debates
from grt.proposals import get_proposal, list_proposals
from grt.screens.debates import AnnotationPicker, DebateForm, DebatesScreen, ItemForm, group_annotations
from grt.screens.forms import ConfirmDialog
from grt.screens.proposals import AnswerDialog, ProposalEditForm, ProposalsFollowUp, StatusDialog, next_status

NOW = dt.datetime(2026, 11, 20, 14, 30, 0)


def make_app(db) -> GrtApp:
    return GrtApp(db, clock=lambda: NOW)


async def open_debates(pilot, group_id: int) -> DebatesScreen:
    pilot.app.open_screen("debates", group_id=group_id)
    await pilot.pause()
    assert isinstance(pilot.app.screen, DebatesScreen)
    return pilot.app.screen


async def tick(pilot, picker: AnnotationPicker, annotation_ids: list[int]) -> None:
    """Move the cursor onto each passage with ↓ and tick it with Space, as a person would."""
    options = picker.query_one("#annotation-options")
    order = [r["id"] for r in picker.rows]
    for annotation_id in annotation_ids:
        target = order.index(annotation_id)
        while options.highlighted != target:
            await pilot.press("down" if options.highlighted < target else "up")
        await pilot.press("space")


def test_screens_are_registered():
    assert SCREENS["debates"].target == "grt.screens.debates:DebatesScreen" and SCREENS["debates"].needs == "group"
    assert SCREENS["review"].needs == "group"


async def test_a_debate_made_from_annotations_then_edited(db, review_setup):
    t = review_setup
    tags = t["tags"]
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_debates(pilot, t["group"].id)
        assert screen.focused.id == "debates-list"

        # n: the group's norms, renormalisations, values… newest session first; Space ticks, Enter creates.
        await pilot.press("n")
        picker = app.screen
        assert isinstance(picker, AnnotationPicker)
        codes = {r["code"] for r in picker.rows}
        assert codes <= {"prescrit", "reel", "valeur", "ecart", "debat_de_normes", "trou_de_normes"} and "temps" not in codes
        assert [r["date"] for r in picker.rows] == sorted((r["date"] for r in picker.rows), reverse=True)
        wanted = [tags[("c1", "prescrit")].id, tags[("c1", "reel")].id, tags[("c7", "valeur")].id]
        await tick(pilot, picker, wanted)
        assert "3 passage(s) coché(s)" in str(picker.query_one("#picker-count").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen

        debates = list_debates(db, t["group"].id)
        assert len(debates) == 2
        d = get_debate(db, debates[0]["id"])
        assert d["title"] == "Débat : « Le planning dit trente minutes »"
        assert [i["quote"] for i in d["norms"]] == ["Le planning dit trente minutes"]
        assert [i["quote"] for i in d["renormalisations"]] == ["je rattrape sur ma pause"]
        assert [(i["quote"], i["dimension"]) for i in d["values"]] == [("vingt-deux heures d'intervention en moins", "mesurable")]
        assert [s["date"] for s in d["sessions"]] == ["2026-09-17", "2026-11-20"]
        assert [p["pseudonym"] for p in d["participants"]] == ["Lina", "Sandrine"]
        # The new debate is chosen and shown.
        assert screen.query_one("#debates-pane").current["id"] == d["id"]

        # e: rename it and write the choice the group made.
        await pilot.press("escape")  # from the detail back to the list
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, DebateForm)
        await pilot.press("ctrl+u", *"Le planning ou la parole", "enter")
        await pilot.press(*"Rester et le noter", "ctrl+s")
        d = get_debate(db, d["id"])
        assert (d["title"], d["choice"], d["status"]) == ("Le planning ou la parole", "Rester et le noter", "ouvert")

        # s: one key moves the status on.
        await pilot.press("s")
        assert get_debate(db, d["id"])["status"] == "approfondi"

        # a: a value nobody said aloud, as free text, with its dimension.
        await pilot.press("a")
        assert isinstance(app.screen, ItemForm)
        await pilot.press(*"La parole de la personne", "tab", "down", "down", "space", "tab", "down", "space", "ctrl+s")
        values = get_debate(db, d["id"])["values"]
        assert [(v["text"], v["dimension"], v["annotation_id"]) for v in values][-1] == ("La parole de la personne", "sans_dimension", None)

        # l: link one more passage (those already linked are not offered again).
        await pilot.press("l")
        picker = app.screen
        assert isinstance(picker, AnnotationPicker)
        assert not {r["id"] for r in picker.rows} & set(wanted)
        await pilot.press(*"modif")  # typing in the list filters it
        assert picker.query_one("#picker-filter").value == "modif"
        assert [r["id"] for r in picker.rows if r["id"] in picker.shown_ids] == [tags[("c2", "ecart")].id]
        await pilot.press("enter", "space", "enter")  # back to the list, tick, link
        await pilot.pause()
        d = get_debate(db, d["id"])
        assert [i["code"] for i in d["others"]] == ["ecart"]
        assert "Paul" in [p["pseudonym"] for p in d["participants"]]

        # In the detail: choose the renormalisation, Delete, confirm: it is unlinked, the passage stays.
        detail = screen.query_one("#debate-detail")
        detail.focus()
        await pilot.pause()
        target = detail.get_option_index(f"item-{d['renormalisations'][0]['id']}")
        while detail.highlighted != target:
            await pilot.press("down")
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("o")
        d = get_debate(db, d["id"])
        assert d["renormalisations"] == []
        assert db.execute("SELECT COUNT(*) FROM annotations WHERE id = ?", [tags[("c1", "reel")].id]).fetchone()[0] == 1


async def test_enter_on_an_item_edits_its_comment_and_escape_goes_back(db, review_setup):
    t = review_setup
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_debates(pilot, t["group"].id)
        await pilot.press("enter")  # to the detail of the chosen debate
        detail = screen.query_one("#debate-detail")
        assert screen.focused is detail
        item = get_debate(db, t["debate"]["id"])["norms"][0]
        while detail.highlighted != detail.get_option_index(f"item-{item['id']}"):
            await pilot.press("down")
        await pilot.press("enter")
        assert isinstance(app.screen, ItemForm)
        await pilot.press(*"Écrit sur la fiche", "ctrl+s")
        assert get_debate(db, t["debate"]["id"])["norms"][0]["text"] == "Écrit sur la fiche"
        await pilot.press("escape")
        assert screen.focused.id == "debates-list"
        await pilot.press("escape")
        assert not isinstance(app.screen, DebatesScreen)


async def test_a_proposal_moved_through_its_statuses_with_an_answer(db, review_setup):
    t = review_setup
    p3 = t["proposals"][2]
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_debates(pilot, t["group"].id)
        await pilot.press("p")
        assert screen.focused.id == "proposals-list"
        pane = screen.query_one("#proposals-pane")
        # Open proposals only at first: the one put into practice waits behind o.
        assert [p["id"] for p in pane.rows] == [t["proposals"][0]["id"], p3["id"]]
        await pilot.press("down")
        assert pane.current["id"] == p3["id"]

        # s: the next status is already chosen; a note; Enter. Dated today, linked to today's session.
        await pilot.press("s")
        dialog = app.screen
        assert isinstance(dialog, StatusDialog)
        assert dialog.query_one("#status-options").highlighted_option.id == "discutee"
        await pilot.press(*"Le groupe y tient", "enter")
        p = get_proposal(db, p3["id"])
        assert p["status"] == "discutee"
        assert (p["history"][-1]["date"], p["history"][-1]["note"], p["history"][-1]["session_id"]) == ("2026-11-20", "Le groupe y tient", t["s3"].id)

        # s, Enter: sent to management.
        await pilot.press("s", "enter")
        assert get_proposal(db, p3["id"])["status"] == "transmise"

        # s, Enter: the answer arrived; its window opens at once.
        await pilot.press("s", "enter")
        assert isinstance(app.screen, AnswerDialog)
        await pilot.press(*"Oui, dès janvier.", "ctrl+s")
        p = get_proposal(db, p3["id"])
        assert (p["status"], p["answer"], p["answer_date"]) == ("reponse_recue", "Oui, dès janvier.", "2026-11-20")
        assert [h["status"] for h in p["history"]] == ["proposee", "discutee", "transmise", "reponse_recue"]

        # A step remembered late, with its date typed the French way, joins the history at that date;
        # the status stays (and the screen says so). u takes back the step entered last.
        await pilot.press("s", "up", "up", "tab", "ctrl+u", *"19/11/2026", "enter")
        p = get_proposal(db, p3["id"])
        assert p["status"] == "reponse_recue"
        assert [(h["status"], h["date"]) for h in p["history"]][1] == ("transmise", "2026-11-19")
        assert any("le statut reste" in n.message for n in app._notifications)
        await pilot.press("u")
        assert "19/11/2026" in app.screen.question
        await pilot.press("o")
        assert [h["date"] for h in get_proposal(db, p3["id"])["history"]] == ["2026-10-15", "2026-11-20", "2026-11-20", "2026-11-20"]

        # s: put into practice; the proposal leaves the open list; o shows every proposal again.
        await pilot.press("s", "enter")
        assert get_proposal(db, p3["id"])["status"] == "mise_en_oeuvre"
        assert p3["id"] not in [p["id"] for p in pane.rows]
        await pilot.press("o")
        assert len(pane.rows) == 3
        while pane.current["id"] != p3["id"]:
            await pilot.press("down")

        # u: a step recorded by mistake is taken back (after a yes).
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("o")
        assert get_proposal(db, p3["id"])["status"] == "reponse_recue"

        # r on another one: the answer can be corrected.
        while pane.current["id"] != t["proposals"][0]["id"]:
            await pilot.press("up")
        first = pane.current
        await pilot.press("r")
        assert isinstance(app.screen, AnswerDialog)
        await pilot.press(" ", *"Bilan dans six mois.", "ctrl+s")
        assert get_proposal(db, first["id"])["answer"] == "Accepté pour les trajets de plus de 5 km, à partir de janvier. Bilan dans six mois."


async def test_a_new_proposal_and_its_carrier(db, review_setup):
    t = review_setup
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_debates(pilot, t["group"].id)
        await pilot.press("p", "n")
        assert isinstance(app.screen, ProposalEditForm)
        await pilot.press(*"Un temps de transmission payé", "enter", "down", "space", "ctrl+s")
        new = [p for p in list_proposals(db, t["group"].id) if p["text"] == "Un temps de transmission payé"]
        assert len(new) == 1 and new[0]["destination"] == "praticable" and new[0]["carrier"] is None
        assert new[0]["last"]["date"] == "2026-11-20"


async def test_news_of_open_proposals_from_the_meeting(db, review_setup):
    """When a session opens, Ctrl+G: the open proposals born before it, updated in place, dated by it."""
    t = review_setup
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_screen("meeting", group_id=t["group"].id, session_id=t["s3"].id)
        await pilot.pause()
        await pilot.press("ctrl+g")
        follow = app.screen
        assert isinstance(follow, ProposalsFollowUp)
        pane = follow.query_one("#follow-up-pane")
        assert [p["id"] for p in pane.rows] == [t["proposals"][0]["id"], t["proposals"][2]["id"]]
        await pilot.press("down", "s", *"Toujours en attente", "enter")
        p = get_proposal(db, t["proposals"][2]["id"])
        assert (p["status"], p["history"][-1]["session_id"], p["history"][-1]["date"]) == ("discutee", t["s3"].id, "2026-11-20")
        await pilot.press("escape")
        assert type(app.screen).__name__ == "MeetingScreen"


def test_next_status_skips_management_for_what_the_group_does_itself():
    assert next_status({"status": "proposee", "destination": "organisateurs"}) == "discutee"
    assert next_status({"status": "transmise", "destination": "organisateurs"}) == "reponse_recue"
    assert next_status({"status": "discutee", "destination": "praticable"}) == "mise_en_oeuvre"
    assert next_status({"status": "abandonnee", "destination": "praticable"}) == "abandonnee"


def test_group_annotations_stay_in_the_group(db, review_setup):
    rows = group_annotations(db, review_setup["group"].id, None)
    assert len(rows) == 14
    assert {r["speaker"] for r in rows} == {"Lina", "Paul", "Sandrine"}
    assert sum(1 for r in rows if r["debates"]) == 3
    assert sum(1 for r in rows if r["off_record"]) == 1


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_debates_snapshot(db, review_setup, snap_compare, size):
    app = make_app(db)

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.open_screen("debates", group_id=review_setup["group"].id)
        await pilot.pause()
        await pilot.pause()
        app.clear_notifications()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_proposals_snapshot(db, review_setup, snap_compare, size):
    app = make_app(db)

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.open_screen("debates", group_id=review_setup["group"].id)
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        await pilot.pause()
        app.clear_notifications()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
