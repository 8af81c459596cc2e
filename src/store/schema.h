/*
 * The index's tables, one text for both backends (sqlite.c, pg.c), so
 * that they cannot drift apart: BIG is the type of a time in seconds,
 * "INTEGER" in SQLite (64-bit already) and "BIGINT" in PostgreSQL, whose
 * INTEGER is 32-bit and would end in 2038. Each backend adds its own
 * version mark after it (PRAGMA user_version; the schema_version table).
 */
#ifndef SIPCA_STORE_SCHEMA_H
#define SIPCA_STORE_SCHEMA_H

#define STORE_RECORDS_SCHEMA(BIG) \
    "CREATE TABLE records (" \
    "  kind TEXT NOT NULL," \
    "  id TEXT NOT NULL," \
    "  key TEXT," \
    "  ref TEXT," \
    "  status TEXT NOT NULL," \
    "  expires " BIG " NOT NULL DEFAULT 0," \
    "  created " BIG " NOT NULL," \
    "  doc TEXT NOT NULL," \
    "  PRIMARY KEY (kind, id));" \
    "CREATE UNIQUE INDEX records_key ON records(kind, key) WHERE key IS NOT NULL;" \
    "CREATE INDEX records_ref ON records(kind, ref);"

#define STORE_SCHEMA(BIG) \
    "CREATE TABLE settings (" \
    "  key TEXT PRIMARY KEY," \
    "  value TEXT NOT NULL);" \
    "CREATE TABLE certs (" \
    "  serial TEXT PRIMARY KEY," \
    "  name TEXT NOT NULL," \
    "  kind TEXT NOT NULL," \
    "  subject TEXT NOT NULL," \
    "  sans TEXT NOT NULL," \
    "  not_before " BIG " NOT NULL," \
    "  not_after " BIG " NOT NULL," \
    "  status TEXT NOT NULL CHECK (status IN" \
    "    ('pending', 'valid', 'revoked', 'superseded'))," \
    "  key_source TEXT NOT NULL," \
    "  key_type TEXT," \
    "  forced INTEGER NOT NULL DEFAULT 0," \
    "  issued_at " BIG " NOT NULL," \
    "  revoked_at " BIG "," \
    "  revoke_reason TEXT," \
    "  supersedes TEXT," \
    "  pem TEXT NOT NULL," \
    "  origin TEXT);" \
    /* One current certificate per name; renewals swap within one transaction. */ \
    "CREATE UNIQUE INDEX certs_one_valid ON certs(name) WHERE status = 'valid';" \
    "CREATE INDEX certs_by_name ON certs(name, status);" \
    "CREATE INDEX certs_by_status ON certs(status, not_after);" \
    STORE_RECORDS_SCHEMA(BIG)

/*
 * Every column of each table above, by name, for store migrate
 * (migrate.c, index_tables), which copies the rows by these names: a
 * column added above is added here too (migrate refuses a table with a
 * column these do not name, rather than leave it behind).
 */
#define STORE_SETTINGS_COLUMNS "key, value"
#define STORE_CERTS_COLUMNS \
    "serial, name, kind, subject, sans, not_before, not_after, status," \
    " key_source, key_type, forced, issued_at, revoked_at, revoke_reason," \
    " supersedes, pem, origin"
#define STORE_RECORDS_COLUMNS \
    "kind, id, key, ref, status, expires, created, doc"

#endif
