#include "sharing/model.hpp"

#include <algorithm>

namespace govshare::sharing {

const std::vector<std::string_view>& Manners() {
  static const std::vector<std::string_view> manners = {"lookup", "verify", "bulk", "subscribe", "aggregate"};
  return manners;
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
