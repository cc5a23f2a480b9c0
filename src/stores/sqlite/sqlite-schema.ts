/** The SQLite schema as numbered migrations, applied once per database and tracked in `PRAGMA user_version`. */

import type Database from 'better-sqlite3';

/**
 * Migration N+1 is `sqliteMigrations[N]`. Append, never edit: a database at user_version N has
 * run exactly the first N. Statements are also idempotent so a half-created file heals.
 */
export const sqliteMigrations: readonly string[] = [
  `
  -- WITHOUT ROWID: sessions are always found by id, so the table is clustered on it (one b-tree, not two)
  CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- kept so each turn can push expires_at out by the session's own lifetime
    ttl_seconds REAL NOT NULL,
    last_agent TEXT,
    metadata TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS sessions_by_tenant_updated ON sessions (tenant, updated_at DESC, id DESC);
  CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);

  -- one row per message, clustered by session, so a turn appends rows instead of rewriting a blob
  CREATE TABLE IF NOT EXISTS messages (
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    turn_version INTEGER NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    name TEXT,
    tool_call_id TEXT,
    tool_calls TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
  ) WITHOUT ROWID;

  -- only turns that came with an idempotency key: the key is the lookup, so it is the clustered key
  CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    request_hash TEXT,
    result TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (session_id, idempotency_key)
  ) WITHOUT ROWID;

  CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    tier TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS api_keys_by_tenant ON api_keys (tenant, created_at);

  CREATE TABLE IF NOT EXISTS usage (
    at INTEGER NOT NULL,
    tenant TEXT NOT NULL,
    route TEXT NOT NULL,
    pool TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL
  );
  CREATE INDEX IF NOT EXISTS usage_by_tenant_at ON usage (tenant, at);
  `,
  `
  -- experiments: additive statistics per (experiment, variant, metric), summed by UPSERT
  CREATE TABLE IF NOT EXISTS experiment_stats (
    experiment TEXT NOT NULL,
    variant TEXT NOT NULL,
    metric TEXT NOT NULL,
    count REAL NOT NULL,
    sum REAL NOT NULL,
    sum_squares REAL NOT NULL,
    PRIMARY KEY (experiment, variant, metric)
  ) WITHOUT ROWID;

  -- the live state of each experiment (stopped variants, ramp step, weights), compared and set on its revision
  CREATE TABLE IF NOT EXISTS experiment_control (
    experiment TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    state TEXT NOT NULL
  ) WITHOUT ROWID;

  -- which variants served each turn or completion, so feedback finds them
  CREATE TABLE IF NOT EXISTS experiment_exposures (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    session_id TEXT,
    at INTEGER NOT NULL,
    variants TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS experiment_exposures_by_session ON experiment_exposures (tenant, session_id, at);
  CREATE INDEX IF NOT EXISTS experiment_exposures_by_expiry ON experiment_exposures (expires_at);

  -- one row per (target, metric): the primary key is the idempotency
  CREATE TABLE IF NOT EXISTS experiment_feedback (
    tenant TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    comment TEXT,
    at INTEGER NOT NULL,
    variants TEXT NOT NULL,
    PRIMARY KEY (tenant, target_kind, target_id, metric)
  ) WITHOUT ROWID;

  -- a unit's first variant in a bandit experiment, so it stays there while the weights move
  CREATE TABLE IF NOT EXISTS experiment_pins (
    experiment TEXT NOT NULL,
    unit TEXT NOT NULL,
    variant TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (experiment, unit)
  ) WITHOUT ROWID;
  `,
  `
  -- the intent cascade's example vectors, by embedding model and text hash
  CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    key TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, key)
  ) WITHOUT ROWID;
  `,
  `
  -- keys gain an optional expiry and monthly budget (JSON)
  ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
  ALTER TABLE api_keys ADD COLUMN budget TEXT;

  -- one-time claims shared by every process on the file (the first admin key)
  CREATE TABLE IF NOT EXISTS store_markers (
    name TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- admin actions, in the order they were written
  CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_key TEXT NOT NULL,
    actor_tenant TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    details TEXT
  );
  `,
  `
  -- session leases: the turn that loaded a session claims it briefly, so a racing turn is refused before its model call
  CREATE TABLE IF NOT EXISTS session_leases (
    session_id TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    idempotency_key TEXT,
    request_hash TEXT,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- the next message's seq, so a turn's commit neither looks up MAX(seq) nor reads the history back; files from
  -- earlier builds are backfilled here, in the migration's transaction
  ALTER TABLE sessions ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
  UPDATE sessions SET message_count = (SELECT COALESCE(MAX(seq) + 1, 0) FROM messages WHERE messages.session_id = sessions.id);
  `,
];

export const sqliteSchemaVersion = sqliteMigrations.length;

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings the schema up to date; safe when several processes open the same file at once. */
export function migrateSqliteSchema(db: Database.Database): void {
  if (userVersion(db) === sqliteSchemaVersion) return;
  const migrate = db.transaction(() => {
    // Read again under the write lock: another process may have migrated meanwhile.
    const current = userVersion(db);
    if (current > sqliteSchemaVersion) {
      throw new Error(`${db.name}: schema version ${current} is newer than this build supports (${sqliteSchemaVersion}); upgrade Switchboard`);
    }
    for (let version = current; version < sqliteSchemaVersion; version++) db.exec(sqliteMigrations[version] as string);
    db.pragma(`user_version = ${sqliteSchemaVersion}`);
  });
  migrate.immediate();
}
