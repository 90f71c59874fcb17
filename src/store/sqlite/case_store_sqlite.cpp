#include "store/sqlite/case_store_sqlite.hpp"

#include "common/json.hpp"
#include "store/sqlite/sql_params.hpp"

namespace govshare::store::sqlite {

using common::Result;
using common::Status;
using workflow::Case;
using workflow::HistoryEntry;
using workflow::InboxItem;

namespace {

constexpr const char* kCaseColumns =
    "id, type, state, subject, reference, parent_id, requester_department_id, provider_department_id, region_id, "
    "step, step_started_at, due_at, responsible_department_id, reminded, overdue, extensions_used, created_by, "
    "created_at, updated_at, closed_at, version";

Case ReadCase(const Statement& s) {
  Case c;
  c.id = s.Int(0);
  c.type = s.Text(1);
  c.state = s.Text(2);
  c.subject = s.Text(3);
  c.reference = s.OptText(4);
  c.parent_id = s.OptInt(5);
  c.requester_department_id = s.Int(6);
  c.provider_department_id = s.OptInt(7);
  c.region_id = s.Text(8);
  c.step = s.OptText(9);
  c.step_started_at = s.OptInt(10);
  c.due_at = s.OptInt(11);
  c.responsible_department_id = s.OptInt(12);
  c.reminded = s.Int(13) != 0;
  c.overdue = s.Int(14) != 0;
  c.extensions_used = static_cast<int>(s.Int(15));
  c.created_by = s.Int(16);
  c.created_at = s.Int(17);
  c.updated_at = s.Int(18);
  c.closed_at = s.OptInt(19);
  c.version = s.Int(20);
  return c;
}

void InsertHistory(Connection& c, const HistoryEntry& h, std::int64_t case_id) {
  c.Prepare(
       "INSERT INTO case_history(case_id, actor_id, actor_role, action, from_state, to_state, comment, at) VALUES "
       "(?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, case_id)
      .Bind(2, h.actor_id)
      .Bind(3, h.actor_role)
      .Bind(4, h.action)
      .Bind(5, h.from_state)
      .Bind(6, h.to_state)
      .Bind(7, h.comment)
      .Bind(8, h.at)
      .Run();
}

/// Inserts inbox items and, in the same transaction, one webhook delivery per active webhook of the item's
/// department: a durable outbox, so a notification is sent if and only if the change that caused it committed.
void InsertInbox(Connection& c, const std::vector<InboxItem>& items, std::int64_t case_id) {
  for (const auto& i : items) {
    const std::int64_t item_case = i.case_id.value_or(case_id);
    c.Prepare("INSERT INTO inbox(user_id, department_id, case_id, kind, message, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .Bind(1, i.user_id)
        .Bind(2, i.department_id)
        .Bind(3, item_case)
        .Bind(4, i.kind)
        .Bind(5, i.message)
        .Bind(6, i.created_at)
        .Run();
    if (!i.department_id) continue;
    const std::int64_t inbox_id = c.LastInsertId();
    common::JsonWriter w;
    w.StartObject()
        .Field("event", i.kind)
        .Field("inbox_id", inbox_id)
        .Field("case_id", item_case)
        .Field("department_id", *i.department_id)
        .Field("message", i.message)
        .Field("created_at", common::FormatRfc3339(i.created_at))
        .EndObject();
    c.Prepare(
         "INSERT INTO webhook_deliveries(webhook_id, inbox_id, event, payload, status, next_attempt_at, created_at) "
         "SELECT id, ?, ?, ?, 'pending', ?, ? FROM webhooks WHERE department_id = ? AND active = 1")
        .Bind(1, inbox_id)
        .Bind(2, i.kind)
        .Bind(3, w.str())
        .Bind(4, i.created_at)
        .Bind(5, i.created_at)
        .Bind(6, *i.department_id)
        .Run();
  }
}

constexpr const char* kDeliveryColumns =
    "d.id, d.webhook_id, d.event, d.payload, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, "
    "d.delivered_at, d.created_at, w.url, w.secret";

workflow::Delivery ReadDelivery(const Statement& s) {
  workflow::Delivery d;
  d.id = s.Int(0);
  d.webhook_id = s.Int(1);
  d.event = s.Text(2);
  d.payload = s.Text(3);
  d.status = s.Text(4);
  d.attempts = static_cast<int>(s.Int(5));
  d.next_attempt_at = s.Int(6);
  d.last_status = s.OptInt(7);
  d.last_error = s.OptText(8);
  d.delivered_at = s.OptInt(9);
  d.created_at = s.Int(10);
  d.url = s.Text(11);
  d.secret = s.Text(12);
  return d;
}

std::optional<std::int64_t> BoolParam(const std::optional<bool>& b) {
  if (!b) return std::nullopt;
  return *b ? 1 : 0;
}

}  // namespace

Status SqliteCaseStore::CreateCase(Case& c, const HistoryEntry& history, const std::vector<InboxItem>& notify,
                                   const workflow::OpenChange& domain_change) {
  return db_.Write([&](Connection& conn) {
    conn.Prepare(
            "INSERT INTO cases(type, state, subject, reference, parent_id, requester_department_id, "
            "provider_department_id, region_id, step, step_started_at, due_at, responsible_department_id, created_by, "
            "created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")
        .Bind(1, c.type)
        .Bind(2, c.state)
        .Bind(3, c.subject)
        .Bind(4, c.reference)
        .Bind(5, c.parent_id)
        .Bind(6, c.requester_department_id)
        .Bind(7, c.provider_department_id)
        .Bind(8, c.region_id)
        .Bind(9, c.step)
        .Bind(10, c.step_started_at)
        .Bind(11, c.due_at)
        .Bind(12, c.responsible_department_id)
        .Bind(13, c.created_by)
        .Bind(14, c.created_at)
        .Bind(15, c.updated_at)
        .Run();
    c.id = conn.LastInsertId();
    c.version = 1;
    InsertHistory(conn, history, c.id);
    InsertInbox(conn, notify, c.id);
    if (domain_change) {
      SqliteTransaction tx(conn);
      return domain_change(tx, c);  // an error rolls the whole job back (its savepoint)
    }
    return Status::Ok();
  });
}

Result<std::optional<Case>> SqliteCaseStore::GetCase(std::int64_t id) {
  std::optional<Case> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kCaseColumns + " FROM cases WHERE id = ?");
    s.Bind(1, id);
    if (s.Step()) out = ReadCase(s);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<Case>> SqliteCaseStore::ListCases(const workflow::CaseFilter& f, const org::PageRequest& page) {
  auto column = SortColumn({{org::SortField::kId, "id"},
                            {org::SortField::kType, "type"},
                            {org::SortField::kState, "state"},
                            {org::SortField::kSubject, "subject"},
                            {org::SortField::kDueAt, "COALESCE(due_at, 9223372036854775807)"},
                            {org::SortField::kCreatedAt, "created_at"},
                            {org::SortField::kUpdatedAt, "updated_at"}},
                           page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 11, 1);
  std::vector<Case> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kCaseColumns + " FROM cases WHERE " + keyset.where +
                       " AND (?2 IS NULL OR type = ?2) AND (?3 IS NULL OR state = ?3) "
                       "AND (?4 IS NULL OR overdue = ?4) AND (?5 IS NULL OR (due_at IS NOT NULL AND due_at < ?5)) "
                       "AND (?6 = 0 OR closed_at IS NULL) AND (?7 IS NULL OR responsible_department_id = ?7) "
                       "AND ((?8 IS NULL AND ?9 IS NULL) "
                       "  OR (?8 IS NOT NULL AND (requester_department_id = ?8 OR provider_department_id = ?8 "
                       "      OR responsible_department_id = ?8)) "
                       "  OR (?9 IS NOT NULL AND region_id IN (SELECT value FROM json_each(?9)))) "
                       "ORDER BY " +
                       keyset.order_by + " LIMIT ?10");
    BindKeyset(s, page, 11, 1);
    s.Bind(2, f.type)
        .Bind(3, f.state)
        .Bind(4, BoolParam(f.overdue))
        .Bind(5, f.due_before)
        .Bind(6, f.open_only ? 1 : 0)
        .Bind(7, f.responsible_department_id)
        .Bind(8, f.department_id)
        .Bind(9, JsonListParam(f.region_ids))
        .Bind(10, page.limit);
    while (s.Step()) out.push_back(ReadCase(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<HistoryEntry>> SqliteCaseStore::History(std::int64_t case_id) {
  std::vector<HistoryEntry> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(
        "SELECT case_id, actor_id, actor_role, action, from_state, to_state, comment, at FROM case_history WHERE "
        "case_id = ? ORDER BY id");
    s.Bind(1, case_id);
    while (s.Step()) {
      out.push_back({s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Int(7)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<Case>> SqliteCaseStore::OpenSubCases(std::int64_t parent_id) {
  std::vector<Case> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kCaseColumns +
                       " FROM cases WHERE parent_id = ? AND closed_at IS NULL ORDER BY id");
    s.Bind(1, parent_id);
    while (s.Step()) out.push_back(ReadCase(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCaseStore::ApplyTransition(const workflow::TransitionWrite& w) {
  return db_.Write([&](Connection& c) {
    const Case& u = w.updated;
    if (w.idempotency_key) {
      auto s =
          c.Prepare("INSERT OR IGNORE INTO case_idempotency(key, actor_id, case_id, created_at) VALUES (?, ?, ?, ?)");
      s.Bind(1, *w.idempotency_key).Bind(2, w.history.actor_id).Bind(3, u.id).Bind(4, w.history.at).Run();
      if (c.Changes() == 0) return Status::Conflict("duplicate_request", "this Idempotency-Key was already used");
    }
    c.Prepare(
         "UPDATE cases SET state = ?, step = ?, step_started_at = ?, due_at = ?, responsible_department_id = ?, "
         "reminded = ?, overdue = ?, updated_at = ?, closed_at = ?, region_id = ?, version = version + 1 "
         "WHERE id = ? AND version = ?")
        .Bind(1, u.state)
        .Bind(2, u.step)
        .Bind(3, u.step_started_at)
        .Bind(4, u.due_at)
        .Bind(5, u.responsible_department_id)
        .Bind(6, u.reminded ? 1 : 0)
        .Bind(7, u.overdue ? 1 : 0)
        .Bind(8, u.updated_at)
        .Bind(9, u.closed_at)
        .Bind(10, u.region_id)
        .Bind(11, u.id)
        .Bind(12, w.expected_version)
        .Run();
    if (c.Changes() != 1) {
      return Status::Conflict("version_conflict", "the case was changed by someone else; reload and try again",
                              "/version");
    }
    if (w.extend_parent) {
      // Art. 9, 16: one extension at most (the pack's max_extensions), checked in the same transaction.
      c.Prepare(
           "UPDATE cases SET due_at = ?, extensions_used = extensions_used + 1, reminded = 0, overdue = 0, "
           "updated_at = ?, version = version + 1 WHERE id = ? AND extensions_used < ? AND closed_at IS NULL")
          .Bind(1, w.extend_parent->new_due_at)
          .Bind(2, u.updated_at)
          .Bind(3, w.extend_parent->parent_id)
          .Bind(4, w.extend_parent->max_extensions)
          .Run();
      if (c.Changes() != 1) {
        return Status::Conflict("extension_limit", "the case has used all its extensions or is closed");
      }
    }
    InsertHistory(c, w.history, u.id);
    InsertInbox(c, w.notifications, u.id);
    if (w.domain_change) {
      SqliteTransaction tx(c);
      return w.domain_change(tx);  // an error rolls the whole job back (its savepoint)
    }
    return Status::Ok();
  });
}

Result<std::optional<std::int64_t>> SqliteCaseStore::FindIdempotent(const std::string& key, std::int64_t actor_id) {
  std::optional<std::int64_t> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare("SELECT case_id FROM case_idempotency WHERE key = ? AND actor_id = ?");
    s.Bind(1, key).Bind(2, actor_id);
    if (s.Step()) out = s.Int(0);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCaseStore::AddAttachment(workflow::Attachment& a, const HistoryEntry& history) {
  return db_.Write([&](Connection& c) {
    c.Prepare(
         "INSERT INTO case_attachments(case_id, filename, content_type, size, sha256, uploaded_by, uploaded_at) VALUES "
         "(?, ?, ?, ?, ?, ?, ?)")
        .Bind(1, a.case_id)
        .Bind(2, a.filename)
        .Bind(3, a.content_type)
        .Bind(4, a.size)
        .Bind(5, a.sha256)
        .Bind(6, a.uploaded_by)
        .Bind(7, a.uploaded_at)
        .Run();
    a.id = c.LastInsertId();
    InsertHistory(c, history, a.case_id);
    return Status::Ok();
  });
}

Result<std::vector<workflow::Attachment>> SqliteCaseStore::Attachments(std::int64_t case_id) {
  std::vector<workflow::Attachment> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(
        "SELECT id, case_id, filename, content_type, size, sha256, uploaded_by, uploaded_at FROM case_attachments "
        "WHERE case_id = ? ORDER BY id");
    s.Bind(1, case_id);
    while (s.Step()) {
      out.push_back({s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Int(4), s.Text(5), s.Int(6), s.Int(7)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<Case>> SqliteCaseStore::CasesDueBefore(workflow::UnixSeconds until) {
  std::vector<Case> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kCaseColumns +
                       " FROM cases WHERE closed_at IS NULL AND due_at IS NOT NULL AND due_at <= ? AND overdue = 0 "
                       "ORDER BY due_at");
    s.Bind(1, until);
    while (s.Step()) out.push_back(ReadCase(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCaseStore::MarkReminded(std::int64_t case_id, const std::vector<InboxItem>& notify) {
  return db_.Write([&](Connection& c) {
    c.Prepare("UPDATE cases SET reminded = 1 WHERE id = ? AND reminded = 0").Bind(1, case_id).Run();
    if (c.Changes() == 1) InsertInbox(c, notify, case_id);
    return Status::Ok();
  });
}

Status SqliteCaseStore::MarkOverdue(const workflow::OverdueEvidence& e, const std::vector<InboxItem>& notify) {
  return db_.Write([&](Connection& c) {
    c.Prepare("UPDATE cases SET overdue = 1 WHERE id = ? AND overdue = 0 AND due_at = ?")
        .Bind(1, e.case_id)
        .Bind(2, e.due_at)
        .Run();
    if (c.Changes() != 1) return Status::Ok();  // already marked, or the deadline moved meanwhile
    c.Prepare(
         "INSERT OR IGNORE INTO overdue_evidence(case_id, step, responsible_department_id, due_at, detected_at, "
         "working_days_late) VALUES (?, ?, ?, ?, ?, ?)")
        .Bind(1, e.case_id)
        .Bind(2, e.step)
        .Bind(3, e.responsible_department_id)
        .Bind(4, e.due_at)
        .Bind(5, e.detected_at)
        .Bind(6, e.working_days_late)
        .Run();
    InsertInbox(c, notify, e.case_id);
    return Status::Ok();
  });
}

Result<std::vector<workflow::OverdueEvidence>> SqliteCaseStore::ListOverdueEvidence(
    std::optional<std::int64_t> case_id) {
  std::vector<workflow::OverdueEvidence> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(
        "SELECT case_id, step, responsible_department_id, due_at, detected_at, working_days_late FROM "
        "overdue_evidence WHERE (?1 IS NULL OR case_id = ?1) ORDER BY id");
    s.Bind(1, case_id);
    while (s.Step()) {
      out.push_back({s.Int(0), s.Text(1), s.OptInt(2), s.Int(3), s.Int(4), static_cast<int>(s.Int(5))});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<workflow::DeadlineCompliance> SqliteCaseStore::CountDeadlineCompliance(const std::vector<std::string>& types) {
  workflow::DeadlineCompliance out;
  auto status = db_.Read([&](Connection& c) {
    // Escalation is recorded as the authority's "escalated" notification; lateness as the overdue mark or evidence.
    auto s = c.Prepare(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM inbox i WHERE i.case_id = c.id AND i.kind = 'escalated') THEN 2 "
        "WHEN c.overdue = 1 OR EXISTS (SELECT 1 FROM overdue_evidence e WHERE e.case_id = c.id) THEN 1 ELSE 0 END AS "
        "outcome, COUNT(*) FROM cases c WHERE c.type IN (SELECT value FROM json_each(?1)) GROUP BY outcome");
    s.Bind(1, JsonListParam(types));
    while (s.Step()) {
      const auto n = s.Int(1);
      switch (s.Int(0)) {
        case 2:
          out.escalated = n;
          break;
        case 1:
          out.overdue = n;
          break;
        default:
          out.on_time = n;
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<workflow::DepartmentOverdue>> SqliteCaseStore::CountOverdueByDepartment() {
  std::vector<workflow::DepartmentOverdue> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(
        "SELECT e.responsible_department_id, d.name, COUNT(DISTINCT e.case_id) AS n FROM overdue_evidence e "
        "JOIN departments d ON d.id = e.responsible_department_id GROUP BY e.responsible_department_id "
        "ORDER BY n DESC, e.responsible_department_id");
    while (s.Step()) out.push_back({s.Int(0), s.Text(1), s.Int(2)});
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCaseStore::CreateWebhook(workflow::Webhook& w) {
  return db_.Write([&](Connection& c) {
    c.Prepare(
         "INSERT INTO webhooks(department_id, url, secret, active, created_by, created_at) VALUES (?, ?, ?, 1, ?, ?)")
        .Bind(1, w.department_id)
        .Bind(2, w.url)
        .Bind(3, w.secret)
        .Bind(4, w.created_by)
        .Bind(5, w.created_at)
        .Run();
    w.id = c.LastInsertId();
    return Status::Ok();
  });
}

Result<std::vector<workflow::Webhook>> SqliteCaseStore::ListWebhooks(std::int64_t department_id) {
  std::vector<workflow::Webhook> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(
        "SELECT id, department_id, url, secret, active, created_by, created_at FROM webhooks WHERE department_id = ? "
        "ORDER BY id");
    s.Bind(1, department_id);
    while (s.Step()) out.push_back({s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Int(4) != 0, s.Int(5), s.Int(6)});
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCaseStore::DeactivateWebhook(std::int64_t department_id, std::int64_t webhook_id) {
  return db_.Write([&](Connection& c) {
    c.Prepare("UPDATE webhooks SET active = 0 WHERE id = ? AND department_id = ?")
        .Bind(1, webhook_id)
        .Bind(2, department_id)
        .Run();
    if (c.Changes() != 1) return Status::NotFound("no such webhook for this department");
    // Nothing more is sent to a removed endpoint.
    c.Prepare(
         "UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook removed' WHERE webhook_id = ? AND "
         "status = 'pending'")
        .Bind(1, webhook_id)
        .Run();
    return Status::Ok();
  });
}

Result<std::vector<workflow::Delivery>> SqliteCaseStore::DueDeliveries(workflow::UnixSeconds now, int limit) {
  std::vector<workflow::Delivery> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kDeliveryColumns +
                       " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.status = 'pending' "
                       "AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?");
    s.Bind(1, now).Bind(2, limit);
    while (s.Step()) out.push_back(ReadDelivery(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCaseStore::RecordAttempt(std::int64_t delivery_id, bool delivered, std::optional<std::int64_t> status,
                                      std::optional<std::string> error,
                                      std::optional<workflow::UnixSeconds> next_attempt_at, workflow::UnixSeconds now) {
  return db_.Write([&](Connection& c) {
    const char* state = delivered ? "delivered" : (next_attempt_at ? "pending" : "failed");
    c.Prepare(
         "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?, "
         "next_attempt_at = COALESCE(?, next_attempt_at), delivered_at = ? WHERE id = ? AND status = 'pending'")
        .Bind(1, state)
        .Bind(2, status)
        .Bind(3, error)
        .Bind(4, next_attempt_at)
        .Bind(5, delivered ? std::optional<std::int64_t>(now) : std::nullopt)
        .Bind(6, delivery_id)
        .Run();
    return Status::Ok();
  });
}

Result<std::vector<workflow::Delivery>> SqliteCaseStore::ListDeliveries(std::int64_t webhook_id,
                                                                        const org::PageRequest& page) {
  std::vector<workflow::Delivery> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(std::string("SELECT ") + kDeliveryColumns +
                       " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.webhook_id = ? AND "
                       "d.id > ? ORDER BY d.id LIMIT ?");
    s.Bind(1, webhook_id).Bind(2, page.after_id).Bind(3, page.limit);
    while (s.Step()) out.push_back(ReadDelivery(s));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<InboxItem>> SqliteCaseStore::ListInbox(std::int64_t user_id, std::int64_t department_id,
                                                          bool unread_only, const org::PageRequest& page) {
  auto column = SortColumn(
      {{org::SortField::kId, "id"}, {org::SortField::kKind, "kind"}, {org::SortField::kCreatedAt, "created_at"}},
      page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 6, 1);
  std::vector<InboxItem> out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(
        "SELECT id, user_id, department_id, case_id, kind, message, created_at, read_at FROM inbox WHERE " +
        keyset.where +
        " AND (user_id = ?2 OR (user_id IS NULL AND department_id = ?3)) AND (?4 = 0 OR read_at IS NULL) ORDER BY " +
        keyset.order_by + " LIMIT ?5");
    BindKeyset(s, page, 6, 1);
    s.Bind(2, user_id).Bind(3, department_id).Bind(4, unread_only ? 1 : 0).Bind(5, page.limit);
    while (s.Step()) {
      out.push_back({s.Int(0), s.OptInt(1), s.OptInt(2), s.OptInt(3), s.Text(4), s.Text(5), s.Int(6), s.OptInt(7)});
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Status SqliteCaseStore::MarkInboxRead(std::int64_t item_id, std::int64_t user_id, std::int64_t department_id,
                                      workflow::UnixSeconds at) {
  return db_.Write([&](Connection& c) {
    c.Prepare(
         "UPDATE inbox SET read_at = COALESCE(read_at, ?) WHERE id = ? AND (user_id = ? OR (user_id IS NULL AND "
         "department_id = ?))")
        .Bind(1, at)
        .Bind(2, item_id)
        .Bind(3, user_id)
        .Bind(4, department_id)
        .Run();
    return c.Changes() == 1 ? Status::Ok() : Status::NotFound("no such inbox item");
  });
}

}  // namespace govshare::store::sqlite
