// Raw SQL on a test's database, whichever the storage backend: what tests run or count behind a store's back, written
// once for both backends (exactly one of the two database pointers is set).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.hpp"
#include "store/pg/database.hpp"
#include "store/rows.hpp"
#include "store/sqlite/database.hpp"

namespace govshare::testing {

/// Runs `sql` in a write transaction of its own on `sqlite` if it is set, else on `pg` (which must then be set). The
/// SQL must suit both dialects; the status is the transaction's (e.g. a trigger's refusal).
inline common::Status ExecSql(store::sqlite::Database* sqlite, store::pg::Database* pg, const std::string& sql) {
  if (sqlite != nullptr) {
    return sqlite->Write([&](store::sqlite::Connection& c) {
      c.Exec(sql);
      return common::Status::Ok();
    });
  }
  return pg->Write([&](store::pg::Connection& c) {
    c.Exec(sql);
    return common::Status::Ok();
  });
}

/// The number of rows in `table` on `sqlite` if it is set, else on `pg` (which must then be set).
inline common::Result<std::int64_t> CountRows(store::sqlite::Database* sqlite, store::pg::Database* pg,
                                              const std::string& table) {
  const std::string sql = "SELECT COUNT(*) FROM " + table;
  const auto no_parameters = [](auto&) {};
  const auto count = [](const auto& row) { return row.Int(0); };
  auto n = sqlite != nullptr ? store::SelectRow<std::int64_t>(*sqlite, sql, no_parameters, count)
                             : store::SelectRow<std::int64_t>(*pg, sql, no_parameters, count);
  if (!n.ok()) return n.status();
  return n->value_or(-1);
}

}  // namespace govshare::testing
