"""The review screen driven from the keyboard, as a team reviewing a year would (JOURNEYS §6): search
across sessions with filters, hits in context, off-record marked, counts of codes per session as a chart,
proposals answered or waiting; snapshots at 80x24 and 160x48."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from rich.console import Console

from grt.app import GrtApp
from grt.screens.review import ContributionView, ReviewScreen, hbar, in_context

NOW = dt.datetime(2026, 11, 20, 14, 30, 0)


def make_app(db) -> GrtApp:
    return GrtApp(db, clock=lambda: NOW)


def plain(widget) -> str:
    """What a Static shows, as text."""
    out = io.StringIO()
    Console(file=out, width=160, color_system=None).print(widget.content)
    return out.getvalue()


async def settle(pilot) -> None:
    """Let the workers finish and their results arrive (a result may start the next search)."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_review(pilot, group_id: int) -> ReviewScreen:
    pilot.app.open_screen("review", group_id=group_id)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    await settle(pilot)
    assert screen.data is not None
    return screen


def hit_ids(screen) -> list[int]:
    return [h["id"] for h in screen.hits]


async def pick(pilot, select_id: str, letters: str) -> None:
    """Tab to a filter, Enter opens its list, a few letters find the option, Enter chooses it."""
    screen = pilot.app.screen
    while screen.focused is None or screen.focused.id != select_id:
        await pilot.press("tab")
    await pilot.press("enter", *letters, "enter")
    await settle(pilot)


async def test_the_data_loads_in_a_worker_while_the_search_box_takes_typing(db, review_setup, monkeypatch):
    """Hold the loading worker: the screen is there, says it is loading, and typing goes on."""
    import grt.screens.review as review_screen

    release = threading.Event()
    real = review_screen.code_counts

    def slow_counts(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(review_screen, "code_counts", slow_counts)
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_screen("review", group_id=review_setup["group"].id)
        await pilot.pause()
        screen = app.screen
        assert screen.focused.id == "review-query"
        assert "Chargement" in str(screen.query_one("#review-status").render())
        assert screen.query_one("#review-progress").display
        await pilot.press(*"planning")
        assert screen.query_one("#review-query").value == "planning" and screen.data is None
        release.set()
        await settle(pilot)
        assert not screen.query_one("#review-progress").display
        assert "Équipe SAAD Est · 3 session(s)" in str(screen.query_one("#review-top").render())
        # What was typed while loading is searched as soon as the data is there.
        assert len(screen.hits) == 4 and "4 contribution(s) trouvée(s)" in str(screen.query_one("#review-status").render())
        await pilot.press("ctrl+u", "enter")
        await settle(pilot)
        assert len(screen.hits) == 8  # every contribution of the group, none of the other group's
        assert "8 contribution(s), toutes sessions" in str(screen.query_one("#review-status").render())


async def test_a_search_with_filters_shows_the_right_hits(db, review_setup):
    t = review_setup
    c = {k: v.id for k, v in t["contributions"].items()}
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot, t["group"].id)

        # "planning" across all sessions; the other group's planning never shows; off-record is marked.
        await pilot.press(*"PLANNING", "enter")
        await settle(pilot)
        assert sorted(hit_ids(screen)) == sorted([c["c1"], c["c2"], c["c5"], c["c6"]])
        assert screen.focused.id == "review-hits"
        status = str(screen.query_one("#review-status").render())
        assert "4 contribution(s) trouvée(s)" in status and "dont 1 hors compte rendu" in status
        hits = screen.query_one("#review-hits")
        assert "HORS COMPTE RENDU" in hits.get_option(str(c["c6"])).prompt.plain
        assert "HORS COMPTE RENDU" not in hits.get_option(str(c["c1"])).prompt.plain

        # Filter on the gap code (two letters of it), then on a role, a session, a date.
        await pilot.press("escape")  # back to the search box
        await pick(pilot, "f-code", "ec")
        assert sorted(hit_ids(screen)) == sorted([c["c2"], c["c5"]])
        assert "▶" in plain(screen.query_one("#codes-view"))  # the chart follows the code chosen
        await pick(pilot, "f-role", "aux")
        assert sorted(hit_ids(screen)) == sorted([c["c2"], c["c5"]])  # both are Paul's
        await pick(pilot, "f-session", "15/10")
        assert hit_ids(screen) == [c["c5"]]
        await pilot.press("escape")
        await pick(pilot, "f-code", "pr")  # another code: the passage on the planning in that session
        assert hit_ids(screen) == [c["c5"]]

        # Ctrl+R clears everything; a date range on its own.
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(screen.hits) == 8
        while screen.focused.id != "f-from":
            await pilot.press("tab")
        await pilot.press(*"01/10/2026", "tab", *"31/10/2026", "enter")
        await settle(pilot)
        assert sorted(hit_ids(screen)) == sorted([c["c4"], c["c5"], c["c6"]])
        await pilot.press("shift+tab", "ctrl+u", *"32/10", "enter")
        await settle(pilot)
        assert "Date impossible" in str(screen.query_one("#review-status").render())


async def test_accents_and_case_do_not_matter_and_off_record_can_be_hidden(db, review_setup):
    c = {k: v.id for k, v in review_setup["contributions"].items()}
    app = make_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_review(pilot, review_setup["group"].id)
        await pilot.press(*"equipe", "enter")
        await settle(pilot)
        assert sorted(hit_ids(screen)) == sorted([c["c6"], c["c8"]])
        prompt = screen.query_one("#review-hits").get_option(str(c["c8"])).prompt
        # The word found is highlighted in context, with its accent and capital as written.
        assert any(prompt.plain[s.start : s.end] == "Équipe" for s in prompt.spans if "on #f0c040" in str(s.style))
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert hit_ids(screen) == [c["c8"]]
        assert "masqué" in str(screen.query_one("#review-off").render())
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert len(screen.hits) == 2

        # Enter on a hit: the whole contribution, its tags, the off-record warning.
        await pilot.press("escape", *"\"ne lit jamais\"", "enter")
        await settle(pilot)
        assert hit_ids(screen) == [c["c6"]]
        await pilot.press("enter")
        view = app.screen
        assert isinstance(view, ContributionView)
        text = plain(view.query_one("Static"))
        assert "l'équipe du soir ne lit jamais le cahier" in text and "HORS COMPTE RENDU" in text and "Relations et coopération" in text
        await pilot.press("escape")
        assert app.screen is screen


async def test_charts_tables_timeline_and_proposals(db, review_setup):
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, review_setup["group"].id)
        assert not screen.query_one("#review-side").display  # narrow: the search first
        await pilot.press("f3")
        assert screen.query_one("#review-side").display and not screen.query_one("#review-search").display
        codes = plain(screen.query_one("#codes-view"))
        assert "Tous les passages codés, par session" in codes
        assert "17/09" in codes and "15/10" in codes and "20/11" in codes
        row = next(line for line in codes.splitlines() if "Norme antécédente" in line)
        assert row.split()[-1] == "3"  # prescrit: 2 in the first session, 1 in the second
        cooc = plain(screen.query_one("#cooc-view"))
        assert "Norme antécédente + Renormalisation : 1 contribution(s)" in cooc
        timeline = plain(screen.query_one("#timeline-view"))
        assert "Débat (approfondi) Toilette complète ou dignité" in timeline
        assert "Proposition transmise" in timeline
        answers = plain(screen.query_one("#answers-view"))
        waiting, answered = answers.index("Encore en attente d'une réponse (1)"), answers.index("Réponse reçue (1)")
        assert waiting < answers.index("Rétablir une réunion de secteur") < answered
        assert "Accepté pour les trajets de plus de 5 km" in answers[answered:]
        await pilot.press("f6")
        assert screen.query_one("#review-side").active == "tab-answers"
        await pilot.press("escape")
        assert screen.query_one("#review-search").display and screen.focused.id == "review-query"
        await pilot.press("escape")
        assert not isinstance(app.screen, ReviewScreen)


def test_hits_in_context_and_bars():
    text = "Avant. " * 40 + "Le planning change sans arrêt." + " Après." * 40
    start = text.index("planning")
    shown = in_context(text, [(start, start + 8)], 60)
    assert shown.plain.startswith("…") and shown.plain.endswith("…") and "planning" in shown.plain
    assert len(shown.plain) <= 62
    assert [shown.plain[s.start : s.end] for s in shown.spans] == ["planning"]
    assert in_context("Court.", [], 60).plain == "Court."
    assert hbar(4, 4, 4) == "████" and hbar(1, 4, 4) == "█" and hbar(0, 4, 4) == ""


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_review_snapshot(db, review_setup, snap_compare, size):
    app = make_app(db)

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.open_screen("review", group_id=review_setup["group"].id)
        await settle(pilot)
        await pilot.press(*"planning", "enter")
        await settle(pilot)
        app.clear_notifications()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_review_chart_snapshot(db, review_setup, snap_compare):
    app = make_app(db)

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.open_screen("review", group_id=review_setup["group"].id)
        await settle(pilot)
        await pilot.press("f3")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
