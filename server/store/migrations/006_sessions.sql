-- Console sessions: the cookie holds a random id, only its SHA-256 is stored. A session belongs to
-- the API token it was opened with and lives no longer than it: revoking the token ends it on every
-- replica (sessions are read joined to live tokens), and sign-out deletes the row.
CREATE TABLE api_sessions (
  id_hash text PRIMARY KEY,
  token_id text NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX api_sessions_token_id ON api_sessions (token_id);
CREATE INDEX api_sessions_expires_at ON api_sessions (expires_at);

-- Secrets the server generates once and every replica shares (the session cookie's signing key when
-- SESSION_SECRET is not set). The first replica to insert wins; the others read its value.
CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL
);
