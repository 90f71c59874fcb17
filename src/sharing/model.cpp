#include "sharing/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace govshare::sharing {

namespace {

/// Each manner of use (Art. 14) and its name in the case records, which are written in Chinese.
constexpr std::pair<std::string_view, std::string_view> kMannerNames[] = {
    {"lookup", "查询"}, {"verify", "核验"}, {"bulk", "批量交换"}, {"subscribe", "订阅"}, {"aggregate", "统计分析"}};

}  // namespace

const std::vector<std::string_view>& Manners() {
  static const std::vector<std::string_view> manners = [] {
    std::vector<std::string_view> out;
    for (const auto& [manner, name] : kMannerNames) out.push_back(manner);
    return out;
  }();
  return manners;
}

std::string_view MannerName(std::string_view m) {
  for (const auto& [manner, name] : kMannerNames) {
    if (manner == m) return name;
  }
  return m;
}

std::string ScenarioSummary(const Scenario& s) {
  return fmt::format("用途：{}；依据：{}；范围：{}；方式：{}", s.purpose, s.legal_basis, s.scope, MannerName(s.manner));
}

bool IsManner(std::string_view m) { return std::find(Manners().begin(), Manners().end(), m) != Manners().end(); }

const std::vector<std::string_view>& OutwardLevels() {
  static const std::vector<std::string_view> levels = {"national", "other_province"};
  return levels;
}

std::string CompiledGrant::Check(UnixSeconds now, std::string_view manner,
                                 const std::vector<std::string>& items) const {
  if (grant.status == "revoked") return "grant_revoked";
  if (grant.status == "suspended") return "grant_suspended";
  if (grant.status != "active") return "grant_inactive";
  if (now < grant.valid_from) return "grant_not_yet_valid";
  if (now >= grant.valid_to) return "grant_expired";
  if (manner != grant.manner) return "manner_not_granted";  // Art. 14: no other manner of use
  for (const auto& item : items) {
    if (std::find(grant.items.begin(), grant.items.end(), item) == grant.items.end()) return "item_not_granted";
  }
  return {};
}

}  // namespace govshare::sharing
