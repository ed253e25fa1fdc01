"""The PostgreSQL schema: numbered migrations, recorded as applied, checked at start.

`MIGRATIONS[n]` takes a database from version n to n + 1. `migrate` runs the missing
ones in one transaction under an advisory lock (two nodes starting together migrate
once) and refuses, in words and changing nothing, a database a newer veille wrote.
"""

from __future__ import annotations

import psycopg

from store.errors import SchemaTooNew

MIGRATE_LOCK = 0x7665696C6C65  # "veille": the advisory lock key of migrations

V1 = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TABLE veille_meta (
    id int PRIMARY KEY CHECK (id = 1),
    generation bigint NOT NULL DEFAULT 0,   -- bumped by every write (live refresh)
    mentions bigint NOT NULL DEFAULT 0,     -- len(store) without counting
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO veille_meta (id) VALUES (1);

-- immutable mention records (Mention.to_json), the archive
CREATE TABLE mentions (
    id text PRIMARY KEY,
    seq bigserial UNIQUE,
    group_id text NOT NULL,
    created_at timestamptz NOT NULL,
    record jsonb NOT NULL
);
CREATE INDEX mentions_group ON mentions (group_id, created_at, id);
CREATE INDEX mentions_created ON mentions (created_at);

-- one row per group: what ranking and filters read (text folded by triage.text.fold)
CREATE TABLE groups (
    group_id text PRIMARY KEY,
    seq bigserial,
    priority double precision NOT NULL,
    last_at timestamptz NOT NULL,
    size int NOT NULL,
    brands text[] NOT NULL,
    platforms text[] NOT NULL,
    haystack text NOT NULL,
    authors text NOT NULL,
    signals text NOT NULL,
    gen bigint NOT NULL
);
CREATE INDEX groups_rank ON groups (priority DESC, last_at DESC, seq) INCLUDE (group_id);
CREATE INDEX groups_gen ON groups (gen);
CREATE INDEX groups_brands ON groups USING gin (brands);
CREATE INDEX groups_platforms ON groups USING gin (platforms);
CREATE INDEX groups_haystack ON groups USING gin (haystack gin_trgm_ops);
CREATE INDEX groups_authors ON groups USING gin (authors gin_trgm_ops);
CREATE INDEX groups_signals ON groups USING gin (signals gin_trgm_ops);

-- triage state per target (TriageState.to_json) and its filterable columns
CREATE TABLE states (
    target text PRIMARY KEY,
    record jsonb NOT NULL,
    status text NOT NULL,
    tags text[] NOT NULL,
    assignee text,
    claimed_by text,
    claim_expires timestamptz,
    snoozed_until timestamptz,
    first_response timestamptz,
    handed_off boolean NOT NULL,
    rev int NOT NULL,
    gen bigint NOT NULL
);
CREATE INDEX states_gen ON states (gen);
CREATE INDEX states_status ON states (status);

-- the journal: every action as one event, append-only
CREATE TABLE events (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    at timestamptz NOT NULL,
    who text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    record jsonb NOT NULL
);
CREATE INDEX events_who ON events (who, seq);
CREATE INDEX events_at ON events (at);

-- replies to post and hand-offs to deliver, shared by watch nodes (SKIP LOCKED)
CREATE TABLE outbox (
    key text PRIMARY KEY,
    target text NOT NULL,
    status text NOT NULL,
    taken_by text,
    taken_until timestamptz
);
CREATE INDEX outbox_pending ON outbox (key) WHERE status = 'pending';
CREATE TABLE handoffs (
    target text PRIMARY KEY,
    delivery text NOT NULL,
    taken_by text,
    taken_until timestamptz
);

-- the words of the archive (fuzzy search expands to them)
CREATE TABLE words (word text PRIMARY KEY);

-- what lived in the store folder: the poller lease, ledgers, sources' files
CREATE TABLE poller_lease (
    id int PRIMARY KEY CHECK (id = 1),
    holder jsonb NOT NULL
);
CREATE TABLE ledger (
    scope text NOT NULL,
    key text NOT NULL,
    state text NOT NULL,          -- sending | sent | failed
    attempts int NOT NULL DEFAULT 0,  -- posts begun and never said how they ended
    node text,                    -- who is sending (host:pid)
    at timestamptz,
    PRIMARY KEY (scope, key)
);
CREATE TABLE node_files (
    path text PRIMARY KEY,        -- e.g. sources/alerts-lumio.json
    body bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
"""

# issue 17: each user's read marks (store.postgres.reads), what they saw of a group
V2 = """
CREATE TABLE read_marks (
    who text NOT NULL,
    group_id text NOT NULL,
    copies int NOT NULL,          -- copies the user saw
    notes int NOT NULL,           -- notes by others the user saw
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (who, group_id)
);
"""

# issue 15 (m15): merge and split (store.postgres.stories), people (store.postgres.people)
V3 = """
ALTER TABLE veille_meta ADD COLUMN corrections bigint NOT NULL DEFAULT 0;
-- the few states that merge or split a story (read whole by every correction)
CREATE INDEX states_corrections ON states (target)
    WHERE record->>'merged_into' IS NOT NULL OR record->>'split_from' IS NOT NULL;
-- the people list: one row per person (triage.people.Person.to_json), in list order
CREATE TABLE people (
    key text PRIMARY KEY,
    pos int NOT NULL,
    record jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
-- `person:TAG`: the groups of the posts whose author handle is one of the people's
CREATE INDEX mentions_handle ON mentions ((lower(ltrim(coalesce(
    nullif(record#>>'{author,handle}', ''), record#>>'{author,name}'), '@'))), group_id);
"""


# issue 15 at 1M (q15): each group's first mention time (its leader's, what the SLA clock
# reads) kept on the row, so the counts need no join to a million mentions; groups written
# without it (a rebuilt row) get it from their mentions. And the mentions of one author
# found by an index (the thread pane's history), not by reading the archive.
FIRST_AT = """
ALTER TABLE groups ADD COLUMN first_at timestamptz;
UPDATE groups g SET first_at = m.first FROM
    (SELECT group_id, min(created_at) AS first FROM mentions GROUP BY group_id) m
    WHERE m.group_id = g.group_id;
CREATE FUNCTION veille_group_first_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.first_at IS NULL THEN
        NEW.first_at := (SELECT min(created_at) FROM mentions WHERE group_id = NEW.group_id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER groups_first_at BEFORE INSERT OR UPDATE ON groups
    FOR EACH ROW EXECUTE FUNCTION veille_group_first_at();
-- what the counts read of every group, narrow: an index-only scan, not the wide rows
CREATE INDEX groups_counts ON groups (first_at) INCLUDE (priority, platforms, group_id);
"""
AUTHOR_KEY = (
    "(record->>'platform'), "
    "lower(coalesce(nullif(record->'author'->>'handle', ''), record->'author'->>'name'))"
)  # store.postgres.reader.author_mentions asks by it
AUTHOR_INDEX = f"CREATE INDEX mentions_author ON mentions ({AUTHOR_KEY})"
FIRST_AT += AUTHOR_INDEX + ";\n"
# the posts whose [[rules]] have not run yet (store.postgres.owed)
RULES_OWED = """
CREATE TABLE IF NOT EXISTS rules_owed (
    mention_id text PRIMARY KEY,
    place text NOT NULL,          -- the owner: host, boot and pid namespace (store.owner)
    pid int NOT NULL,
    started text NOT NULL,        -- the owner's start time (a reused pid is another)
    lock_key text,                -- its handle's advisory lock (store.postgres.ownerlock)
    at timestamptz NOT NULL DEFAULT now(),
    tries int NOT NULL DEFAULT 0  -- replays begun
);
"""
MIGRATIONS: list[str] = [V1, V2, V3, FIRST_AT, RULES_OWED]  # MIGRATIONS[n]: version n -> n + 1
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: psycopg.Connection) -> int:
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: psycopg.Connection, where: str) -> int:
    """Bring the database to SCHEMA_VERSION; SchemaTooNew (nothing changed) if newer."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"the store at {where} was written by a newer veille (schema {version}, "
                f"this one knows up to {SCHEMA_VERSION}); upgrade veille. Nothing was changed."
            )
        while version < SCHEMA_VERSION:
            conn.execute(MIGRATIONS[version])
            version += 1
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
    return version
