#include "common/validate.hpp"

#include <array>
#include <cctype>

namespace govshare::common {
namespace {

constexpr std::string_view kCreditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kCreditWeights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
constexpr std::array<int, 17> kIdWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view kIdCheck = "10X98765432";

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsRealDate(int y, int m, int d) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1850 || m < 1 || m > 12 || d < 1) return false;
  const int max_day = kDays[static_cast<std::size_t>(m - 1)] + (m == 2 && IsLeap(y) ? 1 : 0);
  return d <= max_day;
}

}  // namespace

char CreditCodeCheckChar(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    const auto pos = kCreditAlphabet.find(first17[i]);
    if (pos == std::string_view::npos) return '\0';
    sum += static_cast<int>(pos) * kCreditWeights[i];
  }
  return kCreditAlphabet[static_cast<std::size_t>((31 - sum % 31) % 31)];
}

bool IsValidCreditCode(std::string_view code) {
  if (code.size() != 18 || !IsDigits(code.substr(2, 6))) return false;
  const char check = CreditCodeCheckChar(code.substr(0, 17));
  return check != '\0' && check == code[17];
}

bool IsValidResidentId(std::string_view id, int today_yyyymmdd) {
  if (id.size() != 18 || !IsDigits(id.substr(0, 17))) return false;
  const int y = std::stoi(std::string(id.substr(6, 4)));
  const int m = std::stoi(std::string(id.substr(10, 2)));
  const int d = std::stoi(std::string(id.substr(12, 2)));
  if (!IsRealDate(y, m, d) || y * 10000 + m * 100 + d > today_yyyymmdd) return false;
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (id[i] - '0') * kIdWeights[i];
  const char expected = kIdCheck[static_cast<std::size_t>(sum % 11)];
  const char given = static_cast<char>(std::toupper(static_cast<unsigned char>(id[17])));
  return given == expected;
}

bool IsValidMobile(std::string_view number) {
  if (number.substr(0, 3) == "+86") {
    number.remove_prefix(3);
  } else if (number.size() == 13 && number.substr(0, 2) == "86") {
    number.remove_prefix(2);
  }
  return number.size() == 11 && IsDigits(number) && number[0] == '1' && number[1] >= '3' && number[1] <= '9';
}

bool IsDivisionCodeFormat(std::string_view code) { return code.size() == 6 && IsDigits(code); }

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace govshare::common
