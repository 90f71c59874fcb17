#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.hpp"

namespace govshare::store {

/// A flag column: SQLite keeps 0/1 in an INTEGER, PostgreSQL a BOOLEAN (read as 't'/'f'). (A flag binds as it is on
/// both: as 0/1 through SQLite's integer Bind, as a boolean through PostgreSQL's.)
template <typename Row>
bool ReadFlag(const Row& s, int column) {
  if constexpr (requires { s.Bool(column); }) {
    return s.Bool(column);
  } else {
    return s.Int(column) != 0;
  }
}

// One SELECT on a read connection, for every backend: `db` is a store::sqlite::Database or a store::pg::Database (both
// have Read(fn(Connection&)), Connection::Prepare, Statement::Step), `bind(statement)` binds the parameters in the
// backend's placeholders, `read(statement)` makes a value of the current row (a row reader such as store::ReadCase). A
// database error is the Status the backend's Database::Read gives.

/// Every row of the query, in the order it returns them.
template <typename T, typename Db, typename Bind, typename Read>
common::Result<std::vector<T>> SelectRows(Db& db, const std::string& sql, Bind&& bind, Read&& read) {
  std::vector<T> out;
  auto status = db.Read([&](auto& connection) {
    auto s = connection.Prepare(sql);
    bind(s);
    while (s.Step()) out.push_back(read(std::as_const(s)));
    return common::Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

/// The first row of the query, if any.
template <typename T, typename Db, typename Bind, typename Read>
common::Result<std::optional<T>> SelectRow(Db& db, const std::string& sql, Bind&& bind, Read&& read) {
  std::optional<T> out;
  auto status = db.Read([&](auto& connection) {
    auto s = connection.Prepare(sql);
    bind(s);
    if (s.Step()) out = read(std::as_const(s));
    return common::Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace govshare::store
