"""The schema, created and upgraded by sqlite-utils' Migrations.

Append new migrations at the end with a new name; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("grt")


@migrations(name="0001_core")
def core(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE groups (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            sector TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            pseudonym TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT '',
            authority INTEGER NOT NULL DEFAULT 0 CHECK (authority IN (0, 1)),
            -- Kept only so that exports can find and mask it; never printed outside the group.
            real_name TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            position INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            UNIQUE (group_id, pseudonym)
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            date TEXT NOT NULL,
            question TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'preparee'
                CHECK (status IN ('preparee', 'en_cours', 'close')),
            started_at TEXT,
            ended_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX sessions_group ON sessions(group_id, date);
        CREATE TABLE attendance (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            PRIMARY KEY (session_id, participant_id)
        );
        CREATE TABLE contributions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
            text TEXT NOT NULL DEFAULT '',
            position REAL NOT NULL,
            off_record INTEGER NOT NULL DEFAULT 0 CHECK (off_record IN (0, 1)),
            -- 1 while the facilitator is still typing it (autosaved draft), 0 once committed.
            draft INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX contributions_session ON contributions(session_id, position);
        CREATE INDEX contributions_participant ON contributions(participant_id);

        CREATE VIRTUAL TABLE contributions_fts USING fts5(
            text, content='contributions', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER contributions_ai AFTER INSERT ON contributions BEGIN
            INSERT INTO contributions_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER contributions_ad AFTER DELETE ON contributions BEGIN
            INSERT INTO contributions_fts(contributions_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER contributions_au AFTER UPDATE OF text ON contributions BEGIN
            INSERT INTO contributions_fts(contributions_fts, rowid, text) VALUES ('delete', old.id, old.text);
            INSERT INTO contributions_fts(rowid, text) VALUES (new.id, new.text);
        END;

        CREATE TABLE codes (
            id TEXT PRIMARY KEY,
            parent TEXT REFERENCES codes(id) ON UPDATE CASCADE ON DELETE SET NULL,
            is_group INTEGER NOT NULL DEFAULT 0 CHECK (is_group IN (0, 1)),
            label_fr TEXT NOT NULL,
            label_en TEXT NOT NULL DEFAULT '',
            definition_fr TEXT NOT NULL DEFAULT '',
            definition_en TEXT NOT NULL DEFAULT '',
            color TEXT NOT NULL DEFAULT '#888888',
            shortcut TEXT NOT NULL DEFAULT '',
            poles TEXT NOT NULL DEFAULT '[]',        -- JSON list of default synthesis poles
            attributes TEXT NOT NULL DEFAULT '{}',   -- JSON: attribute name -> allowed values
            cues TEXT NOT NULL DEFAULT '[]',         -- JSON list of the facilitator's own cue words/lemmas
            position INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
        );

        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY,
            contribution_id INTEGER NOT NULL REFERENCES contributions(id) ON DELETE CASCADE,
            code TEXT NOT NULL REFERENCES codes(id) ON UPDATE CASCADE,
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" > start),
            quote TEXT NOT NULL,
            memo TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'suggested')),
            attributes TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX annotations_contribution ON annotations(contribution_id);
        CREATE INDEX annotations_code ON annotations(code);

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


@migrations(name="0002_suggestions")
def suggestions(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            contribution_id INTEGER NOT NULL REFERENCES contributions(id) ON DELETE CASCADE,
            code TEXT NOT NULL REFERENCES codes(id) ON UPDATE CASCADE ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            quote TEXT NOT NULL,
            score REAL NOT NULL,
            why TEXT NOT NULL DEFAULT '',
            cue TEXT NOT NULL DEFAULT '',            -- id of the rule that fired, for learning
            attributes TEXT NOT NULL DEFAULT '{}',
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'accepted', 'rejected')),
            annotation_id INTEGER REFERENCES annotations(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            decided_at TEXT
        );
        CREATE INDEX suggestions_contribution ON suggestions(contribution_id, status);
        -- Learning from the group's answers: per group and per cue.
        CREATE TABLE cue_stats (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            cue TEXT NOT NULL,
            accepted INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (group_id, cue)
        );
        -- Cues switched off by the facilitator (shipped cues are identified by their id).
        CREATE TABLE cue_settings (
            cue TEXT PRIMARY KEY,
            enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
        );
        """
    )


@migrations(name="0003_debates_proposals")
def debates_proposals(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE debates (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            choice TEXT NOT NULL DEFAULT '',         -- the arbitration made, or '' while open
            status TEXT NOT NULL DEFAULT 'ouvert' CHECK (status IN ('ouvert', 'approfondi', 'clos')),
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- Norms, renormalisations and values of a debate: linked annotations or free text.
        CREATE TABLE debate_items (
            id INTEGER PRIMARY KEY,
            debate_id INTEGER NOT NULL REFERENCES debates(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('norme', 'renormalisation', 'valeur', 'autre')),
            annotation_id INTEGER REFERENCES annotations(id) ON DELETE CASCADE,
            text TEXT NOT NULL DEFAULT '',
            dimension TEXT CHECK (dimension IS NULL OR dimension IN ('mesurable', 'sans_dimension')),
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX debate_items_debate ON debate_items(debate_id);
        CREATE TABLE debate_participants (
            debate_id INTEGER NOT NULL REFERENCES debates(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            PRIMARY KEY (debate_id, participant_id)
        );
        CREATE TABLE debate_sessions (
            debate_id INTEGER NOT NULL REFERENCES debates(id) ON DELETE CASCADE,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            PRIMARY KEY (debate_id, session_id)
        );

        CREATE TABLE proposals (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            text TEXT NOT NULL,
            destination TEXT NOT NULL CHECK (destination IN ('organisateurs', 'praticable')),
            carrier_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,  -- NULL: the group
            status TEXT NOT NULL DEFAULT 'proposee' CHECK (status IN
                ('proposee', 'discutee', 'transmise', 'reponse_recue', 'mise_en_oeuvre', 'abandonnee')),
            answer TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX proposals_group ON proposals(group_id, status);
        CREATE TABLE proposal_contributions (
            proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
            contribution_id INTEGER NOT NULL REFERENCES contributions(id) ON DELETE CASCADE,
            PRIMARY KEY (proposal_id, contribution_id)
        );
        CREATE TABLE proposal_history (
            id INTEGER PRIMARY KEY,
            proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            date TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL
        );
        CREATE INDEX proposal_history_proposal ON proposal_history(proposal_id, date);
        """
    )


@migrations(name="0004_syntheses_exports")
def syntheses_exports(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE syntheses (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            title TEXT NOT NULL DEFAULT '',
            introduction TEXT NOT NULL DEFAULT '',
            text_savoirs TEXT NOT NULL DEFAULT '',
            text_experience TEXT NOT NULL DEFAULT '',
            text_ethique TEXT NOT NULL DEFAULT '',
            validated_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE synthesis_sessions (
            synthesis_id INTEGER NOT NULL REFERENCES syntheses(id) ON DELETE CASCADE,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            PRIMARY KEY (synthesis_id, session_id)
        );
        CREATE TABLE synthesis_items (
            id INTEGER PRIMARY KEY,
            synthesis_id INTEGER NOT NULL REFERENCES syntheses(id) ON DELETE CASCADE,
            annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            pole TEXT NOT NULL CHECK (pole IN ('savoirs', 'experience', 'ethique')),
            position INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0 CHECK (dropped IN (0, 1)),
            validation TEXT NOT NULL DEFAULT 'pending'
                CHECK (validation IN ('pending', 'validated', 'withheld')),
            UNIQUE (synthesis_id, annotation_id, pole)
        );
        -- Names masked in quotes before export, as the facilitator corrected them.
        CREATE TABLE synthesis_replacements (
            id INTEGER PRIMARY KEY,
            synthesis_id INTEGER NOT NULL REFERENCES syntheses(id) ON DELETE CASCADE,
            original TEXT NOT NULL,
            replacement TEXT NOT NULL,
            UNIQUE (synthesis_id, original)
        );
        CREATE TABLE exports (
            id INTEGER PRIMARY KEY,
            synthesis_id INTEGER REFERENCES syntheses(id) ON DELETE SET NULL,
            group_id INTEGER REFERENCES groups(id) ON DELETE SET NULL,
            format TEXT NOT NULL,
            path TEXT NOT NULL,
            sessions TEXT NOT NULL DEFAULT '[]',
            items INTEGER NOT NULL DEFAULT 0,
            sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )


def schema_version(db: Database) -> str:
    applied = migrations.applied(db)
    return applied[-1].name if applied else "0"
