#include "store/sqlite/case_store_sqlite.hpp"

#include "store/case_rows.hpp"
#include "store/rows.hpp"
#include "store/sqlite/sql_params.hpp"

namespace govshare::store::sqlite {

using common::Result;
using common::Status;
using workflow::Case;
using workflow::HistoryEntry;
using workflow::InboxItem;

namespace {

void InsertHistory(Connection& c, const HistoryEntry& h, std::int64_t case_id) {
  auto s = c.Prepare(std::string("INSERT INTO case_history(") + kHistoryColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  BindHistory(s, h, case_id);
  s.Run();
}

/// Inserts inbox items and, in the same transaction, one webhook delivery per active webhook of the item's
/// department: a durable outbox, so a notification is sent if and only if the change that caused it committed.
void InsertInbox(Connection& c, const std::vector<InboxItem>& items, std::int64_t case_id) {
  for (const auto& i : items) {
    const std::int64_t item_case = i.case_id.value_or(case_id);
    auto insert = c.Prepare(std::string("INSERT INTO inbox(") + kNewInboxColumns + ") VALUES (?, ?, ?, ?, ?, ?)");
    BindInboxItem(insert, i, item_case);
    insert.Run();
    if (!i.department_id) continue;
    const std::int64_t inbox_id = c.LastInsertId();
    c.Prepare(
         "INSERT INTO webhook_deliveries(webhook_id, inbox_id, event, payload, status, next_attempt_at, created_at) "
         "SELECT id, ?, ?, ?, 'pending', ?, ? FROM webhooks WHERE department_id = ? AND active = 1")
        .Bind(1, inbox_id)
        .Bind(2, i.kind)
        .Bind(3, InboxEventPayload(i, inbox_id, item_case, *i.department_id))
        .Bind(4, i.created_at)
        .Bind(5, i.created_at)
        .Bind(6, *i.department_id)
        .Run();
  }
}

std::optional<std::int64_t> BoolParam(const std::optional<bool>& b) {
  if (!b) return std::nullopt;
  return *b ? 1 : 0;
}

}  // namespace

Status SqliteCaseStore::CreateCase(Case& c, const HistoryEntry& history, const std::vector<InboxItem>& notify,
                                   const workflow::OpenChange& domain_change) {
  return db_.Write([&](Connection& conn) {
    auto insert = conn.Prepare(std::string("INSERT INTO cases(") + kNewCaseColumns +
                               ", version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)");
    BindNewCase(insert, c);
    insert.Run();
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
  return SelectRow<Case>(
      db_, std::string("SELECT ") + kCaseColumns + " FROM cases WHERE id = ?", [&](Statement& s) { s.Bind(1, id); },
      ReadCase<Statement>);
}

Result<std::vector<Case>> SqliteCaseStore::ListCases(const workflow::CaseFilter& f, const org::PageRequest& page) {
  auto column = CaseSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 11, 1);
  return SelectRows<Case>(
      db_,
      std::string("SELECT ") + kCaseColumns + " FROM cases WHERE " + keyset.where +
          " AND (?2 IS NULL OR type = ?2) AND (?3 IS NULL OR state = ?3) "
          "AND (?4 IS NULL OR overdue = ?4) AND (?5 IS NULL OR (due_at IS NOT NULL AND due_at < ?5)) "
          "AND (?6 = 0 OR closed_at IS NULL) AND (?7 IS NULL OR responsible_department_id = ?7) "
          "AND ((?8 IS NULL AND ?9 IS NULL) "
          "  OR (?8 IS NOT NULL AND (requester_department_id = ?8 OR provider_department_id = ?8 "
          "      OR responsible_department_id = ?8)) "
          "  OR (?9 IS NOT NULL AND region_id IN (SELECT value FROM json_each(?9)))) "
          "ORDER BY " +
          keyset.order_by + " LIMIT ?10",
      [&](Statement& s) {
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
      },
      ReadCase<Statement>);
}

Result<std::vector<HistoryEntry>> SqliteCaseStore::History(std::int64_t case_id) {
  return SelectRows<HistoryEntry>(
      db_, std::string("SELECT ") + kHistoryColumns + " FROM case_history WHERE case_id = ? ORDER BY id",
      [&](Statement& s) { s.Bind(1, case_id); }, ReadHistory<Statement>);
}

Result<std::vector<Case>> SqliteCaseStore::OpenSubCases(std::int64_t parent_id) {
  return SelectRows<Case>(
      db_, std::string("SELECT ") + kCaseColumns + " FROM cases WHERE parent_id = ? AND closed_at IS NULL ORDER BY id",
      [&](Statement& s) { s.Bind(1, parent_id); }, ReadCase<Statement>);
}

Status SqliteCaseStore::ApplyTransition(const workflow::TransitionWrite& w) {
  return db_.Write([&](Connection& c) {
    const Case& u = w.updated;
    if (w.idempotency_key) {
      auto s =
          c.Prepare("INSERT OR IGNORE INTO case_idempotency(key, actor_id, case_id, created_at) VALUES (?, ?, ?, ?)");
      s.Bind(1, *w.idempotency_key).Bind(2, w.history.actor_id).Bind(3, u.id).Bind(4, w.history.at).Run();
      if (c.Changes() == 0) return DuplicateRequest();
    }
    auto update = c.Prepare(
        "UPDATE cases SET state = ?, step = ?, step_started_at = ?, due_at = ?, responsible_department_id = ?, "
        "reminded = ?, overdue = ?, updated_at = ?, closed_at = ?, region_id = ?, version = version + 1 "
        "WHERE id = ? AND version = ?");
    BindTransition(update, w);
    update.Run();
    if (c.Changes() != 1) {
      return CaseVersionConflict();
    }
    if (w.extend_parent) {
      // Art. 9, 16: one extension at most (the pack's max_extensions), checked in the same transaction.
      auto extend = c.Prepare(
          "UPDATE cases SET due_at = ?, extensions_used = extensions_used + 1, reminded = 0, overdue = 0, "
          "updated_at = ?, version = version + 1 WHERE id = ? AND extensions_used < ? AND closed_at IS NULL");
      BindExtension(extend, w);
      extend.Run();
      if (c.Changes() != 1) {
        return ExtensionLimit();
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
  return SelectRow<std::int64_t>(
      db_, "SELECT case_id FROM case_idempotency WHERE key = ? AND actor_id = ?",
      [&](Statement& s) { s.Bind(1, key).Bind(2, actor_id); }, [](const Statement& s) { return s.Int(0); });
}

Status SqliteCaseStore::AddAttachment(workflow::Attachment& a, const HistoryEntry& history) {
  return db_.Write([&](Connection& c) {
    auto insert = c.Prepare(std::string("INSERT INTO case_attachments(") + kNewAttachmentColumns +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    BindAttachment(insert, a);
    insert.Run();
    a.id = c.LastInsertId();
    InsertHistory(c, history, a.case_id);
    return Status::Ok();
  });
}

Result<std::vector<workflow::Attachment>> SqliteCaseStore::Attachments(std::int64_t case_id) {
  return SelectRows<workflow::Attachment>(
      db_, std::string("SELECT ") + kAttachmentColumns + " FROM case_attachments WHERE case_id = ? ORDER BY id",
      [&](Statement& s) { s.Bind(1, case_id); }, ReadAttachment<Statement>);
}

Result<std::vector<Case>> SqliteCaseStore::CasesDueBefore(workflow::UnixSeconds until) {
  return SelectRows<Case>(
      db_,
      std::string("SELECT ") + kCaseColumns +
          " FROM cases WHERE closed_at IS NULL AND due_at IS NOT NULL AND due_at <= ? AND overdue = 0 "
          "ORDER BY due_at, id",
      [&](Statement& s) { s.Bind(1, until); }, ReadCase<Statement>);
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
    auto insert = c.Prepare(std::string("INSERT OR IGNORE INTO overdue_evidence(") + kEvidenceColumns +
                            ") VALUES (?, ?, ?, ?, ?, ?)");
    BindEvidence(insert, e);
    insert.Run();
    InsertInbox(c, notify, e.case_id);
    return Status::Ok();
  });
}

Result<std::vector<workflow::OverdueEvidence>> SqliteCaseStore::ListOverdueEvidence(
    std::optional<std::int64_t> case_id) {
  return SelectRows<workflow::OverdueEvidence>(
      db_,
      std::string("SELECT ") + kEvidenceColumns +
          " FROM overdue_evidence WHERE (?1 IS NULL OR case_id = ?1) ORDER BY id",
      [&](Statement& s) { s.Bind(1, case_id); }, ReadEvidence<Statement>);
}

Result<workflow::DeadlineCompliance> SqliteCaseStore::CountDeadlineCompliance(const std::vector<std::string>& types) {
  workflow::DeadlineCompliance out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(DeadlineComplianceSql("c.overdue = 1", "c.type IN (SELECT value FROM json_each(?1))"));
    s.Bind(1, JsonListParam(types));
    while (s.Step()) AddComplianceRow(s, out);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<workflow::DepartmentOverdue>> SqliteCaseStore::CountOverdueByDepartment() {
  return SelectRows<workflow::DepartmentOverdue>(
      db_, kOverdueByDepartmentSql, [](Statement&) {}, ReadDepartmentOverdue<Statement>);
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
  return SelectRows<workflow::Webhook>(
      db_, std::string("SELECT ") + kWebhookColumns + " FROM webhooks WHERE department_id = ? ORDER BY id",
      [&](Statement& s) { s.Bind(1, department_id); }, ReadWebhook<Statement>);
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
  return SelectRows<workflow::Delivery>(
      db_,
      std::string("SELECT ") + kDeliveryColumns + " FROM " + kDeliveryJoin +
          " WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?",
      [&](Statement& s) { s.Bind(1, now).Bind(2, limit); }, ReadDelivery<Statement>);
}

Status SqliteCaseStore::RecordAttempt(std::int64_t delivery_id, bool delivered, std::optional<std::int64_t> status,
                                      std::optional<std::string> error,
                                      std::optional<workflow::UnixSeconds> next_attempt_at, workflow::UnixSeconds now) {
  return db_.Write([&](Connection& c) {
    const char* state = DeliveryStateAfter(delivered, next_attempt_at.has_value());
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
  return SelectRows<workflow::Delivery>(
      db_,
      std::string("SELECT ") + kDeliveryColumns + " FROM " + kDeliveryJoin +
          " WHERE d.webhook_id = ? AND d.id > ? ORDER BY d.id LIMIT ?",
      [&](Statement& s) { s.Bind(1, webhook_id).Bind(2, page.after_id).Bind(3, page.limit); }, ReadDelivery<Statement>);
}

Result<std::vector<InboxItem>> SqliteCaseStore::ListInbox(std::int64_t user_id, std::int64_t department_id,
                                                          bool unread_only, const org::PageRequest& page) {
  auto column = InboxSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 6, 1);
  return SelectRows<InboxItem>(
      db_,
      std::string("SELECT ") + kInboxColumns + " FROM inbox WHERE " + keyset.where +
          " AND (user_id = ?2 OR (user_id IS NULL AND department_id = ?3)) AND (?4 = 0 OR read_at IS NULL) ORDER BY " +
          keyset.order_by + " LIMIT ?5",
      [&](Statement& s) {
        BindKeyset(s, page, 6, 1);
        s.Bind(2, user_id).Bind(3, department_id).Bind(4, unread_only ? 1 : 0).Bind(5, page.limit);
      },
      ReadInboxItem<Statement>);
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
