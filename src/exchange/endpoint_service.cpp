#include "exchange/endpoint_service.hpp"

#include <fmt/format.h>

namespace govshare::exchange {

using common::Result;
using common::Status;
using org::Principal;
using org::Role;

bool EndpointService::IsProviderStaff(const Principal& p, std::int64_t provider_department_id) const {
  return p.kind == Principal::Kind::kUser && p.department_id == provider_department_id &&
         (p.roles.Has(Role::kDataSteward) || p.roles.Has(Role::kCatalogManager));
}

bool EndpointService::Sees(const Principal& p, std::int64_t provider_department_id) const {
  if (p.kind != Principal::Kind::kUser) return false;
  if (p.roles.Has(Role::kPlatformAdmin) || IsProviderStaff(p, provider_department_id)) return true;
  if (!p.at_authority) return false;
  auto d = org_.GetDepartment(provider_department_id);
  return d.ok() && d.value() && regions_.IsWithin(d.value()->region_id, p.region_id);
}

Result<Endpoint> EndpointService::Register(const Principal& p, Endpoint e) {
  auto entry = catalog_.index().Get(e.entry_id);
  if (!entry || !Sees(p, entry->entry.provider_department_id)) {
    return Status::NotFound(fmt::format("catalog entry {} does not exist", e.entry_id));
  }
  if (!IsProviderStaff(p, entry->entry.provider_department_id)) {
    return Status::Forbidden("only the provider department registers its interface");
  }
  if (!entry->published || entry->entry.withdrawn) {
    return Status::Unprocessable("entry_not_published", "register the interface of a published entry", "/entry_id");
  }
  const auto& methods = entry->published->content.share_methods;
  if (std::find(methods.begin(), methods.end(), "api") == methods.end()) {
    return Status::Unprocessable("api_not_offered", "the entry's share methods do not include an interface (api)");
  }
  if (e.secret.empty() && e.auth != "none") {
    auto before = store_.Get(e.entry_id);
    if (!before.ok()) return before.status();
    if (before.value() && before.value()->auth == e.auth) e.secret = before.value()->secret;
  }
  if (e.auth == "none") e.secret.clear();
  GOVSHARE_RETURN_IF_ERROR(ValidateEndpoint(e));
  for (const auto& [item, field] : e.field_map) {
    const auto& items = entry->published->content.items;
    if (std::none_of(items.begin(), items.end(), [&](const catalog::Item& i) { return i.name == item; })) {
      return Status::Unprocessable("unknown_item", fmt::format("'{}' is not an item of the entry", item), "/field_map");
    }
  }
  e.updated_by = p.id;
  e.updated_at = clock_.Now();
  GOVSHARE_RETURN_IF_ERROR(store_.Put(e));
  cache_.Update(e.entry_id, e);
  return Get(p, e.entry_id);
}

Result<Endpoint> EndpointService::Get(const Principal& p, std::int64_t entry_id) {
  auto entry = catalog_.index().Get(entry_id);
  if (!entry || !Sees(p, entry->entry.provider_department_id)) {
    return Status::NotFound(fmt::format("catalog entry {} does not exist", entry_id));
  }
  auto found = store_.Get(entry_id);
  if (!found.ok()) return found.status();
  if (!found.value()) return Status::NotFound(fmt::format("entry {} has no registered interface", entry_id));
  Endpoint e = *found.value();
  e.secret.clear();  // never returned
  return e;
}

Result<std::int64_t> EndpointService::CheckHealth(const Principal& p, std::int64_t entry_id) {
  auto visible = Get(p, entry_id);
  if (!visible.ok()) return visible.status();
  auto full = store_.Get(entry_id);
  if (!full.ok()) return full.status();
  return client_.CheckHealth(*full.value());
}

void EndpointService::Forget() { cache_.ForgetAll(); }

Result<std::optional<Endpoint>> EndpointService::Find(std::int64_t entry_id) {
  Endpoint cached;
  switch (cache_.Find(entry_id, cached)) {
    case EndpointCache::Known::kFound:
      return std::optional<Endpoint>(std::move(cached));
    case EndpointCache::Known::kAbsent:
      return std::optional<Endpoint>();
    case EndpointCache::Known::kUnknown:
      break;
  }
  const auto generation = cache_.generation();
  auto all = store_.List();
  if (!all.ok()) return all.status();
  std::optional<Endpoint> out;
  std::unordered_map<std::int64_t, Endpoint> by_entry;
  for (auto& e : all.value()) {
    if (e.entry_id == entry_id) out = e;
    by_entry.emplace(e.entry_id, std::move(e));
  }
  // Not kept if a Forget came while the list was read (answered from the list just read all the same).
  cache_.PutAll(std::move(by_entry), generation);
  return out;
}

}  // namespace govshare::exchange
