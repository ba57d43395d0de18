-- Anomaly events the monitor has reported, so that a restart or a second replica does not report
-- them again. An event is a run of flagged points of one series; a later window that sees the same
-- run (longer, or cut at the window's start) overlaps the row and extends it.
CREATE TABLE anomaly_events (
  environment text NOT NULL,
  series text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  peak_score double precision NOT NULL,
  model_version text NULL,
  reported_by text NOT NULL,
  reported_at timestamptz NOT NULL,
  PRIMARY KEY (environment, series, started_at)
);

-- The detector version whose input drift was signalled, per series; the row goes when drift clears,
-- so the same version drifting again is signalled again.
CREATE TABLE anomaly_drift (
  environment text NOT NULL,
  series text NOT NULL,
  model_version text NOT NULL,
  psi double precision NULL,
  signalled_at timestamptz NOT NULL,
  PRIMARY KEY (environment, series)
);
