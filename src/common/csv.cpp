#include "common/csv.hpp"

#include <fmt/format.h>

#include "common/json.hpp"

namespace govshare::common {

Result<std::vector<CsvRow>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (!IsCleanText(text)) {
    return Status::Invalid("invalid_utf8", "the CSV file is not UTF-8 text (convert GB18030 files to UTF-8)");
  }
  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  int line = 1;
  row.line = 1;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // the current field was quoted and closed
  bool any = false;         // the current record has content
  auto end_field = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
    was_quoted = false;
  };
  auto end_row = [&] {
    end_field();
    if (any) rows.push_back(std::move(row));
    row = CsvRow{};
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
          was_quoted = true;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == ',') {
      end_field();
      any = true;
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      ++line;
      row.line = line;
    } else if (c == '"') {
      if (!field.empty() || was_quoted) {
        return Status::Invalid("invalid_csv", fmt::format("line {}: a quote inside an unquoted field", line));
      }
      quoted = true;
      any = true;
    } else {
      if (was_quoted) {
        return Status::Invalid("invalid_csv", fmt::format("line {}: text after a closing quote", line));
      }
      field.push_back(c);
      any = true;
    }
  }
  if (quoted) return Status::Invalid("invalid_csv", fmt::format("line {}: a quoted field is not closed", row.line));
  end_row();
  return rows;
}

CsvReader::CsvReader(ByteSource source, std::size_t max_record_bytes)
    : source_(std::move(source)), max_record_bytes_(max_record_bytes), buffer_(std::size_t{1} << 16) {}

bool CsvReader::Fill() {
  if (eof_) return false;
  pos_ = 0;
  end_ = source_(buffer_.data(), buffer_.size());
  if (end_ == 0) eof_ = true;
  return end_ > 0;
}

int CsvReader::Get() {
  if (pos_ == end_ && !Fill()) return -1;
  ++consumed_;
  return static_cast<unsigned char>(buffer_[pos_++]);
}

int CsvReader::Peek() {
  if (pos_ == end_ && !Fill()) return -1;
  return static_cast<unsigned char>(buffer_[pos_]);
}

void CsvReader::SkipLine() {
  for (int c = Get(); c != -1; c = Get()) {
    if (c == '\n') {
      ++line_;
      return;
    }
  }
}

bool CsvReader::Next(Record& record) {
  if (first_) {
    first_ = false;
    if (Peek() == 0xEF) {  // a UTF-8 byte-order mark
      const std::size_t saved = pos_;
      if (end_ - pos_ >= 3 && std::string_view(buffer_.data() + pos_, 3) == "\xEF\xBB\xBF") {
        pos_ += 3;
        consumed_ += 3;
      } else {
        pos_ = saved;
      }
    }
  }
  for (;;) {
    record.fields.clear();
    record.error.clear();
    record.detail.clear();
    record.line = line_;
    std::string field;
    std::size_t bytes = 0;
    bool quoted = false;
    bool was_quoted = false;
    bool any = false;
    auto fail = [&](const char* code, std::string detail, bool skip) {
      record.error = code;
      record.detail = std::move(detail);
      record.fields.clear();
      if (skip) SkipLine();
      return true;
    };
    for (;;) {
      const int c = Get();
      if (c == -1) {
        if (quoted)
          return fail("invalid_csv", fmt::format("line {}: a quoted field is not closed", record.line), false);
        if (!any && field.empty()) return false;
        record.fields.push_back(std::move(field));
        return true;
      }
      if (++bytes > max_record_bytes_) {
        if (c == '\n') ++line_;
        return fail("record_too_large",
                    fmt::format("line {}: the record is longer than {} bytes", record.line, max_record_bytes_),
                    c != '\n');
      }
      if (quoted) {
        if (c == '"') {
          if (Peek() == '"') {
            Get();
            field.push_back('"');
          } else {
            quoted = false;
            was_quoted = true;
          }
        } else {
          if (c == '\n') ++line_;
          field.push_back(static_cast<char>(c));
        }
        continue;
      }
      if (c == ',') {
        record.fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
        any = true;
      } else if (c == '\r' || c == '\n') {
        if (c == '\r' && Peek() == '\n') Get();
        ++line_;
        if (!any && field.empty() && !was_quoted) {  // an empty line
          record.line = line_;
          bytes = 0;
          continue;
        }
        record.fields.push_back(std::move(field));
        return true;
      } else if (c == '"') {
        if (!field.empty() || was_quoted) {
          return fail("invalid_csv", fmt::format("line {}: a quote inside an unquoted field", line_), true);
        }
        quoted = true;
        any = true;
      } else {
        if (was_quoted) return fail("invalid_csv", fmt::format("line {}: text after a closing quote", line_), true);
        field.push_back(static_cast<char>(c));
        any = true;
      }
    }
  }
}

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void AppendCsvRow(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += CsvField(fields[i]);
  }
  out += "\r\n";
}

}  // namespace govshare::common
