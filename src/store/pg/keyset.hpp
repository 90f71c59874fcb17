#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <variant>

#include "org/org_store.hpp"
#include "store/pg/database.hpp"
#include "store/sort_columns.hpp"

namespace govshare::store::pg {

using store::SortColumn;

/// The keyset condition and ORDER BY of a page (org::PageRequest), as store::sqlite::Keyset builds them for SQLite:
/// `column` is the SQL expression of the sort field, `id_column` the row id. The default order is
/// `id_column > $id_param`; any other sort compares the row value (column, id) with ($value_param, $id_param), which is
/// NULL on a first page. Text sorts by code point (COLLATE "C", SQLite's BINARY), whatever the database's locale, so
/// both backends page in the same order. Bind with BindKeyset.
struct KeysetSql {
  std::string where;
  std::string order_by;
};

inline KeysetSql Keyset(const org::PageRequest& page, std::string_view column, std::string_view id_column,
                        int value_param, int id_param) {
  if (page.DefaultOrder()) return {fmt::format("{} > ${}", id_column, id_param), std::string(id_column)};
  const bool integer = org::IsIntegerSort(page.sort);
  const std::string sorted = integer ? std::string(column) : fmt::format("{} COLLATE \"C\"", column);
  const char* type = integer ? "bigint" : "text";
  const char* dir = page.descending ? "DESC" : "ASC";
  return {fmt::format("(${0}::{4} IS NULL OR ({2}, {3}) {5} (${0}::{4}, ${1}))", value_param, id_param, sorted,
                      id_column, type, page.descending ? "<" : ">"),
          fmt::format("{0} {2}, {1} {2}", sorted, id_column, dir)};
}

/// The LIMIT clause of a page whose limit is parameter `param`: a negative limit lists every row, as SQLite's LIMIT -1
/// does.
inline std::string Limit(int param) {
  return fmt::format(" LIMIT CASE WHEN ${0}::bigint < 0 THEN NULL ELSE ${0}::bigint END", param);
}

using store::BindKeyset;

}  // namespace govshare::store::pg
