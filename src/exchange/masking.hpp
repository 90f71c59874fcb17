#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace govshare::exchange {

/// The masking (脱敏) rules of DOMAIN.md §6, by the names data elements and grants use (catalog `default_mask`, grant
/// `masks`): name, resident_id, mobile, landline, address, email, bank_card, date, hash, null, generalise.
const std::vector<std::string_view>& MaskRules();
bool IsMaskRule(std::string_view rule);

/// Masks `value` (UTF-8) by `rule`; characters, not bytes, are counted and replaced by '*'. A value too short to keep
/// the rule's visible part without revealing it whole is masked entirely (e.g. a 2-character "mobile"). Returns
/// nullopt for `null` (the field is present but empty). `hash` is HMAC-SHA256 under `hash_key`, hex (equal values stay
/// joinable per key); `generalise` keeps a division code's city (1301xx → 130100), a date's year (1990-**-**), else the
/// first character. An unknown rule masks everything (fail closed). Patterns:
///   name 张** · resident_id 1***************2X · mobile 138****1999 · landline first 4 + last 2 ·
///   address all but the last 8 characters · email z**@example.cn · bank_card first 4 + last 4 · date 1990-**-**
std::optional<std::string> Mask(std::string_view rule, std::string_view value, std::string_view hash_key = {});

}  // namespace govshare::exchange
