"""The event: its fields, the identifier types, and the workspace's tables (as migrations).

An event row carries one column per identifier type instead of a key/value list: imports
stay a single columnar insert and identity resolution reads the columns it needs.
``seq`` is ``import_id << 32 | record`` — unique, ordered, and it says where a row came from.
"""

from __future__ import annotations

from typing import Final

IDENTIFIER_TYPES: Final = (
    "anonymous_id",
    "user_id",
    "email",
    "phone",
    "device_id",
    "zalo_id",
    "fb_psid",
    "loyalty_id",
)

#: The fields of an event as users see them (imports, exports), in this order.
EVENT_FIELDS: Final = (
    "event_id",
    "ts",
    "event",
    "channel",
    "touchpoint",
    *IDENTIFIER_TYPES,
    "properties",
    "revenue",
    "currency",
    "source",
)

SEQ_SHIFT: Final = 32

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "events, imports, identity, audit",
        f"""
        CREATE TABLE imports (
            import_id INTEGER PRIMARY KEY,
            file_name VARCHAR NOT NULL,
            file_bytes BIGINT NOT NULL,
            source VARCHAR NOT NULL,
            started_at TIMESTAMP NOT NULL,
            accepted BIGINT NOT NULL,
            duplicates BIGINT NOT NULL,
            rejected BIGINT NOT NULL
        );
        CREATE TABLE events (
            seq BIGINT NOT NULL,
            source VARCHAR NOT NULL,
            event_id VARCHAR NOT NULL,
            ts TIMESTAMP NOT NULL,
            event VARCHAR NOT NULL,
            channel VARCHAR NOT NULL,
            touchpoint VARCHAR,
            {", ".join(f"{name} VARCHAR" for name in IDENTIFIER_TYPES)},
            properties JSON,
            revenue DOUBLE,
            currency VARCHAR,
            import_id INTEGER NOT NULL
        );
        CREATE TABLE identity_values (
            id_type VARCHAR NOT NULL,
            raw VARCHAR NOT NULL,
            value VARCHAR,
            problem VARCHAR
        );
        CREATE TABLE identity_nodes (
            node_id BIGINT NOT NULL,
            id_type VARCHAR NOT NULL,
            value VARCHAR NOT NULL,
            customer_id BIGINT,
            status VARCHAR NOT NULL,
            max_links BIGINT NOT NULL
        );
        CREATE TABLE identity_links (
            a BIGINT NOT NULL,
            b BIGINT NOT NULL,
            events BIGINT NOT NULL,
            first_seq BIGINT NOT NULL,
            used BOOLEAN NOT NULL
        );
        CREATE TABLE event_customers (seq BIGINT NOT NULL, customer_id BIGINT NOT NULL);
        CREATE TABLE identity_blocks (
            id_type VARCHAR NOT NULL,
            value VARCHAR NOT NULL,
            other_type VARCHAR,
            other_value VARCHAR,
            created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE identity_runs (
            run_at TIMESTAMP NOT NULL,
            customers BIGINT NOT NULL,
            identifiers BIGINT NOT NULL,
            events BIGINT NOT NULL,
            report JSON NOT NULL
        );
        CREATE TABLE audit_log (
            logged_at TIMESTAMP NOT NULL,
            action VARCHAR NOT NULL,
            detail JSON NOT NULL
        );
        CREATE VIEW journey_events AS
            SELECT c.customer_id, e.*
            FROM events e LEFT JOIN event_customers c USING (seq);
        """,
    ),
)

MIGRATIONS = (
    *MIGRATIONS,
    (
        2,
        "node ids kept with identifier values; customers per node as integers",
        """
        ALTER TABLE identity_values ADD COLUMN node_id BIGINT;
        UPDATE identity_values SET node_id = CAST(hash(id_type, value) >> 1 AS BIGINT)
            WHERE value IS NOT NULL;
        DROP TABLE identity_nodes;
        CREATE TABLE identity_customers (
            node_id BIGINT NOT NULL,
            customer_id BIGINT,
            status VARCHAR NOT NULL,
            max_links BIGINT NOT NULL
        );
        CREATE VIEW identity_nodes AS
            SELECT DISTINCT c.node_id, v.id_type, v.value, c.customer_id, c.status, c.max_links
            FROM identity_customers c JOIN identity_values v USING (node_id);
        """,
    ),
)

#: The columns of ``journey_events``: the event fields analytics read most, without the
#: identifiers and properties (those stay in ``events``, joined by ``seq`` when needed).
JOURNEY_COLUMNS: Final = (
    "customer_id",
    "ts",
    "seq",
    "event_id",
    "event",
    "channel",
    "touchpoint",
    "revenue",
    "currency",
    "source",
    "rating",
)

MIGRATIONS = (
    *MIGRATIONS,
    (
        3,
        "journey_events: every attributed event, stored in customer and time order",
        """
        DROP VIEW journey_events;
        CREATE VIEW events_with_customers AS
            SELECT c.customer_id, e.*
            FROM events e LEFT JOIN event_customers c USING (seq);
        CREATE TABLE journey_events (
            customer_id BIGINT NOT NULL,
            ts TIMESTAMP NOT NULL,
            seq BIGINT NOT NULL,
            event_id VARCHAR NOT NULL,
            event VARCHAR NOT NULL,
            channel VARCHAR NOT NULL,
            touchpoint VARCHAR,
            revenue DOUBLE,
            currency VARCHAR,
            source VARCHAR NOT NULL,
            rating DOUBLE
        );
        """,
    ),
)

MIGRATIONS = (
    *MIGRATIONS,
    (
        4,
        "node ids numbered densely (0, 1, 2, …) instead of hashed",
        # in the old ids' order, so links stay oriented a < b and labels stay the smallest
        """
        CREATE TEMP TABLE node_renumber AS
            SELECT node_id AS old, row_number() OVER (ORDER BY node_id) - 1 AS new
            FROM (SELECT DISTINCT node_id FROM identity_values WHERE node_id IS NOT NULL);
        DELETE FROM identity_customers WHERE node_id NOT IN (SELECT old FROM node_renumber);
        DELETE FROM identity_links WHERE a NOT IN (SELECT old FROM node_renumber)
            OR b NOT IN (SELECT old FROM node_renumber);
        UPDATE identity_values v SET node_id = r.new FROM node_renumber r WHERE v.node_id = r.old;
        UPDATE identity_customers c SET node_id = r.new
            FROM node_renumber r WHERE c.node_id = r.old;
        UPDATE identity_links l SET a = ra.new, b = rb.new
            FROM node_renumber ra, node_renumber rb WHERE l.a = ra.old AND l.b = rb.old;
        DROP TABLE node_renumber;
        """,
    ),
)

MIGRATIONS = (
    *MIGRATIONS,
    (
        5,
        "suppression list of forgotten identifiers (keyed hashes) and the workspace secret",
        # digests only: HMAC-SHA256 of the normalised identifier under the workspace's own
        # random key (events/suppression.py); no raw or normalised value is ever stored
        """
        CREATE TABLE workspace_secrets (name VARCHAR NOT NULL, secret BLOB NOT NULL);
        CREATE TABLE identity_suppressed (
            digest VARCHAR NOT NULL,
            id_type VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            request INTEGER NOT NULL,
            created_at TIMESTAMP NOT NULL,
            dropped_events BIGINT NOT NULL,
            last_dropped_at TIMESTAMP
        );
        """,
    ),
)

MIGRATIONS = (
    *MIGRATIONS,
    (
        6,
        "API keys of the server: scrypt hashes only, never the secret (events/keys.py)",
        """
        CREATE TABLE api_keys (
            key_id VARCHAR PRIMARY KEY,
            name VARCHAR,
            role VARCHAR NOT NULL,
            salt BLOB NOT NULL,
            digest BLOB NOT NULL,
            created_at TIMESTAMP NOT NULL,
            revoked_at TIMESTAMP
        );
        """,
    ),
)

MIGRATIONS = (
    *MIGRATIONS,
    (
        7,
        "web users and their sessions: argon2 hashes and token digests only (events/users.py)",
        """
        CREATE TABLE web_users (
            email VARCHAR PRIMARY KEY,
            name VARCHAR,
            role VARCHAR NOT NULL,
            password_hash VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TIMESTAMP,
            sessions_valid_after TIMESTAMP
        );
        CREATE TABLE web_sessions (
            session_id VARCHAR PRIMARY KEY,
            digest BLOB NOT NULL,
            email VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            expires_at TIMESTAMP NOT NULL
        );
        """,
    ),
)

MIGRATIONS = (
    *MIGRATIONS,
    (
        8,
        "feedback: scores, text, sentiment and aspects of feedback events (feedback/importing.py)",
        # one row per feedback event, keyed by the event's seq; identity, quarantine and
        # idempotency are the event import's own
        """
        CREATE TABLE feedback (
            seq BIGINT NOT NULL,
            kind VARCHAR NOT NULL,
            nps SMALLINT,
            csat SMALLINT,
            ces SMALLINT,
            stars SMALLINT,
            text VARCHAR,
            sentiment VARCHAR,
            sentiment_score DOUBLE,
            aspects VARCHAR[]
        );
        """,
    ),
)

SCHEMA_VERSION: Final = MIGRATIONS[-1][0]
