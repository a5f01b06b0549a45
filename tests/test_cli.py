"""The CLI contract of DESIGN.md: round trips, JSON only on stdout, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from grt.cli import cli


@pytest.fixture
def run(tmp_path):
    path = tmp_path / "cli.db"

    def invoke(*args, input=None):
        runner = CliRunner()
        return runner.invoke(cli, ["--db", str(path), *args], input=input, catch_exceptions=False)

    invoke.path = path
    return invoke


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_round_trip(run, tmp_path):
    assert run("group", "add", "SAAD Est", "--sector", "aide à domicile").exit_code == 0
    assert run("participant", "add", "SAAD Est", "Lina", "--role", "aide à domicile").exit_code == 0
    assert run("participant", "add", "saad est", "Sandrine", "--role", "responsable", "--authority").exit_code == 0
    assert run("session", "add", "SAAD Est", "--date", "2026-11-20", "--question", "Le planning ?").exit_code == 0
    text = tmp_path / "récit.txt"
    text.write_text("Toute l'équipe a refait le planning.\n", encoding="utf-8")
    assert run("contribution", "add", "1", "--speaker", "lina", str(text)).exit_code == 0
    assert run("contribution", "add", "1", "--speaker", "Lina", "--off-record", "-", input="Pas pour le compte rendu.").exit_code == 0

    groups = as_json(run("group", "list", "--format", "json"))
    assert groups[0]["name"] == "SAAD Est" and groups[0]["id"] == 1
    people = as_json(run("participant", "list", "SAAD Est", "--format", "json"))
    assert [(p["pseudonym"], p["authority"]) for p in people] == [("Lina", False), ("Sandrine", True)]
    assert all("real_name" not in p for p in people)
    sessions = as_json(run("session", "list", "--format", "json"))
    assert sessions[0]["contributions"] == 2 and sessions[0]["authority_present"] is True
    hits = as_json(run("search", "EQUIPE", "--format", "json"))
    assert [h["id"] for h in hits] == [1] and "équipe" in hits[0]["text"]
    off = as_json(run("search", "compte", "--format", "json"))
    assert off[0]["off_record"] is True
    codes = as_json(run("codebook", "list", "--format", "json"))
    assert {"prescrit", "faire_autrement"} <= {c["id"] for c in codes}


def test_text_outputs_are_french(run):
    run("group", "add", "Foyer")
    out = run("group", "list").output
    assert "nom" in out and "Foyer" in out
    assert "Aucun résultat" in run("search", "rien").output


def test_english_with_lang(run):
    result = CliRunner().invoke(cli, ["--db", str(run.path), "--lang", "en", "group", "add", ""])
    assert result.exit_code == 1 and "cannot be empty" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["session", "list", "Inconnu"], "Groupe introuvable"),
        (["contribution", "add", "42", "--speaker", "X", "-"], "Session introuvable"),
        (["search", "--code", "nope", "x"], "Code inconnu"),
        (["session", "add", "G", "--date", "demain"], "Date invalide"),
        (["codebook", "import", "/nonexistent/codes.json"], "introuvable"),
    ],
)
def test_user_errors_are_one_line(run, args, message):
    run("group", "add", "G")
    result = CliRunner().invoke(cli, ["--db", str(run.path), *args], input="")
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_and_binary_files(run, tmp_path):
    run("group", "add", "G")
    run("participant", "add", "G", "Lina", "--role", "x")
    run("session", "add", "G")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Café équipe".encode("latin-1"))
    for path, message in [(tmp_path / "absent.txt", "introuvable"), (binary, "binaire"), (latin, "UTF-8"), (tmp_path, "dossier")]:
        result = CliRunner().invoke(cli, ["--db", str(run.path), "contribution", "add", "1", "--speaker", "Lina", str(path)])
        assert result.exit_code == 1 and message in result.stderr, (path, result.stderr)


def test_corrupt_database(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(os.urandom(4096))
    result = CliRunner().invoke(cli, ["--db", str(bad), "group", "list"])
    assert result.exit_code == 1
    assert "corrompu" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_db_commands(run, tmp_path):
    run("group", "add", "G")
    assert run("db", "path").output.strip() == str(run.path)
    check = run("db", "check")
    assert check.exit_code == 0 and "intacte" in check.output
    assert as_json(run("db", "check", "--format", "json"))["ok"] is True
    target = tmp_path / "backup.db"
    assert run("db", "backup", str(target)).exit_code == 0 and target.exists()
    again = CliRunner().invoke(cli, ["--db", str(run.path), "db", "backup", str(target)])
    assert again.exit_code == 1 and "--force" in again.stderr


def test_codebook_export_import(run, tmp_path):
    out = tmp_path / "codes.json"
    assert run("codebook", "export", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data["codes"].append({"id": "transmission", "label_fr": "Transmission", "parent": "contexte", "cues": ["cahier de liaison"]})
    out.write_text(json.dumps(data), encoding="utf-8")
    result = run("codebook", "import", str(out))
    assert "1 codes ajoutés" in result.output
    assert "transmission" in {c["id"] for c in as_json(run("codebook", "list", "--format", "json"))}
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(run.path), "codebook", "import", str(broken)])
    assert result.exit_code == 1 and "n'est pas un fichier de codes" in result.stderr


def test_real_subprocess(tmp_path):
    """The installed entry point, as a user runs it: JSON only on stdout, errors on stderr."""
    env = {**os.environ, "GRT_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "grt.cli"]
    added = subprocess.run(cmd + ["group", "add", "Foyer", "--format", "json"], env=env, capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    listed = subprocess.run(cmd + ["group", "list", "--format", "json"], env=env, capture_output=True, text=True)
    assert json.loads(listed.stdout)[0]["name"] == "Foyer"
    assert (tmp_path / "home" / "grt.db").exists()
    failed = subprocess.run(cmd + ["session", "list", "Absent"], env=env, capture_output=True, text=True)
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.startswith("grt: ") and "Traceback" not in failed.stderr
