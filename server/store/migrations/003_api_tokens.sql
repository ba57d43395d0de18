-- API tokens for machines and the console: only a SHA-256 of each token is stored.
CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  last_used_at timestamptz NULL,
  revoked_at timestamptz NULL
);
