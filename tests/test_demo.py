"""The demo GRT: what every new user sees first."""

from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner

from grt.cli import cli
from grt.db import open_db
from grt.demo import create_demo, demo_data
from grt.errors import StorageError


def test_demo_content_is_coherent():
    data = demo_data()
    people = {p["pseudonym"] for p in data["participants"]}
    assert len(people) == 6 and sum(p.get("authority", False) for p in data["participants"]) == 1
    contributions = [c for s in data["sessions"] for c in s["contributions"]]
    assert len(data["sessions"]) == 3 and len(contributions) >= 30
    assert sum(c.get("off_record", False) for c in contributions) == 1
    for c in contributions:
        assert c["speaker"] in people
        for a in c.get("annotations", []):
            assert a["quote"] in c["text"], a["quote"]


def test_grt_demo_then_list(tmp_path):
    path = tmp_path / "demo.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(path), "demo"])
    assert result.exit_code == 0 and result.output.strip() == str(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    sessions = json.loads(runner.invoke(cli, ["--db", str(path), "session", "list", "--format", "json"]).stdout)
    assert len(sessions) == 3 and all(s["contributions"] >= 10 for s in sessions)
    assert any(s["authority_present"] for s in sessions)
    hits = json.loads(runner.invoke(cli, ["--db", str(path), "search", "equipe", "--format", "json"]).stdout)
    assert hits and all("équipe" in h["text"].lower() or "equipe" in h["text"].lower() for h in hits)
    again = runner.invoke(cli, ["--db", str(path), "demo"])
    assert again.exit_code == 1 and "--force" in again.stderr
    assert runner.invoke(cli, ["--db", str(path), "demo", "--force"]).exit_code == 0
    assert len(json.loads(runner.invoke(cli, ["--db", str(path), "group", "list", "--format", "json"]).stdout)) == 1


def test_demo_annotations_and_off_record_are_stored(tmp_path):
    db = open_db(create_demo(tmp_path / "d.db"))
    assert db.execute("SELECT COUNT(*) FROM contributions WHERE off_record = 1").fetchone()[0] == 1
    codes = {r[0] for r in db.execute("SELECT DISTINCT code FROM annotations")}
    assert len(codes) >= 8
    for quote, text, start, end in db.execute('SELECT a.quote, c.text, a.start, a."end" FROM annotations a JOIN contributions c ON c.id = a.contribution_id'):
        assert text[start:end] == quote


def test_demo_fails_cleanly_on_unwritable_place(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["--db", str(blocker / "demo.db"), "demo"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    with pytest.raises(StorageError):
        create_demo(blocker / "demo.db")
