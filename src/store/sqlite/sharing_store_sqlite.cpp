#include "store/sqlite/sharing_store_sqlite.hpp"

#include "store/rows.hpp"
#include "store/sharing_rows.hpp"
#include "store/sqlite/sql_params.hpp"

namespace govshare::store::sqlite {

using common::Result;
using common::Status;
using namespace govshare::sharing;  // NOLINT(google-build-using-namespace): the implementation file of the store

Status SqliteSharingStore::InWrite(store::Transaction* tx, const Database::WriteJob& job) {
  if (tx != nullptr) return job(static_cast<SqliteTransaction*>(tx)->connection);
  return db_.Write(job);
}

Status SqliteSharingStore::PutRequest(store::Transaction* tx, ShareRequest& r) {
  return InWrite(tx, [&](Connection& c) {
    if (r.id == 0) {
      auto s = c.Prepare(std::string("INSERT INTO share_requests(") + kRequestColumns +
                         ") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      BindNewRequest(s, r);
      s.Run();
      r.id = c.LastInsertId();
      return Status::Ok();
    }
    auto s = c.Prepare(
        "UPDATE share_requests SET state = ?, case_id = ?, terms = ?, refusal_reasons = ?, objection = ?, "
        "decision = ?, grant_id = ?, updated_at = ? WHERE id = ?");
    BindRequestUpdate(s, r);
    s.Run();
    return c.Changes() == 1 ? Status::Ok() : Status::NotFound("no such request");
  });
}

Result<std::optional<ShareRequest>> SqliteSharingStore::GetRequest(std::int64_t id) {
  return SelectRow<ShareRequest>(
      db_, std::string("SELECT ") + kRequestColumns + " FROM share_requests WHERE id = ?",
      [&](Statement& s) { s.Bind(1, id); }, ReadRequest<Statement>);
}

Result<std::vector<ShareRequest>> SqliteSharingStore::ListRequests(const RequestFilter& f,
                                                                   const org::PageRequest& page) {
  auto column = store::RequestSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 7, 1);
  return SelectRows<ShareRequest>(
      db_,
      std::string("SELECT ") + kRequestColumns + " FROM share_requests WHERE " + keyset.where +
          " AND (?2 IS NULL OR requester_department_id = ?2) "
          "AND (?3 IS NULL OR provider_department_id = ?3) AND (?4 IS NULL OR state = ?4) "
          "AND (?5 IS NULL OR entry_id = ?5) ORDER BY " +
          keyset.order_by + " LIMIT ?6",
      [&](Statement& s) {
        BindKeyset(s, page, 7, 1);
        BindRequestFilter(s, f, page.limit);
      },
      ReadRequest<Statement>);
}

Status SqliteSharingStore::InsertGrant(store::Transaction* tx, const Grant& g) {
  return InWrite(tx, [&](Connection& c) {
    auto s = c.Prepare(std::string("INSERT INTO grants(") + kGrantColumns +
                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    BindGrant(s, g);
    s.Run();
    return Status::Ok();
  });
}

Status SqliteSharingStore::SetGrantStatus(const std::string& id, const std::string& status, const std::string& reason,
                                          std::int64_t by, UnixSeconds at) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "UPDATE grants SET status = ?, status_reason = ?, status_changed_at = ?, status_changed_by = ? WHERE id = ?");
    BindGrantStatus(s, id, status, reason, by, at);
    s.Run();
    return c.Changes() == 1 ? Status::Ok() : Status::NotFound("no such grant");
  });
}

Result<std::optional<Grant>> SqliteSharingStore::GetGrant(const std::string& id) {
  return SelectRow<Grant>(
      db_, std::string("SELECT ") + kGrantColumns + " FROM grants WHERE id = ?", [&](Statement& s) { s.Bind(1, id); },
      ReadGrant<Statement>);
}

Result<std::vector<Grant>> SqliteSharingStore::ListGrants(const GrantFilter& f, const org::PageRequest& page) {
  auto column = store::GrantSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 7, 1);
  return SelectRows<Grant>(
      db_,
      std::string("SELECT ") + kGrantColumns + " FROM grants WHERE " + keyset.where +
          " AND (?2 IS NULL OR consumer_department_id = ?2) AND (?3 IS NULL OR provider_department_id = ?3) "
          "AND (?4 IS NULL OR application_id = ?4) AND (?5 IS NULL OR status = ?5) "
          "AND (?8 IS NULL OR entry_id = ?8) ORDER BY " +
          keyset.order_by + " LIMIT ?6",
      [&](Statement& s) {
        BindKeyset(s, page, 7, 1, /*text_key=*/true);
        BindGrantFilter(s, f, page.limit);
      },
      ReadGrant<Statement>);
}

Status SqliteSharingStore::PutOutward(store::Transaction* tx, OutwardRequest& r) {
  return InWrite(tx, [&](Connection& c) {
    if (r.id == 0) {
      auto s = c.Prepare(std::string("INSERT INTO outward_requests(") + kOutwardColumns +
                         ") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      BindNewOutward(s, r);
      s.Run();
      r.id = c.LastInsertId();
      return Status::Ok();
    }
    auto s = c.Prepare(
        "UPDATE outward_requests SET state = ?, case_id = ?, forward_reference = ?, outcome = ?, updated_at = ? "
        "WHERE id = ?");
    BindOutwardUpdate(s, r);
    s.Run();
    return c.Changes() == 1 ? Status::Ok() : Status::NotFound("no such request");
  });
}

Result<std::optional<OutwardRequest>> SqliteSharingStore::GetOutward(std::int64_t id) {
  return SelectRow<OutwardRequest>(
      db_, std::string("SELECT ") + kOutwardColumns + " FROM outward_requests WHERE id = ?",
      [&](Statement& s) { s.Bind(1, id); }, ReadOutward<Statement>);
}

Result<std::vector<OutwardRequest>> SqliteSharingStore::ListOutward(const OutwardFilter& f,
                                                                    const org::PageRequest& page) {
  auto column = store::RequestSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 5, 1);
  return SelectRows<OutwardRequest>(
      db_,
      std::string("SELECT ") + kOutwardColumns + " FROM outward_requests WHERE " + keyset.where +
          " AND (?2 IS NULL OR requester_department_id = ?2) AND (?3 IS NULL OR state = ?3) ORDER BY " +
          keyset.order_by + " LIMIT ?4",
      [&](Statement& s) {
        BindKeyset(s, page, 5, 1);
        BindOutwardFilter(s, f, page.limit);
      },
      ReadOutward<Statement>);
}

}  // namespace govshare::store::sqlite
