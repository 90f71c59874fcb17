#pragma once

#include <cstddef>
#include <functional>
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

/// Where a streaming reader gets its bytes: fills up to `capacity` bytes of `buffer`, returns how many (0 at the end).
using ByteSource = std::function<std::size_t(char* buffer, std::size_t capacity)>;

/// A streaming RFC 4180 reader (the same dialect as ParseCsv) for files too large to hold in memory: it keeps one
/// record at a time. A malformed record does not end the stream: the record comes back with `error` set (invalid_csv:
/// a quote inside an unquoted field, text after a closing quote, a quoted field not closed at the end;
/// record_too_large: more than `max_record_bytes`), and reading resumes at the next line, so a caller can report every
/// bad record with its line and go on. Encoding is the caller's business (fields are bytes). Not thread-safe.
class CsvReader {
 public:
  struct Record {
    int line = 0;  // the line the record starts on, 1-based
    std::vector<std::string> fields;
    std::string error;  // empty, invalid_csv or record_too_large
    std::string detail;
  };
  CsvReader(ByteSource source, std::size_t max_record_bytes);
  /// Reads the next non-empty record; false at the end of the input.
  bool Next(Record& record);
  /// Bytes consumed so far.
  std::size_t offset() const { return consumed_; }

 private:
  bool Fill();
  int Get();  // next byte or -1
  int Peek();
  void SkipLine();

  ByteSource source_;
  std::size_t max_record_bytes_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::size_t consumed_ = 0;
  bool eof_ = false;
  bool first_ = true;
  int line_ = 1;
};

/// Quotes a field when it needs it (comma, quote, CR or LF).
std::string CsvField(std::string_view value);
/// Appends one record (fields joined by commas, CRLF-terminated as RFC 4180 says).
void AppendCsvRow(std::string& out, const std::vector<std::string>& fields);

}  // namespace govshare::common
