#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

#include "common/status.hpp"
#include "org/org_store.hpp"

namespace govshare::store {

/// The SQL expression of a sort field from a list's table of (field, expression), or 400 invalid_sort. Shared by the
/// SQLite and PostgreSQL stores, so both accept exactly the same sort fields for a list.
inline common::Result<std::string_view> SortColumn(
    std::initializer_list<std::pair<org::SortField, std::string_view>> columns, org::SortField field) {
  for (const auto& [f, expr] : columns) {
    if (f == field) return expr;
  }
  return common::Status::Invalid("invalid_sort", "this list cannot be sorted by that field", "?sort");
}

/// The sort fields of sharing requests and outward requests (the same columns in both tables).
inline common::Result<std::string_view> RequestSortColumn(org::SortField field) {
  return SortColumn({{org::SortField::kId, "id"},
                     {org::SortField::kState, "state"},
                     {org::SortField::kCreatedAt, "created_at"},
                     {org::SortField::kUpdatedAt, "updated_at"}},
                    field);
}

}  // namespace govshare::store
