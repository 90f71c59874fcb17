#include "exchange/masking.hpp"

#include <algorithm>

#include "common/crypto.hpp"

namespace govshare::exchange {
namespace {

/// The byte offsets of each UTF-8 character of `s` (plus s.size() at the end).
std::vector<std::size_t> CharStarts(std::string_view s) {
  std::vector<std::size_t> starts;
  starts.reserve(s.size() + 1);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  starts.push_back(s.size());
  return starts;
}

/// Keeps the first `head` and last `tail` characters and replaces the others by '*'. All stars when nothing would be
/// hidden.
std::string Keep(std::string_view s, std::size_t head, std::size_t tail) {
  const auto starts = CharStarts(s);
  const std::size_t n = starts.size() - 1;
  if (n == 0) return {};
  if (head + tail >= n) return std::string(n, '*');
  std::string out(s.substr(0, starts[head]));
  out.append(n - head - tail, '*');
  out.append(s.substr(starts[n - tail]));
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool LooksLikeDate(std::string_view s) { return s.size() >= 10 && IsDigits(s.substr(0, 4)) && s[4] == '-'; }

}  // namespace

const std::vector<std::string_view>& MaskRules() {
  static const std::vector<std::string_view> rules = {"name",    "resident_id", "mobile",    "landline",
                                                      "address", "email",       "bank_card", "date",
                                                      "hash",    "null",        "generalise"};
  return rules;
}

bool IsMaskRule(std::string_view rule) {
  return std::find(MaskRules().begin(), MaskRules().end(), rule) != MaskRules().end();
}

std::optional<std::string> Mask(std::string_view rule, std::string_view value, std::string_view hash_key) {
  constexpr std::size_t kAddressHidden = 8;
  if (rule == "null") return std::nullopt;
  if (rule == "name") return Keep(value, 1, 0);
  if (rule == "resident_id") return Keep(value, 1, 2);
  if (rule == "mobile") return Keep(value, 3, 4);
  if (rule == "landline") return Keep(value, 4, 2);
  if (rule == "bank_card") return Keep(value, 4, 4);
  if (rule == "address") {
    const std::size_t n = CharStarts(value).size() - 1;
    return n <= kAddressHidden ? std::string(n, '*') : Keep(value, n - kAddressHidden, 0);
  }
  if (rule == "email") {
    const auto at = value.rfind('@');
    if (at == std::string_view::npos || at == 0) return Keep(value, 0, 0);
    return Keep(value.substr(0, at), 1, 0) + std::string(value.substr(at));
  }
  if (rule == "date") {
    if (!LooksLikeDate(value)) return Keep(value, 0, 0);
    return std::string(value.substr(0, 4)) + "-**-**";
  }
  if (rule == "hash") return common::HmacSha256Hex(hash_key, value);
  if (rule == "generalise") {
    if (value.size() == 6 && IsDigits(value)) return std::string(value.substr(0, 4)) + "00";
    if (LooksLikeDate(value)) return std::string(value.substr(0, 4)) + "-**-**";
    return Keep(value, 1, 0);
  }
  return Keep(value, 0, 0);  // unknown rule: hide everything
}

}  // namespace govshare::exchange
