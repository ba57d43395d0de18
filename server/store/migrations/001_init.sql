-- The autopilot's tables. Unqualified names: migrate() runs this with search_path set to the
-- store's schema. Row timestamps come from the injected clock of the caller.

CREATE TABLE alerts (
  id            bigserial PRIMARY KEY,
  fingerprint   text NOT NULL,
  status        text NOT NULL CHECK (status IN ('firing', 'resolved')),
  alertname     text,
  service       text,
  environment   text NOT NULL,
  signal        text,
  labels        jsonb NOT NULL DEFAULT '{}',
  annotations   jsonb NOT NULL DEFAULT '{}',
  starts_at     timestamptz,
  ends_at       timestamptz,
  generator_url text,
  group_key     text,
  receiver      text,
  received_at   timestamptz NOT NULL,
  cycle_id      text,
  disposition   text NOT NULL CHECK (disposition IN ('started', 'joined', 'duplicate', 'resolved'))
);
-- Dedup looks up the cycle holding a fingerprint; cycle pages list a cycle's alerts.
CREATE INDEX alerts_fingerprint_idx ON alerts (fingerprint, id DESC);
CREATE INDEX alerts_cycle_id_idx ON alerts (cycle_id);

-- Cycle numbers per UTC day (si_YYYY_MM_DD_NNN), allocated by an upsert that locks the row.
CREATE TABLE cycle_counters (
  day text PRIMARY KEY,
  n   int NOT NULL
);

CREATE TABLE cycles (
  id                  text PRIMARY KEY,
  status              text NOT NULL CHECK (status IN ('queued', 'running', 'awaiting_approval', 'completed', 'failed')),
  environment         text NOT NULL,
  service             text,
  signal              text,
  trigger             jsonb NOT NULL DEFAULT '{}',
  alert_count         int NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL,
  started_at          timestamptz,
  updated_at          timestamptz NOT NULL,
  finished_at         timestamptz,
  outcome             text,
  report              jsonb,
  error               text,
  lease_owner         text,
  lease_expires_at    timestamptz,
  resume              jsonb,
  attempts            int NOT NULL DEFAULT 0,
  pending_approval_id text
);
-- claimNext scans queued and running cycles oldest first; list pages by creation.
CREATE INDEX cycles_status_created_idx ON cycles (status, created_at, id);
CREATE INDEX cycles_created_idx ON cycles (created_at DESC, id DESC);
-- Joining alerts and activeForService look for the active cycle of a service.
CREATE INDEX cycles_active_service_idx ON cycles (service, environment, created_at DESC)
  WHERE status IN ('queued', 'running', 'awaiting_approval');

CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY,
  at         timestamptz NOT NULL,
  at_iso     text NOT NULL,
  cycle_id   text,
  kind       text NOT NULL,
  actor_type text NOT NULL,
  actor_id   text NOT NULL,
  tool       text,
  decision   text,
  data       jsonb NOT NULL,
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);
CREATE INDEX audit_log_cycle_idx ON audit_log (cycle_id, seq);

-- The tip of the hash chain; appends lock this single row, which orders them.
CREATE TABLE audit_head (
  id   int PRIMARY KEY CHECK (id = 1),
  seq  bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64));

-- The audit log is append-only: UPDATE, DELETE and TRUNCATE are refused unless the session (or
-- transaction, via set_config(..., true)) sets autopilot.audit_maintenance = 'on'. That escape
-- hatch exists for deliberate maintenance and for tests that tamper with the chain; the hash
-- chain, not this trigger, is what proves the log was not altered.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('autopilot.audit_maintenance', true), '') = 'on' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE approvals (
  id              text PRIMARY KEY,
  cycle_id        text,
  tool            text NOT NULL,
  input           jsonb NOT NULL,
  call_hash       text NOT NULL,
  principal       jsonb NOT NULL,
  reasons         jsonb NOT NULL DEFAULT '[]',
  status          text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired', 'used')),
  requested_at    timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  decided_by      text,
  decided_at      timestamptz,
  decision_reason text,
  used_at         timestamptz
);
CREATE INDEX approvals_status_expires_idx ON approvals (status, expires_at);
CREATE INDEX approvals_cycle_idx ON approvals (cycle_id);

CREATE TABLE artifacts (
  id         text PRIMARY KEY,
  cycle_id   text NOT NULL,
  kind       text NOT NULL,
  name       text NOT NULL,
  media_type text NOT NULL,
  sha256     text NOT NULL,
  size       int NOT NULL,
  content    text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX artifacts_cycle_idx ON artifacts (cycle_id, created_at);

CREATE TABLE feature_flags (
  flag_name   text NOT NULL,
  environment text NOT NULL,
  enabled     boolean NOT NULL,
  metadata    jsonb NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL,
  updated_by  text NOT NULL,
  PRIMARY KEY (flag_name, environment)
);
