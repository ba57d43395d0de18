-- Default feature flags per environment. Production promotes automatically; staging asks an
-- operator; dev does neither.
INSERT INTO feature_flags (flag_name, environment, enabled, metadata, updated_at, updated_by)
SELECT f.flag_name, e.environment,
       CASE f.flag_name
         WHEN 'auto_promote' THEN e.environment = 'production'
         WHEN 'manual_approval_required' THEN e.environment = 'staging'
         ELSE f.enabled
       END,
       f.metadata::jsonb, now(), 'migration:002'
FROM (VALUES
  ('kill_switch', false, '{}'),
  ('auto_promote', false, '{}'),
  ('auto_rollback', true, '{}'),
  ('ab_testing', true, '{"split_percent": 20}'),
  ('cost_optimization', true, '{"budget_usd_per_day": 500}'),
  ('manual_approval_required', false, '{}'),
  ('max_cycles_per_day', true, '{"limit": 20}'),
  ('change_freeze', false, '{"windows": []}')
) AS f (flag_name, enabled, metadata)
CROSS JOIN (VALUES ('dev'), ('staging'), ('production')) AS e (environment);
