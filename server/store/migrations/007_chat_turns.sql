-- A conversation answers one message at a time, whichever replica takes it: a turn holds its
-- conversation's row until it ends, or until its lease lapses (a replica that died mid-turn).
CREATE TABLE chat_turns (
  conversation_id text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
