#include "catalog/element_rules.hpp"

#include <algorithm>

#include "catalog/content.hpp"
#include "common/clock.hpp"
#include "common/json.hpp"
#include "common/validate.hpp"

namespace govshare::catalog {

const std::vector<std::string_view>& ValidationRules() {
  static const std::vector<std::string_view> rules = {"resident_id", "credit_code", "division_code",
                                                      "mobile",      "date",        "datetime"};
  return rules;
}

bool IsValidationRule(std::string_view rule) {
  const auto& rules = ValidationRules();
  return rule.empty() || std::find(rules.begin(), rules.end(), rule) != rules.end();
}

namespace {

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsAlnum(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

}  // namespace

std::optional<std::string> CheckValue(const DataElement& element, std::string_view value, int today_yyyymmdd,
                                      const std::function<bool(std::string_view)>& known_division) {
  if (!common::IsCleanText(value)) return "invalid_text";
  if (auto rep = ParseRepresentation(element.representation)) {
    const std::size_t length = common::Utf8Length(value);
    if ((rep->fixed && length != rep->length) || length > rep->length) return "length";
    if (rep->charset == "n" && !IsDigits(value)) return "digits";
    if (rep->charset == "a" && !std::all_of(value.begin(), value.end(),
                                            [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); })) {
      return "letters";
    }
    if (rep->charset == "an" && !IsAlnum(value)) return "alphanumeric";
  }
  const std::string& rule = element.validation;
  if (rule == "resident_id") {
    if (!common::IsValidResidentId(value, today_yyyymmdd)) return "resident_id_checksum";
  } else if (rule == "credit_code") {
    if (!common::IsValidCreditCode(common::AsciiUpper(value))) return "credit_code_checksum";
  } else if (rule == "division_code") {
    if (!common::IsDivisionCodeFormat(value)) return "division_code_format";
    if (known_division && !known_division(value)) return "division_code_unknown";
  } else if (rule == "mobile") {
    if (!common::IsValidMobile(value)) return "mobile";
  } else if (rule == "date") {
    if (!common::ParseDate(std::string(value))) return "date";
  } else if (rule == "datetime") {
    if (value.size() < 19 || !common::ParseDate(std::string(value.substr(0, 10))) || value[10] != 'T') {
      return "datetime";
    }
  }
  return std::nullopt;
}

}  // namespace govshare::catalog
