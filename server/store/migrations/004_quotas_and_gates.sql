-- Daily quotas (cycles, spend) reserved atomically when an allowed call runs, so two concurrent
-- cycles can never both take the last slot or the last dollar.
CREATE TABLE quota_counters (
  quota text NOT NULL,
  period text NOT NULL,
  used numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (quota, period)
);

-- What each cycle holds of a quota in a period (a slot, or the spend it has reserved so far).
CREATE TABLE quota_reservations (
  cycle_id text NOT NULL,
  quota text NOT NULL,
  period text NOT NULL,
  amount numeric NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (cycle_id, quota, period)
);

-- Quality-gate overrides per environment and signal, set by admins (audited).
CREATE TABLE gate_overrides (
  environment text NOT NULL,
  signal text NOT NULL,
  rules jsonb NOT NULL,
  reason text NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (environment, signal)
);
