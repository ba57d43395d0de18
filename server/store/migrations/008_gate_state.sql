-- What the policy gate decides on (feature flags, quality-gate overrides, daily quotas) carries one
-- version, moved by every statement that changes any of them, on any replica. A gate may keep what
-- it read and decide on it again, provided the statement that records its decision finds the
-- version unchanged (audit-repo appendIfState): one round trip per tool call instead of two.
CREATE TABLE gate_state (
  id      int PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);
INSERT INTO gate_state (id, version) VALUES (1, 0);

CREATE FUNCTION gate_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE gate_state SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER feature_flags_gate_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON feature_flags
  FOR EACH STATEMENT EXECUTE FUNCTION gate_state_bump();
CREATE TRIGGER gate_overrides_gate_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON gate_overrides
  FOR EACH STATEMENT EXECUTE FUNCTION gate_state_bump();
CREATE TRIGGER quota_counters_gate_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON quota_counters
  FOR EACH STATEMENT EXECUTE FUNCTION gate_state_bump();
CREATE TRIGGER quota_reservations_gate_state AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON quota_reservations
  FOR EACH STATEMENT EXECUTE FUNCTION gate_state_bump();
