"""Autosave survives kill -9: a real grt app in a child process types into the meeting screen and is killed
with SIGKILL; the text must already be in the database (at most one second late) and come back in its
place when the session is reopened."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

from grt.app import GrtApp
from grt.db import open_db
from grt.groups import add_group, add_participant
from grt.screens.meeting import MeetingScreen
from grt.sessions import add_session

PHASE1 = "Le planning"
PHASE2 = " Mais elle veut parler, alors je reste et je rattrape sur ma pause. " * 20

CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from grt.app import GrtApp
    from grt.db import open_db

    PHASE1, PHASE2 = sys.argv[3], sys.argv[4]

    async def typist(pilot, text, tag):
        for i, ch in enumerate(text, start=1):
            await pilot.press(ch)
            # pilot.press waits until the app is idle: about 15 keys a second, a fast typist.
            print(tag, time.monotonic(), i, flush=True)

    async def main():
        app = GrtApp(open_db(sys.argv[1]))
        async with app.run_test() as pilot:
            app.open_screen("meeting", session_id=int(sys.argv[2]))
            await pilot.pause()
            print("READY", flush=True)
            await typist(pilot, PHASE1, "ONE")
            print("PAUSE", time.monotonic(), flush=True)
            await asyncio.sleep(1.1)  # the typist stops for a moment
            await typist(pilot, PHASE2, "TWO")  # then types without a break until killed
            await asyncio.Event().wait()

    asyncio.run(main())
    """
)


def draft_text(path) -> str | None:
    conn = sqlite3.connect(str(path), timeout=5)
    try:
        row = conn.execute("SELECT text FROM contributions WHERE draft = 1").fetchone()
    finally:
        conn.close()
    return row[0] if row else None


def poll(predicate, timeout: float) -> float | None:
    """Poll until predicate() is true; the time it took, or None after timeout seconds."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.01)
    return None


async def test_draft_survives_sigkill_and_comes_back(tmp_path):
    path = tmp_path / "kill.db"
    db = open_db(path)
    group = add_group(db, "Équipe SAAD Est")
    lina = add_participant(db, group.id, "Lina", "aide à domicile")
    session = add_session(db, group.id, "2026-11-20", "Le temps")
    db.close()

    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(path), str(session.id), PHASE1, PHASE2],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GRT_LANG": "fr"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in child.stdout], daemon=True).start()

    def next_line(timeout: float = 20) -> str:
        try:
            return lines.get(timeout=timeout)
        except queue.Empty:
            child.kill()
            raise AssertionError("the child app did not answer: " + child.stderr.read()) from None

    try:
        assert next_line().startswith("READY")
        # Phase 1: type, then stop. The text must reach the database within a second of the last key.
        line = next_line()
        while not line.startswith("PAUSE"):
            line = next_line()
        last_key = float(line.split()[1])
        waited = poll(lambda: draft_text(path) == PHASE1, timeout=3)
        assert waited is not None, f"draft after phase 1: {draft_text(path)!r}"
        assert time.monotonic() - last_key <= 1.0 + 0.05  # 0.05: reading the line and the database

        # Phase 2: typing without a break; kill -9 after about 1.2 s of it.
        typed: list[tuple[float, int]] = []
        while True:
            line = next_line()
            if line.startswith("TWO"):
                _, stamp, count = line.split()
                typed.append((float(stamp), int(count)))
                if typed[-1][0] - typed[0][0] >= 1.2:
                    break
        killed_at = time.monotonic()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()

    saved = draft_text(path)
    assert saved is not None and saved.startswith(PHASE1)
    saved_phase2 = saved[len(PHASE1) :]
    assert PHASE2.startswith(saved_phase2)
    # Everything typed more than a second before the kill is in the database, although the typing never paused.
    must_have = max((count for stamp, count in typed if stamp <= killed_at - 1.0), default=0)
    assert must_have > 0 and len(saved_phase2) >= must_have, (len(saved_phase2), must_have)

    # Restart: the draft is back in the capture area, for the same speaker, cursor at its end.
    db = open_db(path)
    app = GrtApp(db)
    async with app.run_test() as pilot:
        app.open_screen("meeting", session_id=session.id)
        await pilot.pause()
        meeting = app.screen
        assert isinstance(meeting, MeetingScreen)
        assert meeting.capture.text == saved
        assert meeting.speaker_id == lina.id
        assert meeting.capture.cursor_location == meeting.capture.document.end
    db.close()
