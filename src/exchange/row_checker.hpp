#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exchange/dataset_store.hpp"
#include "exchange/model.hpp"

namespace govshare::exchange::detail {

/// Validates values against a dataset's items (Art. 12: 数据质量 at the door): the data type, the length in characters,
/// required keys, and the data element's rule (catalog::CheckValue: ID and credit-code checksums, division codes,
/// dates, mobile numbers). Element lookups are resolved once per load. Thread-compatible (const after construction).
class RowChecker {
 public:
  RowChecker(const Dataset& dataset, const ValidationRules& rules);
  /// The broken rule for a non-empty `value` of column `col`, or nullopt; normalises `value` in place (an ID number's
  /// or credit code's lower-case letters become upper case, a logical becomes 1/0).
  std::optional<std::string> Check(int col, std::string& value) const;
  /// `value` as a rejection report may show it (DOMAIN.md §6): by the element's default mask; a personal item without
  /// one keeps only its first character; text that is not clean UTF-8 is not shown.
  std::string Masked(int col, std::string_view value) const;

 private:
  const Dataset& dataset_;
  const ValidationRules& rules_;
  std::vector<std::optional<catalog::DataElement>> elements_;
};

}  // namespace govshare::exchange::detail
