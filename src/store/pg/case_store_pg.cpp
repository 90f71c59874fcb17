#include "store/pg/case_store_pg.hpp"

#include "store/case_rows.hpp"
#include "store/pg/keyset.hpp"
#include "store/rows.hpp"

namespace govshare::store::pg {

using common::Result;
using common::Status;
using workflow::Case;
using workflow::HistoryEntry;
using workflow::InboxItem;

namespace {

void InsertHistory(Connection& c, const HistoryEntry& h, std::int64_t case_id) {
  auto s = c.Prepare(std::string("INSERT INTO case_history(") + kHistoryColumns +
                     ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
  BindHistory(s, h, case_id);
  s.Run();
}

/// Inserts inbox items and, in the same transaction, one webhook delivery per active webhook of the item's
/// department: a durable outbox, so a notification is sent if and only if the change that caused it committed.
void InsertInbox(Connection& c, const std::vector<InboxItem>& items, std::int64_t case_id) {
  for (const auto& i : items) {
    const std::int64_t item_case = i.case_id.value_or(case_id);
    auto insert = c.Prepare(std::string("INSERT INTO inbox(") + kNewInboxColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
    BindInboxItem(insert, i, item_case);
    insert.Step();
    if (!i.department_id) continue;
    const std::int64_t inbox_id = insert.Int(0);
    // The SELECT's parameters are cast: PostgreSQL does not type them from the INSERT's columns.
    c.Prepare(
         "INSERT INTO webhook_deliveries(webhook_id, inbox_id, event, payload, status, next_attempt_at, created_at) "
         "SELECT id, $1::bigint, $2::text, $3::text, 'pending', $4::bigint, $5::bigint FROM webhooks "
         "WHERE department_id = $6 AND active")
        .Bind(1, inbox_id)
        .Bind(2, i.kind)
        .Bind(3, InboxEventPayload(i, inbox_id, item_case, *i.department_id))
        .Bind(4, i.created_at)
        .Bind(5, i.created_at)
        .Bind(6, *i.department_id)
        .Run();
  }
}

void BindFlag(Statement& s, int index, const std::optional<bool>& flag) {
  if (flag) {
    s.Bind(index, *flag);
  } else {
    s.BindNull(index);
  }
}

}  // namespace

Status PgCaseStore::CreateCase(Case& c, const HistoryEntry& history, const std::vector<InboxItem>& notify,
                               const workflow::OpenChange& domain_change) {
  return db_.Write([&](Connection& conn) {
    auto s = conn.Prepare(std::string("INSERT INTO cases(") + kNewCaseColumns +
                          ", version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1) "
                          "RETURNING id");
    BindNewCase(s, c);
    s.Step();
    c.id = s.Int(0);
    c.version = 1;
    InsertHistory(conn, history, c.id);
    InsertInbox(conn, notify, c.id);
    if (domain_change) {
      PgTransaction tx(conn);
      auto attempt = domain_change;  // a fresh copy per attempt: a retried transaction starts from the caller's state
      return attempt(tx, c);         // an error rolls the whole transaction back
    }
    return Status::Ok();
  });
}

Result<std::optional<Case>> PgCaseStore::GetCase(std::int64_t id) {
  return SelectRow<Case>(
      db_, std::string("SELECT ") + kCaseColumns + " FROM cases WHERE id = $1", [&](Statement& s) { s.Bind(1, id); },
      ReadCase<Statement>);
}

Result<std::vector<Case>> PgCaseStore::ListCases(const workflow::CaseFilter& f, const org::PageRequest& page) {
  auto column = CaseSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 11, 1);
  return SelectRows<Case>(
      db_,
      std::string("SELECT ") + kCaseColumns + " FROM cases WHERE " + keyset.where +
          " AND ($2::text IS NULL OR type = $2) AND ($3::text IS NULL OR state = $3) "
          "AND ($4::boolean IS NULL OR overdue = $4) "
          "AND ($5::bigint IS NULL OR (due_at IS NOT NULL AND due_at < $5)) "
          "AND (NOT $6::boolean OR closed_at IS NULL) "
          "AND ($7::bigint IS NULL OR responsible_department_id = $7) "
          "AND (($8::bigint IS NULL AND $9::text[] IS NULL) "
          "  OR ($8 IS NOT NULL AND (requester_department_id = $8 OR provider_department_id = $8 "
          "      OR responsible_department_id = $8)) "
          "  OR ($9 IS NOT NULL AND region_id = ANY($9))) "
          "ORDER BY " +
          keyset.order_by + Limit(10),
      [&](Statement& s) {
        BindKeyset(s, page, 11, 1);
        s.Bind(2, f.type).Bind(3, f.state);
        BindFlag(s, 4, f.overdue);
        s.Bind(5, f.due_before)
            .Bind(6, f.open_only)
            .Bind(7, f.responsible_department_id)
            .Bind(8, f.department_id)
            .Bind(9, f.region_ids)
            .Bind(10, page.limit);
      },
      ReadCase<Statement>);
}

Result<std::vector<HistoryEntry>> PgCaseStore::History(std::int64_t case_id) {
  return SelectRows<HistoryEntry>(
      db_, std::string("SELECT ") + kHistoryColumns + " FROM case_history WHERE case_id = $1 ORDER BY id",
      [&](Statement& s) { s.Bind(1, case_id); }, ReadHistory<Statement>);
}

Result<std::vector<Case>> PgCaseStore::OpenSubCases(std::int64_t parent_id) {
  return SelectRows<Case>(
      db_, std::string("SELECT ") + kCaseColumns + " FROM cases WHERE parent_id = $1 AND closed_at IS NULL ORDER BY id",
      [&](Statement& s) { s.Bind(1, parent_id); }, ReadCase<Statement>);
}

Status PgCaseStore::ApplyTransition(const workflow::TransitionWrite& w) {
  return db_.Write([&](Connection& c) {
    const Case& u = w.updated;
    if (w.idempotency_key) {
      auto s = c.Prepare(
          "INSERT INTO case_idempotency(key, actor_id, case_id, created_at) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT DO NOTHING");
      s.Bind(1, *w.idempotency_key).Bind(2, w.history.actor_id).Bind(3, u.id).Bind(4, w.history.at).Run();
      if (s.Changes() == 0) return DuplicateRequest();
    }
    auto update = c.Prepare(
        "UPDATE cases SET state = $1, step = $2, step_started_at = $3, due_at = $4, responsible_department_id = $5, "
        "reminded = $6, overdue = $7, updated_at = $8, closed_at = $9, region_id = $10, version = version + 1 "
        "WHERE id = $11 AND version = $12");
    BindTransition(update, w);
    update.Run();
    if (update.Changes() != 1) {
      return CaseVersionConflict();
    }
    if (w.extend_parent) {
      // Art. 9, 16: one extension at most (the pack's max_extensions), checked in the same transaction.
      auto extend = c.Prepare(
          "UPDATE cases SET due_at = $1, extensions_used = extensions_used + 1, reminded = false, overdue = false, "
          "updated_at = $2, version = version + 1 WHERE id = $3 AND extensions_used < $4 AND closed_at IS NULL");
      BindExtension(extend, w);
      extend.Run();
      if (extend.Changes() != 1) {
        return ExtensionLimit();
      }
    }
    InsertHistory(c, w.history, u.id);
    InsertInbox(c, w.notifications, u.id);
    if (w.domain_change) {
      PgTransaction tx(c);
      auto attempt = w.domain_change;  // a fresh copy per attempt: a retried transaction starts from the caller's state
      return attempt(tx);              // an error rolls the whole transaction back
    }
    return Status::Ok();
  });
}

Result<std::optional<std::int64_t>> PgCaseStore::FindIdempotent(const std::string& key, std::int64_t actor_id) {
  return SelectRow<std::int64_t>(
      db_, "SELECT case_id FROM case_idempotency WHERE key = $1 AND actor_id = $2",
      [&](Statement& s) { s.Bind(1, key).Bind(2, actor_id); }, [](const Statement& s) { return s.Int(0); });
}

Status PgCaseStore::AddAttachment(workflow::Attachment& a, const HistoryEntry& history) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(std::string("INSERT INTO case_attachments(") + kNewAttachmentColumns +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id");
    BindAttachment(s, a);
    s.Step();
    a.id = s.Int(0);
    InsertHistory(c, history, a.case_id);
    return Status::Ok();
  });
}

Result<std::vector<workflow::Attachment>> PgCaseStore::Attachments(std::int64_t case_id) {
  return SelectRows<workflow::Attachment>(
      db_, std::string("SELECT ") + kAttachmentColumns + " FROM case_attachments WHERE case_id = $1 ORDER BY id",
      [&](Statement& s) { s.Bind(1, case_id); }, ReadAttachment<Statement>);
}

Result<std::vector<Case>> PgCaseStore::CasesDueBefore(workflow::UnixSeconds until) {
  return SelectRows<Case>(
      db_,
      std::string("SELECT ") + kCaseColumns +
          " FROM cases WHERE closed_at IS NULL AND due_at IS NOT NULL AND due_at <= $1 AND NOT overdue "
          "ORDER BY due_at, id",
      [&](Statement& s) { s.Bind(1, until); }, ReadCase<Statement>);
}

Status PgCaseStore::MarkReminded(std::int64_t case_id, const std::vector<InboxItem>& notify) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare("UPDATE cases SET reminded = true WHERE id = $1 AND NOT reminded");
    s.Bind(1, case_id).Run();
    if (s.Changes() == 1) InsertInbox(c, notify, case_id);
    return Status::Ok();
  });
}

Status PgCaseStore::MarkOverdue(const workflow::OverdueEvidence& e, const std::vector<InboxItem>& notify) {
  return db_.Write([&](Connection& c) {
    auto mark = c.Prepare("UPDATE cases SET overdue = true WHERE id = $1 AND NOT overdue AND due_at = $2");
    mark.Bind(1, e.case_id).Bind(2, e.due_at).Run();
    if (mark.Changes() != 1) return Status::Ok();  // already marked, or the deadline moved meanwhile
    auto insert = c.Prepare(std::string("INSERT INTO overdue_evidence(") + kEvidenceColumns +
                            ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING");
    BindEvidence(insert, e);
    insert.Run();
    InsertInbox(c, notify, e.case_id);
    return Status::Ok();
  });
}

Result<std::vector<workflow::OverdueEvidence>> PgCaseStore::ListOverdueEvidence(std::optional<std::int64_t> case_id) {
  return SelectRows<workflow::OverdueEvidence>(
      db_,
      std::string("SELECT ") + kEvidenceColumns +
          " FROM overdue_evidence WHERE ($1::bigint IS NULL OR case_id = $1) ORDER BY id",
      [&](Statement& s) { s.Bind(1, case_id); }, ReadEvidence<Statement>);
}

Result<workflow::DeadlineCompliance> PgCaseStore::CountDeadlineCompliance(const std::vector<std::string>& types) {
  workflow::DeadlineCompliance out;
  auto status = db_.Read([&](Connection& c) {
    auto s = c.Prepare(DeadlineComplianceSql("c.overdue", "c.type = ANY($1::text[])"));
    s.Bind(1, std::optional<std::vector<std::string>>(types));
    while (s.Step()) AddComplianceRow(s, out);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<workflow::DepartmentOverdue>> PgCaseStore::CountOverdueByDepartment() {
  return SelectRows<workflow::DepartmentOverdue>(
      db_, kOverdueByDepartmentSql, [](Statement&) {}, ReadDepartmentOverdue<Statement>);
}

Status PgCaseStore::CreateWebhook(workflow::Webhook& w) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "INSERT INTO webhooks(department_id, url, secret, active, created_by, created_at) VALUES ($1, $2, $3, true, "
        "$4, "
        "$5) RETURNING id");
    s.Bind(1, w.department_id).Bind(2, w.url).Bind(3, w.secret).Bind(4, w.created_by).Bind(5, w.created_at);
    s.Step();
    w.id = s.Int(0);
    return Status::Ok();
  });
}

Result<std::vector<workflow::Webhook>> PgCaseStore::ListWebhooks(std::int64_t department_id) {
  return SelectRows<workflow::Webhook>(
      db_, std::string("SELECT ") + kWebhookColumns + " FROM webhooks WHERE department_id = $1 ORDER BY id",
      [&](Statement& s) { s.Bind(1, department_id); }, ReadWebhook<Statement>);
}

Status PgCaseStore::DeactivateWebhook(std::int64_t department_id, std::int64_t webhook_id) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare("UPDATE webhooks SET active = false WHERE id = $1 AND department_id = $2");
    s.Bind(1, webhook_id).Bind(2, department_id).Run();
    if (s.Changes() != 1) return Status::NotFound("no such webhook for this department");
    // Nothing more is sent to a removed endpoint.
    c.Prepare(
         "UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook removed' WHERE webhook_id = $1 AND "
         "status = 'pending'")
        .Bind(1, webhook_id)
        .Run();
    return Status::Ok();
  });
}

Result<std::vector<workflow::Delivery>> PgCaseStore::DueDeliveries(workflow::UnixSeconds now, int limit) {
  return SelectRows<workflow::Delivery>(
      db_,
      std::string("SELECT ") + kDeliveryColumns + " FROM " + kDeliveryJoin +
          " WHERE d.status = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id" + Limit(2),
      [&](Statement& s) { s.Bind(1, now).Bind(2, limit); }, ReadDelivery<Statement>);
}

Status PgCaseStore::RecordAttempt(std::int64_t delivery_id, bool delivered, std::optional<std::int64_t> status,
                                  std::optional<std::string> error,
                                  std::optional<workflow::UnixSeconds> next_attempt_at, workflow::UnixSeconds now) {
  return db_.Write([&](Connection& c) {
    c.Prepare(
         "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, last_status = $2, last_error = $3, "
         "next_attempt_at = COALESCE($4, next_attempt_at), delivered_at = $5 WHERE id = $6 AND status = 'pending'")
        .Bind(1, DeliveryStateAfter(delivered, next_attempt_at.has_value()))
        .Bind(2, status)
        .Bind(3, error)
        .Bind(4, next_attempt_at)
        .Bind(5, delivered ? std::optional<std::int64_t>(now) : std::nullopt)
        .Bind(6, delivery_id)
        .Run();
    return Status::Ok();
  });
}

Result<std::vector<workflow::Delivery>> PgCaseStore::ListDeliveries(std::int64_t webhook_id,
                                                                    const org::PageRequest& page) {
  return SelectRows<workflow::Delivery>(
      db_,
      std::string("SELECT ") + kDeliveryColumns + " FROM " + kDeliveryJoin +
          " WHERE d.webhook_id = $1 AND d.id > $2 ORDER BY d.id" + Limit(3),
      [&](Statement& s) { s.Bind(1, webhook_id).Bind(2, page.after_id).Bind(3, page.limit); }, ReadDelivery<Statement>);
}

Result<std::vector<InboxItem>> PgCaseStore::ListInbox(std::int64_t user_id, std::int64_t department_id,
                                                      bool unread_only, const org::PageRequest& page) {
  auto column = InboxSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 6, 1);
  return SelectRows<InboxItem>(
      db_,
      std::string("SELECT ") + kInboxColumns + " FROM inbox WHERE " + keyset.where +
          " AND (user_id = $2 OR (user_id IS NULL AND department_id = $3)) AND (NOT $4::boolean OR read_at IS NULL) "
          "ORDER BY " +
          keyset.order_by + Limit(5),
      [&](Statement& s) {
        BindKeyset(s, page, 6, 1);
        s.Bind(2, user_id).Bind(3, department_id).Bind(4, unread_only).Bind(5, page.limit);
      },
      ReadInboxItem<Statement>);
}

Status PgCaseStore::MarkInboxRead(std::int64_t item_id, std::int64_t user_id, std::int64_t department_id,
                                  workflow::UnixSeconds at) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "UPDATE inbox SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND (user_id = $3 OR (user_id IS NULL AND "
        "department_id = $4))");
    s.Bind(1, at).Bind(2, item_id).Bind(3, user_id).Bind(4, department_id).Run();
    return s.Changes() == 1 ? Status::Ok() : Status::NotFound("no such inbox item");
  });
}

}  // namespace govshare::store::pg
