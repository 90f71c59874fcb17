#include "exchange/row_checker.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "catalog/element_rules.hpp"
#include "common/json.hpp"
#include "exchange/masking.hpp"

namespace govshare::exchange::detail {
namespace {

constexpr std::size_t kShownChars = 64;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsInteger(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), IsDigit);
}

/// A decimal number: [-+]digits[.digits], with an exponent when `exponent` (binary floating types).
bool IsNumber(std::string_view s, bool exponent) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const std::size_t int_start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  if (i == int_start) return false;
  if (i < s.size() && s[i] == '.') {
    const std::size_t frac = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == frac) return false;
  }
  if (exponent && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const std::size_t exp = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == exp) return false;
  }
  return i == s.size() && s.size() <= 40;
}

/// YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH:MM]
bool IsDateTime(std::string_view s) {
  if (s.size() < 16 || !common::ParseDate(s.substr(0, 10)) || (s[10] != 'T' && s[10] != ' ')) return false;
  auto two = [&](std::size_t at, int max) {
    return at + 2 <= s.size() && IsDigit(s[at]) && IsDigit(s[at + 1]) && (s[at] - '0') * 10 + (s[at + 1] - '0') <= max;
  };
  if (!two(11, 23) || s[13] != ':' || !two(14, 59)) return false;
  std::size_t i = 16;
  if (i < s.size() && s[i] == ':') {
    if (!two(i + 1, 60)) return false;
    i += 3;
    if (i < s.size() && s[i] == '.') {
      const std::size_t frac = ++i;
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i == frac) return false;
    }
  }
  if (i == s.size()) return true;
  if (s[i] == 'Z') return i + 1 == s.size();
  return (s[i] == '+' || s[i] == '-') && s.size() == i + 6 && two(i + 1, 23) && s[i + 3] == ':' && two(i + 4, 59);
}

}  // namespace

RowChecker::RowChecker(const Dataset& dataset, const ValidationRules& rules) : dataset_(dataset), rules_(rules) {
  elements_.resize(dataset.columns.size());
  for (std::size_t i = 0; i < dataset.columns.size(); ++i) {
    const auto& c = dataset.columns[i];
    if (!c.element.empty() && rules.element) elements_[i] = rules.element(c.element);
  }
}

std::optional<std::string> RowChecker::Check(int col, std::string& value) const {
  const Column& c = dataset_.columns[static_cast<std::size_t>(col)];
  if (!common::IsCleanText(value)) {
    return simdjson::validate_utf8(value.data(), value.size()) ? "invalid_text" : "invalid_encoding";
  }
  const std::string& t = c.data_type;
  if (t == "C" || t == "M" || t == "G") {
    if (c.length > 0 && common::Utf8Length(value) > static_cast<std::size_t>(c.length)) return "length";
  } else if (t == "I") {
    if (!IsInteger(value)) return "integer";
  } else if (t == "N" || t == "Y") {
    if (!IsNumber(value, false)) return "number";
  } else if (t == "B" || t == "F") {
    if (!IsNumber(value, true)) return "number";
  } else if (t == "D") {
    if (!common::ParseDate(value)) return "date";
  } else if (t == "T") {
    if (!IsDateTime(value)) return "datetime";
  } else if (t == "L") {
    if (value == "true" || value == "1" || value == "是" || value == "Y") {
      value = "1";
    } else if (value == "false" || value == "0" || value == "否" || value == "N") {
      value = "0";
    } else {
      return "logical";
    }
  }
  if (const auto& e = elements_[static_cast<std::size_t>(col)]) {
    if (e->validation == "resident_id" || e->validation == "credit_code") {
      for (char& ch : value) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
      }
    }
    if (auto broken = catalog::CheckValue(*e, value, rules_.today_yyyymmdd, rules_.known_division)) return broken;
  }
  return std::nullopt;
}

std::string RowChecker::Masked(int col, std::string_view value) const {
  if (!simdjson::validate_utf8(value.data(), value.size())) return "";
  std::string clean;
  for (unsigned char ch : value) clean.push_back(ch < 0x20 || ch == 0x7F ? '?' : static_cast<char>(ch));
  std::string shown;
  const auto& e = elements_[static_cast<std::size_t>(col)];
  if (e && !e->default_mask.empty()) {
    shown = Mask(e->default_mask, clean).value_or("");
  } else if (dataset_.columns[static_cast<std::size_t>(col)].personal) {
    shown = *Mask("name", clean);
  } else {
    shown = std::move(clean);
  }
  if (common::Utf8Length(shown) > kShownChars) {
    std::size_t chars = 0;
    std::size_t cut = 0;
    for (; cut < shown.size(); ++cut) {
      if ((static_cast<unsigned char>(shown[cut]) & 0xC0) != 0x80 && chars++ == kShownChars) break;
    }
    shown = shown.substr(0, cut) + "…";
  }
  return shown;
}

}  // namespace govshare::exchange::detail
