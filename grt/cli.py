"""The `grt` command line: a click group over the domain modules. Bare `grt` opens the TUI.

Heavy imports (Textual, spaCy, python-docx) stay inside the commands that need them.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from .errors import GrtError
from .i18n import set_language, tr


class GrtGroup(click.Group):
    """Turns every user mistake into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GrtError as e:
            fail(str(e))
        except sqlite3.Error as e:
            from .db import storage_error

            fail(str(storage_error(Path(ctx.obj.get("db_path") or "grt.db") if ctx.obj else Path("grt.db"), e)))
        except UnicodeEncodeError as e:
            fail(tr("Impossible d'écrire la sortie : {e}.", "Cannot write the output: {e}.", e=e))


def fail(message: str) -> None:
    click.echo(f"grt: {message}", err=True)
    sys.exit(1)


def db_from(ctx: click.Context):
    from .db import open_db

    obj = ctx.find_root().obj
    if obj.get("db") is None:
        obj["db"] = open_db(obj["db_path"])
    return obj["db"]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def emit_table(rows: list[list[Any]], headers: list[str]) -> None:
    cells = [headers] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [min(60, max(len(r[i]) for r in cells)) for i in range(len(headers))]
    for n, r in enumerate(cells):
        click.echo("  ".join(v[: widths[i]].ljust(widths[i]) for i, v in enumerate(r)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))


def read_text_input(source: str) -> str:
    """Read FILE or - (stdin) as UTF-8 text, exactly as it is (no newline translation)."""
    if source == "-":
        data = sys.stdin.buffer.read()
        name = tr("l'entrée standard", "standard input")
    else:
        path = Path(source)
        name = str(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise GrtError(tr("Fichier introuvable : {p}.", "File not found: {p}.", p=path)) from None
        except IsADirectoryError:
            raise GrtError(tr("{p} est un dossier, pas un fichier texte.", "{p} is a folder, not a text file.", p=path)) from None
        except PermissionError:
            raise GrtError(tr("Lecture refusée : {p}.", "Permission denied: {p}.", p=path)) from None
    if b"\x00" in data:
        raise GrtError(tr("{p} est un fichier binaire, pas un texte.", "{p} is a binary file, not text.", p=name))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise GrtError(
            tr("{p} n'est pas un texte UTF-8 (enregistrez-le en UTF-8).", "{p} is not UTF-8 text (save it as UTF-8).", p=name)
        ) from None


FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


@click.group(cls=GrtGroup, invoke_without_command=True)
@click.option("--db", "db_path", type=click.Path(dir_okay=False), envvar=None, help="Database file (default: the data dir).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default=None, help="Interface language (fr by default).")
@click.version_option(package_name="grt")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, lang: str | None) -> None:
    """grt: Groupes de Rencontres du Travail, from the terminal."""
    from .paths import resolve_db_path

    ctx.ensure_object(dict)
    ctx.obj["db_path"] = str(resolve_db_path(db_path))
    ctx.obj["db"] = None
    if lang:
        set_language(lang)
    if ctx.invoked_subcommand is None:
        open_tui(ctx, lang)


def open_tui(ctx: click.Context, lang: str | None) -> None:
    from .db import open_db

    path = Path(ctx.obj["db_path"])
    created_demo = False
    if not path.exists():
        # First contact: a new user lands on the demo GRT rather than an empty screen.
        from .demo import create_demo

        create_demo(path)
        created_demo = True
    db = open_db(path)
    if lang is None:
        from .settings import get_setting

        set_language(get_setting(db, "lang", "fr"))
    from .app import GrtApp

    GrtApp(db, db_path=path, demo_created=created_demo).run()


# --- demo ------------------------------------------------------------------------------------


@cli.command()
@click.option("--force", is_flag=True, help="Replace an existing database.")
@click.pass_context
def demo(ctx: click.Context, force: bool) -> None:
    """Create a demo database (a fictional GRT) and print its path."""
    from .demo import create_demo

    path = create_demo(Path(ctx.obj["db_path"]), force=force)
    click.echo(str(path))


# --- groups and participants -----------------------------------------------------------------


@cli.group()
def group() -> None:
    """Groups."""


@group.command("add")
@click.argument("name")
@click.option("--sector", default="", help="Sector (e.g. aide à domicile).")
@FORMAT
@click.pass_context
def group_add(ctx, name, sector, fmt):
    from .groups import add_group

    g = add_group(db_from(ctx), name, sector)
    emit_json(g.to_dict()) if fmt == "json" else click.echo(tr("Groupe {id} créé : {name}", "Group {id} created: {name}", id=g.id, name=g.name))


@group.command("list")
@FORMAT
@click.pass_context
def group_list(ctx, fmt):
    from .groups import list_groups

    db = db_from(ctx)
    groups = list_groups(db)
    counts = dict(db.execute("SELECT group_id, COUNT(*) FROM sessions GROUP BY group_id").fetchall())
    rows = [{**g.to_dict(), "sessions": counts.get(g.id, 0)} for g in groups]
    if fmt == "json":
        return emit_json(rows)
    emit_table([[r["id"], r["name"], r["sector"], r["sessions"]] for r in rows], ["id", tr("nom", "name"), tr("secteur", "sector"), "sessions"])


@cli.group()
def participant() -> None:
    """Participants of a group (pseudonyms and roles)."""


@participant.command("add")
@click.argument("group_name", metavar="GROUP")
@click.argument("pseudonym")
@click.option("--role", required=True, help="Role or métier (e.g. aide-soignante).")
@click.option("--authority", is_flag=True, help="In a position of authority over others in the group.")
@click.option("--real-name", default="", help="Real name, kept only so that exports can mask it.")
@FORMAT
@click.pass_context
def participant_add(ctx, group_name, pseudonym, role, authority, real_name, fmt):
    from .groups import add_participant, find_group

    db = db_from(ctx)
    p = add_participant(db, find_group(db, group_name).id, pseudonym, role, authority=authority, real_name=real_name)
    if fmt == "json":
        return emit_json(p.public_dict())
    click.echo(tr("Participant {id} ajouté : {p} ({r})", "Participant {id} added: {p} ({r})", id=p.id, p=p.pseudonym, r=p.role))


@participant.command("list")
@click.argument("group_name", metavar="GROUP")
@FORMAT
@click.pass_context
def participant_list(ctx, group_name, fmt):
    from .groups import find_group, list_participants

    db = db_from(ctx)
    people = list_participants(db, find_group(db, group_name).id)
    if fmt == "json":
        return emit_json([p.public_dict() for p in people])
    yes = tr("oui", "yes")
    emit_table(
        [[p.id, p.pseudonym, p.role, yes if p.authority else ""] for p in people],
        ["id", tr("pseudonyme", "pseudonym"), tr("rôle", "role"), tr("autorité", "authority")],
    )


# --- sessions and contributions --------------------------------------------------------------


@cli.group()
def session() -> None:
    """Sessions of a group."""


@session.command("add")
@click.argument("group_name", metavar="GROUP")
@click.option("--date", "date_", default=None, help="YYYY-MM-DD (today by default).")
@click.option("--question", default="", help="The question of the day.")
@FORMAT
@click.pass_context
def session_add(ctx, group_name, date_, question, fmt):
    from .groups import find_group
    from .sessions import add_session

    db = db_from(ctx)
    s = add_session(db, find_group(db, group_name).id, date_, question)
    if fmt == "json":
        return emit_json(s.to_dict())
    click.echo(tr("Session {id} créée le {d}", "Session {id} created on {d}", id=s.id, d=s.date))


@session.command("list")
@click.argument("group_name", metavar="[GROUP]", required=False)
@FORMAT
@click.pass_context
def session_list(ctx, group_name, fmt):
    from .groups import find_group
    from .sessions import list_sessions

    db = db_from(ctx)
    rows = list_sessions(db, find_group(db, group_name).id if group_name else None)
    if fmt == "json":
        return emit_json(rows)
    emit_table(
        [[r["id"], r["group_name"], r["date"], r["contributions"], r["question"]] for r in rows],
        ["id", tr("groupe", "group"), "date", tr("contrib.", "contrib."), tr("question du jour", "question of the day")],
    )


@cli.group()
def contribution() -> None:
    """Contributions (what participants tell)."""


@contribution.command("add")
@click.argument("session_id", type=int)
@click.option("--speaker", required=True, help="Pseudonym of the participant who speaks.")
@click.option("--off-record", is_flag=True, help="Not for the report: never leaves the group.")
@click.argument("source", metavar="(FILE | -)")
@FORMAT
@click.pass_context
def contribution_add(ctx, session_id, speaker, off_record, source, fmt):
    from .contributions import add_contribution
    from .groups import find_participant
    from .sessions import get_session

    db = db_from(ctx)
    s = get_session(db, session_id)
    p = find_participant(db, s.group_id, speaker)
    text = read_text_input(source)
    c = add_contribution(db, s.id, p.id, text, off_record=off_record)
    if fmt == "json":
        return emit_json(c.to_dict())
    click.echo(tr("Contribution {id} ajoutée à la session {s}", "Contribution {id} added to session {s}", id=c.id, s=s.id))


# --- search ----------------------------------------------------------------------------------


@cli.command()
@click.argument("query")
@click.option("--group", "group_name", default=None, help="Only this group.")
@click.option("--code", default=None, help="Only contributions tagged with this code.")
@click.option("--session", "session_id", type=int, default=None, help="Only this session.")
@click.option("--role", default=None, help="Only speakers with this role.")
@click.option("--from", "date_from", default=None, help="From this date (YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="Up to this date (YYYY-MM-DD).")
@click.option("--limit", type=int, default=200, show_default=True)
@FORMAT
@click.pass_context
def search(ctx, query, group_name, code, session_id, role, date_from, date_to, limit, fmt):
    """Search contributions (accents and case do not matter; "phrases" and prefix* work)."""
    from .codebook import find_code
    from .groups import find_group
    from .search import search as run_search

    db = db_from(ctx)
    hits = run_search(
        db,
        query,
        group_id=find_group(db, group_name).id if group_name else None,
        code=find_code(db, code).id if code else None,
        session_id=session_id,
        role=role,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
    )
    if fmt == "json":
        return emit_json(hits)
    if not hits:
        click.echo(tr("Aucun résultat.", "No result."))
    for h in hits:
        mark = tr(" [hors compte rendu]", " [off the record]") if h["off_record"] else ""
        codes = f"  ({', '.join(h['codes'])})" if h["codes"] else ""
        click.echo(f"#{h['id']}  {h['date']}  {h['group_name']}  {h['speaker'] or '—'}{mark}{codes}")
        click.echo(f"    {h['snippet']}")


# --- codebook --------------------------------------------------------------------------------


@cli.group()
def codebook() -> None:
    """The codebook (codes used to tag contributions)."""


@codebook.command("list")
@FORMAT
@click.pass_context
def codebook_list(ctx, fmt):
    from .codebook import list_codes
    from .i18n import language

    codes = list_codes(db_from(ctx))
    if fmt == "json":
        return emit_json([c.to_dict() for c in codes])
    emit_table(
        [[("  " if c.parent else "") + c.id, c.shortcut, c.label(language()), "" if c.active else tr("désactivé", "off")] for c in codes],
        ["code", tr("touche", "key"), tr("libellé", "label"), ""],
    )


@codebook.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_context
def codebook_export(ctx, path):
    from .codebook import export_codebook

    try:
        n = export_codebook(db_from(ctx), path)
    except OSError as e:
        raise GrtError(tr("Écriture impossible : {p} ({e}).", "Cannot write {p} ({e}).", p=path, e=e.strerror)) from None
    click.echo(tr("{n} codes exportés vers {p}", "{n} codes exported to {p}", n=n, p=path))


@codebook.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.pass_context
def codebook_import(ctx, path):
    from .codebook import import_codebook

    added, updated = import_codebook(db_from(ctx), path)
    click.echo(tr("{a} codes ajoutés, {u} mis à jour", "{a} codes added, {u} updated", a=added, u=updated))


# --- database --------------------------------------------------------------------------------


@cli.group("db")
def db_group() -> None:
    """The database file: where it is, check it, back it up."""


@db_group.command("path")
@click.pass_context
def db_path_cmd(ctx):
    click.echo(ctx.find_root().obj["db_path"])


@db_group.command("check")
@FORMAT
@click.pass_context
def db_check(ctx, fmt):
    from .db import integrity_check
    from .migrations import schema_version

    db = db_from(ctx)
    problems = integrity_check(db)
    version = schema_version(db)
    if fmt == "json":
        emit_json({"ok": not problems, "schema_version": version, "problems": problems})
    elif not problems:
        click.echo(tr("Base intacte (schéma {v}).", "Database sound (schema {v}).", v=version))
    else:
        for p in problems:
            click.echo(p, err=True)
    if problems:
        fail(tr("{n} problème(s) d'intégrité trouvé(s).", "{n} integrity problem(s) found.", n=len(problems)))


@db_group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.pass_context
def db_backup(ctx, path, force):
    from .db import backup

    target = backup(db_from(ctx), path, force=force)
    click.echo(tr("Sauvegarde écrite : {p}", "Backup written: {p}", p=target))


# --- norm debates and proposals --------------------------------------------------------------


@cli.group()
def debate() -> None:
    """Norm debates (norms, renormalisations, values at stake, choice)."""


@debate.command("list")
@click.option("--group", "group_name", default=None, help="Only this group.")
@FORMAT
@click.pass_context
def debate_list(ctx, group_name, fmt):
    from .debates import list_debates, status_label
    from .groups import find_group

    db = db_from(ctx)
    rows = list_debates(db, find_group(db, group_name).id if group_name else None)
    if fmt == "json":
        return emit_json(rows)
    if not rows:
        return click.echo(tr("Aucun débat de normes.", "No norm debate."))
    emit_table(
        [[r["id"], r["group_name"], status_label(r["status"]), ", ".join(r["session_dates"]), ", ".join(r["speakers"]), r["title"]] for r in rows],
        ["id", tr("groupe", "group"), tr("statut", "status"), "sessions", tr("qui", "who"), tr("titre", "title")],
    )


@cli.group()
def proposal() -> None:
    """Proposals ("faire autrement") followed until the answer."""


@proposal.command("list")
@click.option("--group", "group_name", default=None, help="Only this group.")
@click.option("--status", default=None, help="Only this status (proposee, discutee, transmise, reponse_recue, mise_en_oeuvre, abandonnee).")
@click.option("--open", "open_only", is_flag=True, help="Only those neither put into practice nor dropped.")
@FORMAT
@click.pass_context
def proposal_list(ctx, group_name, status, open_only, fmt):
    from .groups import find_group
    from .proposals import list_proposals, status_label

    db = db_from(ctx)
    rows = list_proposals(db, find_group(db, group_name).id if group_name else None, status=status, open_only=open_only)
    if fmt == "json":
        return emit_json(rows)
    if not rows:
        return click.echo(tr("Aucune proposition.", "No proposal."))
    short = {"organisateurs": tr("organisateurs", "management"), "praticable": tr("praticable", "practicable")}
    emit_table(
        [
            [r["id"], r["group_name"], status_label(r["status"]), r["last"]["date"] if r["last"] else "", short[r["destination"]],
             r["carrier"] or tr("le groupe", "the group"), r["text"], r["answer"]]
            for r in rows
        ],
        ["id", tr("groupe", "group"), tr("statut", "status"), tr("depuis le", "since"), "destination", tr("porteur", "carrier"),
         tr("proposition", "proposal"), tr("réponse", "answer")],
    )


# --- export ----------------------------------------------------------------------------------


@cli.command("export")
@click.argument("session_id", type=int, required=False)
@click.option("--group", "group_name", default=None, help="Export the group's most recently validated synthesis instead.")
@click.option("--format", "fmt", type=click.Choice(["docx", "md"]), default=None, help="docx (Word) or md (Markdown); by default from the file name, else docx.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.option("--template", type=click.Path(dir_okay=False), default=None, help="Your own Word template (.docx) for the styles.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.pass_context
def export_cmd(ctx, session_id, group_name, fmt, output, template, force):
    """Export a validated synthesis to Word or Markdown.

    SESSION_ID: the synthesis of that session (failing that, the newest validated synthesis that includes
    it). --group G: the group's most recently validated synthesis, whatever sessions it covers.
    Only what the group validated leaves, under pseudonyms or roles, names masked; each export is logged
    with its SHA-256.
    """
    from .export import export_synthesis
    from .groups import find_group
    from .synthesis import latest_validated, long_date, synthesis_for_session

    db = db_from(ctx)
    if (session_id is None) == (group_name is None):
        raise GrtError(tr("Donnez un numéro de séance ou --group GROUPE (l'un ou l'autre).", "Give a session number or --group GROUP (one or the other)."))
    if group_name is not None:
        group = find_group(db, group_name)
        synthesis = latest_validated(db, group.id)
        if synthesis is None:
            raise GrtError(
                tr(
                    "Le groupe « {g} » n'a aucune synthèse validée : rédigez-la dans l'écran Synthèse de grt et faites-la valider par le groupe.",
                    "The group '{g}' has no validated synthesis: write it in grt's synthesis screen and have the group validate it.",
                    g=group.name,
                )
            )
    else:
        synthesis = synthesis_for_session(db, session_id)
        if synthesis is None:
            raise GrtError(
                tr(
                    "La séance {s} n'a pas encore de synthèse : rédigez-la dans l'écran Synthèse de grt et faites-la valider par le groupe.",
                    "Session {s} has no synthesis yet: write it in grt's synthesis screen and have the group validate it.",
                    s=session_id,
                )
            )
    if template and (fmt == "md" or (fmt is None and Path(output).suffix.lower() in (".md", ".markdown"))):
        click.echo(tr("grt: --template ne sert qu'à l'export Word ; ignoré.", "grt: --template only applies to Word exports; ignored."), err=True)
        template = None
    result = export_synthesis(
        db, synthesis.id, output, fmt, template=template, force=force, progress=lambda msg: click.echo(msg, err=True)
    )
    dates = ", ".join(long_date(d) for d in sorted(r[0] for r in db.execute(
        f"SELECT date FROM sessions WHERE id IN ({','.join('?' * len(result['sessions']))})", result["sessions"]
    ).fetchall()))
    click.echo(
        tr(
            "Synthèse exportée : {p} ({n} extraits validés ; séance(s) du {d}).",
            "Synthesis exported: {p} ({n} validated passages; session(s) of {d}).",
            p=result["path"],
            n=result["items"],
            d=dates,
        )
    )
    click.echo(f"SHA-256 : {result['sha256']}")
    if result["new_names"]:
        click.echo(
            tr(
                "{n} nom(s) repéré(s) et masqué(s) par défaut (à vérifier dans l'écran Synthèse) : {names}",
                "{n} name(s) found and masked by default (check them in the synthesis screen): {names}",
                n=len(result["new_names"]),
                names=", ".join(f"{o} → {r}" for o, r in result["new_names"]),
            ),
            err=True,
        )
    if result["model_missing"]:
        click.echo(
            tr(
                "grt: le modèle de langue français est absent : seuls les vrais noms des participants et les « M./Mme … » ont été masqués ; relisez le document.",
                "grt: the French language model is missing: only participants' real names and 'M./Mme …' were masked; proofread the document.",
            ),
            err=True,
        )
    if result["pending"]:
        click.echo(
            tr(
                "{n} extrait(s) encore en attente de validation n'ont pas été exportés.",
                "{n} passage(s) still awaiting validation were not exported.",
                n=result["pending"],
            ),
            err=True,
        )


# --- suggestions (spaCy) ---------------------------------------------------------------------


SUGGESTION_KEYS = ("id", "contribution_id", "code", "start", "end", "text", "score", "why", "cue", "attributes", "status")


def load_engine():
    """The suggestion engine, loaded; a person at a terminal is told why the first seconds are slow."""
    from .nlp.engine import get_engine

    engine = get_engine()
    if not engine.is_loaded and sys.stderr.isatty():
        click.echo(tr("grt: chargement du modèle de langue…", "grt: loading the language model…"), err=True)
    return engine.load()


def warn_if_fallback(engine) -> None:
    """The engine runs on surface rules (no French model): say so on stderr, never on stdout."""
    if engine.is_loaded and engine.fallback and engine.warning:
        click.echo(f"grt: {engine.warning}", err=True)


@cli.command()
@click.argument("source", metavar="(FILE | -)")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text", show_default=True)
def suggest(source, fmt):
    """Suggest codes for a French text (FILE, or - for standard input). Needs no database.

    Offsets (start, end) index the text exactly as read: UTF-8, no newline translation.
    """
    from .codebook import default_codebook
    from .i18n import language
    from .nlp.engine import as_json_items, format_text

    text = read_text_input(source)
    engine = load_engine()
    items = engine.suggest_text(text)
    warn_if_fallback(engine)
    if fmt == "json":
        return emit_json(as_json_items(items))
    labels = {c["id"]: (c.get("label_en") or c["label_fr"]) if language() == "en" else c["label_fr"] for c in default_codebook()}
    click.echo(format_text(items, labels))


@cli.command()
@click.argument("session_id", type=int)
@FORMAT
@click.pass_context
def annotate(ctx, session_id, fmt):
    """Run the suggestions over a stored session; they are kept as pending (decide in grt's annotation screen).

    Prints the session's pending suggestions, each with its id; offsets index the contribution's text.
    """
    from .codebook import code_labels
    from .contributions import list_contributions
    from .nlp.service import annotate_session, list_suggestions
    from .sessions import get_session

    db = db_from(ctx)
    get_session(db, session_id)  # a wrong number is said at once, before the model loads
    engine = load_engine()
    new = annotate_session(db, session_id, engine=engine)
    warn_if_fallback(engine)
    pending = list_suggestions(db, session_id=session_id, status="pending")
    if fmt == "json":
        return emit_json([{k: s[k] for k in SUGGESTION_KEYS} for s in pending])
    click.echo(
        tr(
            "{n} nouvelle(s) suggestion(s) ; {p} en attente pour la séance {s}.",
            "{n} new suggestion(s); {p} pending for session {s}.",
            n=len(new),
            p=len(pending),
            s=session_id,
        )
    )
    labels = code_labels(db)
    numbers = {c.id: i for i, c in enumerate(list_contributions(db, session_id), start=1)}
    for s in pending:
        click.echo(
            f"#{s['id']}  "
            + tr("contribution n°{n}", "contribution no. {n}", n=numbers.get(s["contribution_id"], "?"))
            + f"  {s['start']}–{s['end']}  {labels.get(s['code'], s['code'])}  {s['score']:.2f}"
        )
        click.echo(f"    « {' '.join(s['text'].split())} »")
        click.echo(f"    {s['why']}")


def main() -> None:
    try:
        cli(obj={})
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
