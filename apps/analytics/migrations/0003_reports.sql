-- Up Migration
-- Report exports run as long tasks (a child process or a Fargate task); this row is
-- how the API and the task share status and progress.
CREATE TABLE analytics.reports (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('doses-line-list', 'coverage', 'aefi')),
  format text NOT NULL CHECK (format IN ('csv')),
  -- Filters as requested, with the region already forced to the requester's scope.
  filters jsonb NOT NULL,
  requested_by text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  rows bigint CHECK (rows >= 0),
  object_key text,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  CHECK (status <> 'done' OR (object_key IS NOT NULL AND rows IS NOT NULL AND progress = 100 AND finished_at IS NOT NULL)),
  CHECK (status <> 'failed' OR (error IS NOT NULL AND finished_at IS NOT NULL))
);
CREATE INDEX reports_requested_by ON analytics.reports (requested_by, created_at DESC);

-- Down Migration
DROP TABLE analytics.reports;
