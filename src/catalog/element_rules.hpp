#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/model.hpp"

namespace govshare::catalog {

/// The validation rules a data element may name (DOMAIN.md §2): resident_id (GB 11643 checksum and birth date),
/// credit_code (GB 32100 checksum), division_code (GB/T 2260, six digits of a known division), mobile, date
/// (YYYY-MM-DD, a real day), datetime (RFC 3339). Empty: only the representation is checked.
const std::vector<std::string_view>& ValidationRules();
bool IsValidationRule(std::string_view rule);

/// Checks one value against its element: the representation (charset and length) and the validation rule. Returns the
/// broken rule's id (e.g. "resident_id_checksum", "length") or nullopt when the value is valid.
/// `known_division` answers whether a six-digit code is a division of the region table (null: format only).
std::optional<std::string> CheckValue(const DataElement& element, std::string_view value, int today_yyyymmdd,
                                      const std::function<bool(std::string_view)>& known_division = nullptr);

}  // namespace govshare::catalog
