"""Per-keystroke latency in the meeting screen's capture area, with 200 contributions (~60,000 characters,
with tags) already in the session.

Measured end to end in a real pseudo-terminal (80x24): a key is written to the terminal, and the clock stops
when grt has painted it back. Keys come at a fast typist's pace (about 12 a second), so the autosave writes
(every half-second while typing) fall between and on keystrokes, as in a meeting. Also reports the cost of
one autosave write on its own.

    /tmp/venv/bin/python benchmarks/typing_latency.py [--keys 200]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

SENTENCE = (
    "Le planning dit trente minutes chez Mme R., mais il faut l'aider à se lever, faire la toilette, "
    "préparer le repas, et elle veut parler de sa fille qui ne vient plus. Je reste quarante-cinq minutes "
    "et je rattrape sur ma pause, sinon le passage suivant commence en retard et tout décale. "
)

LAUNCHER = """
import sys
from grt.app import GrtApp
from grt.db import open_db

class Bench(GrtApp):
    def on_mount(self):
        super().on_mount()
        self.open_screen("meeting", session_id=int(sys.argv[2]))
        # No blinking cursor: every frame that reaches the terminal then comes from a key.
        self.call_after_refresh(lambda: setattr(self.screen.capture, "cursor_blink", False))

Bench(open_db(sys.argv[1])).run()
"""


def build_base(path: Path) -> tuple[int, int]:
    """A group of 8, a session holding 200 tagged contributions of ~300 characters; returns (session, chars)."""
    from grt.annotations import add_annotation
    from grt.contributions import add_contribution
    from grt.db import open_db
    from grt.groups import add_group, add_participant
    from grt.sessions import add_session

    db = open_db(path)
    group = add_group(db, "Équipe SAAD Est", "aide à domicile")
    people = [add_participant(db, group.id, f"P{i}", "aide à domicile") for i in range(8)]
    session = add_session(db, group.id, "2026-11-20", "Qu'est-ce qui vous a empêchés de bien faire votre travail ?")
    total = 0
    with db.atomic():
        for i in range(200):
            text = f"{i}. " + (SENTENCE * 2)[: 280 + i % 40]
            c = add_contribution(db, session.id, people[i % 8].id, text, off_record=(i % 17 == 0))
            add_annotation(db, c.id, "prescrit", text.index("Le planning"), text.index(" chez"))
            add_annotation(db, c.id, "reel", text.index("je rattrape"), text.index(" sur ma"))
            total += len(c.text)
    db.close()
    return session.id, total


CURSOR = re.compile(rb"\x1b\[(\d+);(\d+)H")


def read_until(master: int, marker: bytes, timeout: float) -> bytes:
    seen = b""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            seen += os.read(master, 65536)
            if marker in seen:
                return seen
    raise RuntimeError(f"{marker!r} never appeared; last output {seen[-300:]!r}")


def collect(master: int, quiet: float, limit: float = 5.0) -> bytes:
    """Read until the terminal has been silent for `quiet` seconds (at most `limit` seconds)."""
    out = b""
    end = time.perf_counter() + limit
    while time.perf_counter() < end and select.select([master], [], [], quiet)[0]:
        out += os.read(master, 65536)
    return out


def press(master: int, key: bytes, column: int) -> float:
    """Send a key; return the seconds until a frame puts the terminal cursor at `column`.

    grt places the terminal cursor on the text cursor at the end of each frame, so the cursor moving one
    column to the right is the proof that the key was handled and painted.
    """
    start = time.perf_counter()
    os.write(master, key)
    out = b""
    while True:
        if not select.select([master], [], [], 5)[0]:
            raise RuntimeError(f"no frame with the cursor at column {column} after 5 s")
        out += os.read(master, 65536)
        moves = CURSOR.findall(out)
        if moves and int(moves[-1][1]) == column:
            return time.perf_counter() - start


def measure(db: Path, session_id: int, keys: int) -> tuple[list[float], list[float]]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(db), str(session_id)],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True,
    )
    os.close(slave)
    typing, commits = [], []
    try:
        read_until(master, "Contribution".encode(), timeout=30)
        collect(master, 1.0)
        # Where the cursor stands in the empty capture area: type one key, read the column, erase it.
        os.write(master, b"z")
        home_column = int(CURSOR.findall(collect(master, 0.3))[-1][1]) - 1
        os.write(master, b"\x7f")  # Backspace
        collect(master, 0.3)
        column = home_column
        line = 0
        for i in range(keys):
            if line == 60:
                # Commit with Ctrl+S: the list grows by one, the capture area empties.
                commits.append(press(master, b"\x13", home_column))
                column, line = home_column, 0
            key = b" " if i % 7 == 6 else b"z"
            column += 1
            line += 1
            typing.append(press(master, key, column))
            # A fast typist: about 12 keys a second, whatever the app is doing meanwhile.
            pause_end = time.perf_counter() + 0.08
            while (left := pause_end - time.perf_counter()) > 0:
                if select.select([master], [], [], left)[0]:
                    os.read(master, 65536)
    finally:
        os.write(master, b"\x11")  # Ctrl+Q: the draft is flushed and the app quits
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(master)
    return typing, commits


def autosave_cost(db_path: Path, session_id: int, runs: int = 50) -> list[float]:
    from grt.contributions import save_draft
    from grt.db import open_db

    db = open_db(db_path)
    times = []
    text = ""
    for i in range(runs):
        text += SENTENCE[i % len(SENTENCE)] * 3
        start = time.perf_counter()
        save_draft(db, session_id, None, text)
        times.append(time.perf_counter() - start)
    db.close()
    return times


def main() -> None:
    # A benchmark stopped by `timeout` or kill still ends its grt child (the `finally` blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        session_id, chars = build_base(db)
        print(f"session: 200 contributions, {chars} characters, 400 tags")
        typing, commits = measure(db, session_id, args.keys)
        ms = sorted(x * 1000 for x in typing)
        p95 = ms[int(len(ms) * 0.95) - 1]
        print(
            f"keystroke -> painted, {len(ms)} keys at ~12/s: median {statistics.median(ms):.1f} ms, "
            f"95th percentile {p95:.1f} ms, worst {ms[-1]:.1f} ms"
        )
        if commits:
            cs = sorted(x * 1000 for x in commits)
            print(f"Ctrl+S -> contribution in the list and capture area empty ({len(cs)} commits): median {statistics.median(cs):.1f} ms, worst {cs[-1]:.1f} ms")
        saves = sorted(x * 1000 for x in autosave_cost(db, session_id))
        print(f"one autosave write (draft row, FTS kept in sync, synchronous=FULL): median {statistics.median(saves):.1f} ms, worst {saves[-1]:.1f} ms")


if __name__ == "__main__":
    main()
