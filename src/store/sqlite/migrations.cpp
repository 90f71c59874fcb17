#include "store/sqlite/migrations.hpp"

namespace govshare::store::sqlite {

const std::vector<Migration>& MainMigrations() {
  static const std::vector<Migration> migrations = {
      {1, "organisation model", R"SQL(
CREATE TABLE regions (
  id             TEXT PRIMARY KEY,
  division_code  TEXT UNIQUE,
  name           TEXT NOT NULL,
  level          TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
  parent_id      TEXT REFERENCES regions(id),
  gb_parent_code TEXT,
  flows_back     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE departments (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL,
  credit_code      TEXT NOT NULL UNIQUE,
  region_id        TEXT NOT NULL REFERENCES regions(id),
  kind             TEXT NOT NULL CHECK (kind IN ('authority', 'department')),
  responsible_unit TEXT NOT NULL,
  contact_name     TEXT NOT NULL,
  contact_phone    TEXT NOT NULL,
  active           INTEGER NOT NULL DEFAULT 1,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  version          INTEGER NOT NULL DEFAULT 1,
  UNIQUE (region_id, name)
);
CREATE UNIQUE INDEX departments_one_authority_per_region ON departments(region_id) WHERE kind = 'authority';
CREATE TABLE users (
  id                   INTEGER PRIMARY KEY,
  username             TEXT NOT NULL UNIQUE,
  display_name         TEXT NOT NULL,
  department_id        INTEGER NOT NULL REFERENCES departments(id),
  password_hash        TEXT NOT NULL,
  active               INTEGER NOT NULL DEFAULT 1,
  failed_logins        INTEGER NOT NULL DEFAULT 0,
  locked_until         INTEGER,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  valid_until          TEXT,
  approved_by          INTEGER REFERENCES users(id),
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  version              INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_department ON users(department_id);
CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users(id),
  role    TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
);
CREATE TABLE sessions (
  token_hash     TEXT PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users(id),
  csrf_token     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  client_address TEXT NOT NULL,
  revoked        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE applications (
  id            INTEGER PRIMARY KEY,
  department_id INTEGER NOT NULL REFERENCES departments(id),
  name          TEXT NOT NULL,
  description   TEXT NOT NULL,
  active        INTEGER NOT NULL DEFAULT 1,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  version       INTEGER NOT NULL DEFAULT 1,
  UNIQUE (department_id, name)
);
CREATE TABLE api_keys (
  id             INTEGER PRIMARY KEY,
  application_id INTEGER NOT NULL REFERENCES applications(id),
  prefix         TEXT NOT NULL UNIQUE,
  secret_hash    TEXT NOT NULL,
  label          TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  revoked_at     INTEGER,
  created_by     INTEGER NOT NULL
);
CREATE INDEX api_keys_application ON api_keys(application_id);
)SQL"},
      {2, "case engine", R"SQL(
CREATE TABLE cases (
  id                        INTEGER PRIMARY KEY,
  type                      TEXT NOT NULL,
  state                     TEXT NOT NULL,
  subject                   TEXT NOT NULL,
  reference                 TEXT,
  parent_id                 INTEGER REFERENCES cases(id),
  requester_department_id   INTEGER NOT NULL REFERENCES departments(id),
  provider_department_id    INTEGER REFERENCES departments(id),
  region_id                 TEXT NOT NULL REFERENCES regions(id),
  step                      TEXT,
  step_started_at           INTEGER,
  due_at                    INTEGER,
  responsible_department_id INTEGER REFERENCES departments(id),
  reminded                  INTEGER NOT NULL DEFAULT 0,
  overdue                   INTEGER NOT NULL DEFAULT 0,
  extensions_used           INTEGER NOT NULL DEFAULT 0,
  created_by                INTEGER NOT NULL,
  created_at                INTEGER NOT NULL,
  updated_at                INTEGER NOT NULL,
  closed_at                 INTEGER,
  version                   INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_due ON cases(due_at) WHERE closed_at IS NULL;
CREATE INDEX cases_responsible ON cases(responsible_department_id);
CREATE INDEX cases_parent ON cases(parent_id);
CREATE TABLE case_history (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES cases(id),
  actor_id   INTEGER NOT NULL,
  actor_role TEXT NOT NULL,
  action     TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state   TEXT NOT NULL,
  comment    TEXT NOT NULL,
  at         INTEGER NOT NULL
);
CREATE INDEX case_history_case ON case_history(case_id);
CREATE TABLE case_idempotency (
  key        TEXT NOT NULL,
  actor_id   INTEGER NOT NULL,
  case_id    INTEGER NOT NULL REFERENCES cases(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (key, actor_id)
);
CREATE TABLE overdue_evidence (
  id                        INTEGER PRIMARY KEY,
  case_id                   INTEGER NOT NULL REFERENCES cases(id),
  step                      TEXT NOT NULL,
  responsible_department_id INTEGER,
  due_at                    INTEGER NOT NULL,
  detected_at               INTEGER NOT NULL,
  working_days_late         INTEGER NOT NULL,
  UNIQUE (case_id, step, due_at)
);
CREATE TABLE inbox (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER REFERENCES users(id),
  department_id INTEGER REFERENCES departments(id),
  case_id       INTEGER REFERENCES cases(id),
  kind          TEXT NOT NULL,
  message       TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  read_at       INTEGER
);
CREATE INDEX inbox_user ON inbox(user_id);
CREATE INDEX inbox_department ON inbox(department_id);
)SQL"},
      {3, "case attachments", R"SQL(
CREATE TABLE case_attachments (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases(id),
  filename     TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  uploaded_by  INTEGER NOT NULL,
  uploaded_at  INTEGER NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id);
)SQL"},
      {4, "department webhooks", R"SQL(
CREATE TABLE webhooks (
  id            INTEGER PRIMARY KEY,
  department_id INTEGER NOT NULL REFERENCES departments(id),
  url           TEXT NOT NULL,
  secret        TEXT NOT NULL,
  active        INTEGER NOT NULL DEFAULT 1,
  created_by    INTEGER NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX webhooks_department ON webhooks(department_id);
CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY,
  webhook_id      INTEGER NOT NULL REFERENCES webhooks(id),
  inbox_id        INTEGER REFERENCES inbox(id),
  event           TEXT NOT NULL,
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status     INTEGER,
  last_error      TEXT,
  delivered_at    INTEGER,
  created_at      INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id);
)SQL"},
      {5, "catalog", R"SQL(
CREATE TABLE data_elements (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  definition     TEXT NOT NULL,
  data_type      TEXT NOT NULL,
  representation TEXT NOT NULL,
  value_domain   TEXT NOT NULL,
  validation     TEXT NOT NULL,
  personal       INTEGER NOT NULL,
  default_level  TEXT NOT NULL,
  default_mask   TEXT NOT NULL,
  version        INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE TABLE theme_databases (
  code                 TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  kind                 TEXT NOT NULL CHECK (kind IN ('base', 'thematic')),
  keeper_department_id INTEGER NOT NULL REFERENCES departments(id),
  description          TEXT NOT NULL
);
CREATE TABLE catalog_sequences (
  classification TEXT PRIMARY KEY,
  last_value     INTEGER NOT NULL
);
CREATE TABLE catalog_entries (
  id                     INTEGER PRIMARY KEY,
  resource_code          TEXT NOT NULL UNIQUE,
  provider_department_id INTEGER NOT NULL REFERENCES departments(id),
  region_id              TEXT NOT NULL REFERENCES regions(id),
  name                   TEXT NOT NULL,
  published_version      INTEGER,
  working_version        INTEGER,
  withdrawn              INTEGER NOT NULL DEFAULT 0,
  on_negative_list       INTEGER NOT NULL DEFAULT 0,
  open_case_id           INTEGER REFERENCES cases(id),
  open_case_type         TEXT,
  created_by             INTEGER NOT NULL,
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL,
  version                INTEGER NOT NULL
);
CREATE UNIQUE INDEX catalog_entries_name ON catalog_entries(provider_department_id, name) WHERE withdrawn = 0;
CREATE INDEX catalog_entries_region ON catalog_entries(region_id);
CREATE TABLE catalog_versions (
  entry_id      INTEGER NOT NULL REFERENCES catalog_entries(id),
  number        INTEGER NOT NULL,
  state         TEXT NOT NULL
                CHECK (state IN ('draft', 'in_review', 'returned', 'published', 'superseded', 'withdrawn')),
  document      TEXT NOT NULL,
  created_by    INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  submitted_at  INTEGER,
  published_at  INTEGER,
  case_id       INTEGER REFERENCES cases(id),
  change_reason TEXT NOT NULL,
  PRIMARY KEY (entry_id, number)
) WITHOUT ROWID;
-- Published versions are immutable (Art. 9: a change is a new version); they are never deleted.
CREATE TRIGGER catalog_versions_immutable BEFORE UPDATE ON catalog_versions
WHEN OLD.state IN ('published', 'superseded', 'withdrawn')
 AND (NEW.document IS NOT OLD.document OR NEW.published_at IS NOT OLD.published_at
      OR NEW.state NOT IN ('published', 'superseded', 'withdrawn'))
BEGIN SELECT RAISE(ABORT, 'published catalog versions are immutable'); END;
CREATE TRIGGER catalog_versions_kept BEFORE DELETE ON catalog_versions
WHEN OLD.state IN ('published', 'superseded', 'withdrawn')
BEGIN SELECT RAISE(ABORT, 'published catalog versions are kept'); END;
CREATE TABLE negative_list (
  id            INTEGER PRIMARY KEY,
  entry_id      INTEGER NOT NULL REFERENCES catalog_entries(id),
  department_id INTEGER NOT NULL REFERENCES departments(id),
  kind          TEXT NOT NULL CHECK (kind IN ('list', 'revoke')),
  status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  legal_basis   TEXT NOT NULL,
  reason        TEXT NOT NULL,
  case_id       INTEGER REFERENCES cases(id),
  created_by    INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  decided_at    INTEGER
);
CREATE INDEX negative_list_entry ON negative_list(entry_id);
CREATE TABLE catalog_findings (
  id              INTEGER PRIMARY KEY,
  fingerprint     TEXT NOT NULL UNIQUE,
  subject         TEXT NOT NULL,
  elements        TEXT NOT NULL,
  entry_ids       TEXT NOT NULL,
  department_ids  TEXT NOT NULL,
  source_entry_id INTEGER REFERENCES catalog_entries(id),
  status          TEXT NOT NULL CHECK (status IN ('open', 'dismissed', 'rectifying', 'resolved')),
  resolution      TEXT NOT NULL,
  case_id         INTEGER REFERENCES cases(id),
  detected_at     INTEGER NOT NULL,
  decided_at      INTEGER
);
)SQL"},
      {6, "sharing requests and grants", R"SQL(
CREATE TABLE share_requests (
  id                      INTEGER PRIMARY KEY,
  requester_department_id INTEGER NOT NULL REFERENCES departments(id),
  application_id          INTEGER NOT NULL REFERENCES applications(id),
  entry_id                INTEGER NOT NULL REFERENCES catalog_entries(id),
  entry_version           INTEGER NOT NULL,
  provider_department_id  INTEGER NOT NULL REFERENCES departments(id),
  share_type              TEXT NOT NULL,
  items                   TEXT NOT NULL,
  scenario                TEXT NOT NULL,
  commitments_accepted_at INTEGER NOT NULL,
  state                   TEXT NOT NULL,
  case_id                 INTEGER REFERENCES cases(id),
  terms                   TEXT,
  refusal_reasons         TEXT NOT NULL,
  objection               TEXT NOT NULL,
  decision                TEXT NOT NULL,
  grant_id                TEXT,
  created_by              INTEGER NOT NULL,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL
);
CREATE INDEX share_requests_requester ON share_requests(requester_department_id);
CREATE INDEX share_requests_provider ON share_requests(provider_department_id);
CREATE TABLE grants (
  id                     TEXT PRIMARY KEY,
  request_id             INTEGER NOT NULL REFERENCES share_requests(id),
  consumer_department_id INTEGER NOT NULL REFERENCES departments(id),
  application_id         INTEGER NOT NULL REFERENCES applications(id),
  provider_department_id INTEGER NOT NULL REFERENCES departments(id),
  entry_id               INTEGER NOT NULL REFERENCES catalog_entries(id),
  entry_version          INTEGER NOT NULL,
  items                  TEXT NOT NULL,
  masks                  TEXT NOT NULL,
  row_scope              TEXT NOT NULL,
  manner                 TEXT NOT NULL,
  scenario               TEXT NOT NULL,
  valid_from             INTEGER NOT NULL,
  valid_to               INTEGER NOT NULL,
  quota_per_day          INTEGER NOT NULL,
  rate_per_minute        INTEGER NOT NULL,
  status                 TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
  status_reason          TEXT NOT NULL,
  status_changed_at      INTEGER,
  status_changed_by      INTEGER,
  created_at             INTEGER NOT NULL
);
CREATE INDEX grants_consumer ON grants(consumer_department_id);
CREATE INDEX grants_provider ON grants(provider_department_id);
CREATE INDEX grants_application ON grants(application_id);
-- A grant never widens (issue 6, Art. 14): only its status may change, and a revocation is final.
CREATE TRIGGER grants_immutable BEFORE UPDATE ON grants
WHEN NEW.id IS NOT OLD.id OR NEW.request_id IS NOT OLD.request_id
  OR NEW.consumer_department_id IS NOT OLD.consumer_department_id OR NEW.application_id IS NOT OLD.application_id
  OR NEW.provider_department_id IS NOT OLD.provider_department_id OR NEW.entry_id IS NOT OLD.entry_id
  OR NEW.entry_version IS NOT OLD.entry_version OR NEW.items IS NOT OLD.items OR NEW.masks IS NOT OLD.masks
  OR NEW.row_scope IS NOT OLD.row_scope OR NEW.manner IS NOT OLD.manner OR NEW.scenario IS NOT OLD.scenario
  OR NEW.valid_from IS NOT OLD.valid_from OR NEW.valid_to IS NOT OLD.valid_to
  OR NEW.quota_per_day IS NOT OLD.quota_per_day OR NEW.rate_per_minute IS NOT OLD.rate_per_minute
  OR NEW.created_at IS NOT OLD.created_at OR OLD.status = 'revoked'
BEGIN SELECT RAISE(ABORT, 'grants are immutable; a revoked grant stays revoked'); END;
CREATE TRIGGER grants_kept BEFORE DELETE ON grants
BEGIN SELECT RAISE(ABORT, 'grants are kept'); END;
)SQL"},
      {7, "requests for national or other-province data", R"SQL(
CREATE TABLE outward_requests (
  id                      INTEGER PRIMARY KEY,
  requester_department_id INTEGER NOT NULL REFERENCES departments(id),
  application_id          INTEGER NOT NULL REFERENCES applications(id),
  level                   TEXT NOT NULL CHECK (level IN ('national', 'other_province')),
  holder                  TEXT NOT NULL,
  resource                TEXT NOT NULL,
  items                   TEXT NOT NULL,
  scenario                TEXT NOT NULL,
  commitments_accepted_at INTEGER NOT NULL,
  state                   TEXT NOT NULL,
  case_id                 INTEGER REFERENCES cases(id),
  forward_reference       TEXT NOT NULL,
  outcome                 TEXT NOT NULL,
  created_by              INTEGER NOT NULL,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL
);
CREATE INDEX outward_requests_requester ON outward_requests(requester_department_id);
)SQL"},
      {8, "providers' service interfaces for logical access", R"SQL(
CREATE TABLE logical_endpoints (
  entry_id    INTEGER PRIMARY KEY REFERENCES catalog_entries(id),
  url         TEXT NOT NULL,
  method      TEXT NOT NULL CHECK (method IN ('GET', 'POST')),
  key_param   TEXT NOT NULL,
  field_map   TEXT NOT NULL,
  auth        TEXT NOT NULL CHECK (auth IN ('none', 'header', 'hmac')),
  auth_header TEXT NOT NULL,
  secret      TEXT NOT NULL,
  timeout_ms  INTEGER NOT NULL,
  health_url  TEXT NOT NULL,
  updated_by  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
)SQL"},
      // Art. 14 (no wider use than granted): each grant's uses per quota day, so that a restart does not reset the
      // daily quota. Written from the in-memory meter every second and at shutdown.
      {9, "grant usage per day", R"SQL(
CREATE TABLE grant_usage (
  grant_id TEXT NOT NULL,
  day      INTEGER NOT NULL,
  uses     INTEGER NOT NULL CHECK (uses >= 0),
  PRIMARY KEY (grant_id, day)
) WITHOUT ROWID;
)SQL"},
  };
  return migrations;
}

}  // namespace govshare::store::sqlite
