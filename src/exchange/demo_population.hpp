#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/csv.hpp"

namespace govshare::exchange {

/// A county-level division people are registered in (from data/regions/hebei.json).
struct DemoCounty {
  std::string code;  // GB/T 2260, six digits
  std::string city;  // e.g. 石家庄市
  std::string name;  // e.g. 长安区
};

/// The item names (CSV header) of the demo population and legal-person datasets: the demo catalog's 常住人口基本信息
/// (省公安厅) and 市场主体登记信息 (省市场监管局) entries.
const std::vector<std::string>& PopulationHeader();
const std::vector<std::string>& LegalPersonHeader();

/// A deterministic synthetic population as a streaming CSV source (header row first), for the demo and benchmarks:
/// `people` rows with valid 18-digit resident ID numbers (GB 11643: a county's code, the birth date, a sequence whose
/// parity is the sex, the ISO 7064 MOD 11-2 check character; unique), names, sex 1/2 (GB/T 2261.1) consistent with the
/// ID, birth dates 1940-2023 consistent with the ID, ethnicity codes (GB/T 3304), household and current addresses,
/// mobile numbers valid by common::IsValidMobile, the county's division code. The same seed gives the same bytes.
/// Nothing is held in memory beyond one buffer and a small occupancy table.
common::ByteSource PopulationCsv(std::vector<DemoCounty> counties, std::int64_t people, std::uint64_t seed = 12);
/// `count` legal persons (enterprises) with valid, unique unified social credit codes (GB 32100: 91 + the county's code
/// + a 9-character organisation code + the check character), names, legal representatives, registration dates, capital,
/// enterprise type codes and the county's division code.
common::ByteSource LegalPersonCsv(std::vector<DemoCounty> counties, std::int64_t count, std::uint64_t seed = 12);

}  // namespace govshare::exchange
