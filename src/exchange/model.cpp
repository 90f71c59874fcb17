#include "exchange/model.hpp"

#include <fmt/format.h>

namespace govshare::exchange {

std::string Column::sql_name() const { return fmt::format("c{}", position); }
std::string Dataset::table() const { return fmt::format("d{}", id); }
std::string Dataset::changes_table() const { return fmt::format("d{}_changes", id); }

int Dataset::ColumnIndex(std::string_view item) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == item) return static_cast<int>(i);
  }
  return -1;
}

std::optional<std::int64_t> MaxAgeSeconds(std::string_view update_frequency) {
  constexpr std::int64_t kDay = 86400;
  // A realtime dataset is fed continuously: a day without any load means the feed has stopped.
  if (update_frequency == "realtime" || update_frequency == "daily") return kDay;
  if (update_frequency == "weekly") return 7 * kDay;
  if (update_frequency == "monthly") return 31 * kDay;
  if (update_frequency == "quarterly") return 92 * kDay;
  if (update_frequency == "semiannual") return 183 * kDay;
  if (update_frequency == "yearly") return 366 * kDay;
  return std::nullopt;  // irregular (不定期) or unknown: no schedule to miss
}

std::string_view ChangeOpName(ChangeOp op) { return op == ChangeOp::kUpsert ? "upsert" : "delete"; }

}  // namespace govshare::exchange
