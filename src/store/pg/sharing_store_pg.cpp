#include "store/pg/sharing_store_pg.hpp"

#include "store/pg/keyset.hpp"
#include "store/rows.hpp"
#include "store/sharing_rows.hpp"

namespace govshare::store::pg {

using common::Result;
using common::Status;
using namespace govshare::sharing;  // NOLINT(google-build-using-namespace): the implementation file of the store

Status PgSharingStore::InWrite(store::Transaction* tx, const Database::WriteJob& job) {
  if (tx != nullptr) return job(static_cast<PgTransaction*>(tx)->connection);
  return db_.Write(job);
}

Status PgSharingStore::PutRequest(store::Transaction* tx, ShareRequest& r) {
  // Decided once, before the job: a serialization failure runs the job again, and r.id is set by then.
  const bool insert = r.id == 0;
  return InWrite(tx, [&](Connection& c) {
    if (insert) {
      auto s = c.Prepare(std::string("INSERT INTO share_requests(") + kRequestColumns +
                         ") VALUES (DEFAULT, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
                         "$17, $18, $19) RETURNING id");
      BindNewRequest(s, r);
      r.id = s.Step() ? s.Int(0) : 0;
      return Status::Ok();
    }
    auto s = c.Prepare(
        "UPDATE share_requests SET state = $1, case_id = $2, terms = $3, refusal_reasons = $4, objection = $5, "
        "decision = $6, grant_id = $7, updated_at = $8 WHERE id = $9");
    BindRequestUpdate(s, r);
    s.Run();
    return s.Changes() == 1 ? Status::Ok() : Status::NotFound("no such request");
  });
}

Result<std::optional<ShareRequest>> PgSharingStore::GetRequest(std::int64_t id) {
  return SelectRow<ShareRequest>(
      db_, std::string("SELECT ") + kRequestColumns + " FROM share_requests WHERE id = $1",
      [&](Statement& s) { s.Bind(1, id); }, ReadRequest<Statement>);
}

Result<std::vector<ShareRequest>> PgSharingStore::ListRequests(const RequestFilter& f, const org::PageRequest& page) {
  auto column = store::RequestSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 7, 1);
  return SelectRows<ShareRequest>(
      db_,
      std::string("SELECT ") + kRequestColumns + " FROM share_requests WHERE " + keyset.where +
          " AND ($2::bigint IS NULL OR requester_department_id = $2) "
          "AND ($3::bigint IS NULL OR provider_department_id = $3) AND ($4::text IS NULL OR state = $4) "
          "AND ($5::bigint IS NULL OR entry_id = $5) ORDER BY " +
          keyset.order_by + " LIMIT CASE WHEN $6::bigint < 0 THEN NULL ELSE $6::bigint END",
      [&](Statement& s) {
        BindKeyset(s, page, 7, 1);
        BindRequestFilter(s, f, page.limit);
      },
      ReadRequest<Statement>);
}

Status PgSharingStore::InsertGrant(store::Transaction* tx, const Grant& g) {
  return InWrite(tx, [&](Connection& c) {
    auto s = c.Prepare(
        std::string("INSERT INTO grants(") + kGrantColumns +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)");
    BindGrant(s, g);
    s.Run();
    return Status::Ok();
  });
}

Status PgSharingStore::SetGrantStatus(const std::string& id, const std::string& status, const std::string& reason,
                                      std::int64_t by, UnixSeconds at) {
  return db_.Write([&](Connection& c) {
    auto s = c.Prepare(
        "UPDATE grants SET status = $1, status_reason = $2, status_changed_at = $3, status_changed_by = $4 "
        "WHERE id = $5");
    BindGrantStatus(s, id, status, reason, by, at);
    s.Run();
    return s.Changes() == 1 ? Status::Ok() : Status::NotFound("no such grant");
  });
}

Result<std::optional<Grant>> PgSharingStore::GetGrant(const std::string& id) {
  return SelectRow<Grant>(
      db_, std::string("SELECT ") + kGrantColumns + " FROM grants WHERE id = $1", [&](Statement& s) { s.Bind(1, id); },
      ReadGrant<Statement>);
}

Result<std::vector<Grant>> PgSharingStore::ListGrants(const GrantFilter& f, const org::PageRequest& page) {
  auto column = store::GrantSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id COLLATE \"C\"", 7, 1);
  return SelectRows<Grant>(
      db_,
      std::string("SELECT ") + kGrantColumns + " FROM grants WHERE " + keyset.where +
          " AND ($2::bigint IS NULL OR consumer_department_id = $2) "
          "AND ($3::bigint IS NULL OR provider_department_id = $3) "
          "AND ($4::bigint IS NULL OR application_id = $4) AND ($5::text IS NULL OR status = $5) "
          "AND ($8::bigint IS NULL OR entry_id = $8) ORDER BY " +
          keyset.order_by + " LIMIT CASE WHEN $6::bigint < 0 THEN NULL ELSE $6::bigint END",
      [&](Statement& s) {
        BindKeyset(s, page, 7, 1, /*text_key=*/true);
        BindGrantFilter(s, f, page.limit);
      },
      ReadGrant<Statement>);
}

Status PgSharingStore::PutOutward(store::Transaction* tx, OutwardRequest& r) {
  const bool insert = r.id == 0;  // as in PutRequest
  return InWrite(tx, [&](Connection& c) {
    if (insert) {
      auto s = c.Prepare(
          std::string("INSERT INTO outward_requests(") + kOutwardColumns +
          ") VALUES (DEFAULT, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id");
      BindNewOutward(s, r);
      r.id = s.Step() ? s.Int(0) : 0;
      return Status::Ok();
    }
    auto s = c.Prepare(
        "UPDATE outward_requests SET state = $1, case_id = $2, forward_reference = $3, outcome = $4, "
        "updated_at = $5 WHERE id = $6");
    BindOutwardUpdate(s, r);
    s.Run();
    return s.Changes() == 1 ? Status::Ok() : Status::NotFound("no such request");
  });
}

Result<std::optional<OutwardRequest>> PgSharingStore::GetOutward(std::int64_t id) {
  return SelectRow<OutwardRequest>(
      db_, std::string("SELECT ") + kOutwardColumns + " FROM outward_requests WHERE id = $1",
      [&](Statement& s) { s.Bind(1, id); }, ReadOutward<Statement>);
}

Result<std::vector<OutwardRequest>> PgSharingStore::ListOutward(const OutwardFilter& f, const org::PageRequest& page) {
  auto column = store::RequestSortColumn(page.sort);
  if (!column.ok()) return column.status();
  const auto keyset = Keyset(page, *column, "id", 5, 1);
  return SelectRows<OutwardRequest>(
      db_,
      std::string("SELECT ") + kOutwardColumns + " FROM outward_requests WHERE " + keyset.where +
          " AND ($2::bigint IS NULL OR requester_department_id = $2) AND ($3::text IS NULL OR state = $3) "
          "ORDER BY " +
          keyset.order_by + " LIMIT CASE WHEN $4::bigint < 0 THEN NULL ELSE $4::bigint END",
      [&](Statement& s) {
        BindKeyset(s, page, 5, 1);
        BindOutwardFilter(s, f, page.limit);
      },
      ReadOutward<Statement>);
}

}  // namespace govshare::store::pg
