#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog_service.hpp"
#include "catalog/search_index.hpp"

namespace govshare::catalog {

/// Entries read from an import file: the contents, the row each starts on, and the structural problems found.
struct ImportFile {
  std::vector<EntryContent> contents;
  std::vector<int> rows;
  std::vector<ImportReport::RowError> errors;
};

/// The columns of the catalog template (one row per information item; the rows of one entry are consecutive and share
/// its name). Closed-list columns take the API value or its Chinese label (有条件共享 or conditional); list columns are
/// separated by ';' or '；'.
const std::vector<std::string_view>& TemplateColumns();
/// Columns only written by the export (ignored on import): code, provider, provider code, publication date, version.
const std::vector<std::string_view>& ExportOnlyColumns();

/// {"entries": [content, ...]}: one row per array element.
ImportFile ReadImportJson(const nlohmann::json& doc);
/// The CSV template with a header row. Fails (invalid_csv) only if the file is not CSV or lacks required columns;
/// row-level problems are in the result's errors.
common::Result<ImportFile> ReadImportCsv(std::string_view text);

/// The published catalog as the CSV template (with the export-only columns first).
std::string ExportCsv(const std::vector<std::shared_ptr<const IndexedEntry>>& entries);
/// As JSON: {"entries": [{code, provider, version, published_at, content}]}.
nlohmann::json ExportJson(const std::vector<std::shared_ptr<const IndexedEntry>>& entries);
/// As DCAT-AP 2 JSON-LD (dcat:Catalog of dcat:Dataset), the European metadata vocabulary other catalogs read.
nlohmann::json ExportDcat(const std::vector<std::shared_ptr<const IndexedEntry>>& entries,
                          const std::vector<ThemeDatabase>& databases, const std::string& base_uri);

}  // namespace govshare::catalog
