#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace govshare::common {

/// One CSV record and the line it starts on (1-based), for error reports.
struct CsvRow {
  int line = 0;
  std::vector<std::string> fields;
};

/// Parses RFC 4180 CSV: comma separated, fields optionally in double quotes (quotes doubled inside; quoted fields may
/// span lines), CRLF or LF line ends, a UTF-8 byte-order mark ignored. Empty lines are skipped. Fails with
/// invalid_csv naming the line of an unterminated quote or text after a closing quote, and invalid_utf8 if the text
/// is not UTF-8.
Result<std::vector<CsvRow>> ParseCsv(std::string_view text);

/// Quotes a field when it needs it (comma, quote, CR or LF).
std::string CsvField(std::string_view value);
/// Appends one record (fields joined by commas, CRLF-terminated as RFC 4180 says).
void AppendCsvRow(std::string& out, const std::vector<std::string>& fields);

}  // namespace govshare::common
