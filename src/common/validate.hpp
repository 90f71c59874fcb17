#pragma once

#include <string>
#include <string_view>

namespace govshare::common {

/// Unified Social Credit Code, GB 32100-2015: 18 characters of 0-9A-Z without I O S V Z, positions 3-8 digits,
/// and the weighted check character. Upper-case only (callers normalise).
bool IsValidCreditCode(std::string_view code);
/// The check character the first 17 characters of a credit code call for, or '\0' if they are not valid.
char CreditCodeCheckChar(std::string_view first17);

/// Resident identity number, GB 11643-1999: 17 digits, an existing birth date, and the ISO 7064 MOD 11-2 check
/// character (X for 10). Lower-case x is accepted. `today_yyyymmdd` bounds the birth date (no future births).
bool IsValidResidentId(std::string_view id, int today_yyyymmdd);

/// Mainland mobile number after stripping +86/86: ^1[3-9]\d{9}$.
bool IsValidMobile(std::string_view number);

/// A six-digit GB/T 2260 division code (format only; existence is checked against the region table).
bool IsDivisionCodeFormat(std::string_view code);

/// Upper-cases ASCII letters.
std::string AsciiUpper(std::string_view s);

}  // namespace govshare::common
