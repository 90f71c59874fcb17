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
