"""Time from launching `grt` to the first painted screen, in a real pseudo-terminal (80x24).

Runs `grt --db FILE` several times and measures until the home screen's title reaches the terminal.
Two cases: an existing base (every day), and the very first run, where grt creates the demo base first.
Also checks that the French language model is not loaded at start-up.

    /tmp/venv/bin/python benchmarks/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import resource
import select
import signal
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

MARKER = b"Rencontres"  # in the home screen's title bar: "grt · Groupes de Rencontres du Travail"


def grt_command() -> list[str]:
    exe = shutil.which("grt", path=str(Path(sys.executable).parent)) or shutil.which("grt")
    return [exe] if exe else [sys.executable, "-c", "from grt.cli import main; main()"]


def time_to_first_paint(args: list[str], timeout: float = 20.0) -> tuple[float, float]:
    """(wall seconds to the first painted screen, CPU seconds grt used from launch to quit)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = _first_paint(args, timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _first_paint(args: list[str], timeout: float) -> float:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if MARKER in seen:
                    return time.perf_counter() - start
        raise RuntimeError(f"no first screen after {timeout} s; output: {seen[-500:]!r}")
    finally:
        os.write(master, b"\x11")  # Ctrl+Q
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.close(master)


def spacy_loaded_at_startup(db_path: Path) -> bool:
    """Start the app headless until the home screen is up, then look at what was imported."""
    code = f"""
import asyncio, sys
from grt.db import open_db
from grt.app import GrtApp
async def main():
    app = GrtApp(open_db({str(db_path)!r}))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
    print(any(m == "spacy" or m.startswith(("spacy.", "fr_core_news")) for m in sys.modules))
asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip().endswith("True")


def main() -> None:
    # A benchmark stopped by `timeout` or kill still ends its grt child (the `finally` blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        first, _ = time_to_first_paint(grt_command() + ["--db", str(db)])  # creates the demo base
        print(f"first run (demo base created, then the home screen): {first * 1000:.0f} ms")
        runs = [time_to_first_paint(grt_command() + ["--db", str(db)]) for _ in range(args.runs)]
        times = [wall for wall, _ in runs]
        median = statistics.median(times)
        print(
            f"launch -> first painted screen, existing base, {args.runs} runs: "
            f"median {median * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )
        cpu = statistics.median(c for _, c in runs)
        print(f"CPU time grt used, launch to quit (insensitive to other load): median {cpu * 1000:.0f} ms")
        print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)")
        loaded = spacy_loaded_at_startup(db)
        print(f"French model / spaCy imported at start-up: {'YES (problem)' if loaded else 'no'}")
        ok = median < 1.0 and not loaded
        print("OK: under 1 s, model not loaded" if ok else "NOT OK")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
