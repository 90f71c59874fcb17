#include "exchange/exchange_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <unordered_set>

namespace govshare::exchange {

using common::Result;
using common::Status;

namespace {

std::optional<DatasetStore::Definition> DefinitionOf(const catalog::IndexedEntry& e) {
  if (!e.published || e.entry.withdrawn) return std::nullopt;
  const auto& content = e.published->content;
  if (std::none_of(content.items.begin(), content.items.end(), [](const catalog::Item& i) { return i.key; })) {
    return std::nullopt;  // nothing identifies a row: no physical dataset (a file or a service, not a table)
  }
  DatasetStore::Definition d;
  d.id = e.entry.id;
  d.name = content.name;
  d.resource_code = e.entry.resource_code;
  d.provider_department_id = e.entry.provider_department_id;
  d.region_id = e.entry.region_id;
  d.entry_version = e.published->number;
  d.update_frequency = content.update_frequency;
  d.items = content.items;
  return d;
}

}  // namespace

std::string ActorOf(const org::Principal& p) {
  return fmt::format("{}:{}", p.kind == org::Principal::Kind::kUser ? "user" : "application", p.name);
}

ExchangeService::ExchangeService(DatasetStore& store, const catalog::CatalogService& catalog,
                                 const org::RegionTree& regions, const org::Authorizer& authorizer,
                                 const common::Clock& clock)
    : store_(store), catalog_(catalog), regions_(regions), authorizer_(authorizer), clock_(clock) {}

Status ExchangeService::Sync() {
  std::vector<DatasetStore::Definition> pending;
  catalog_.index().ForEach([&](const catalog::IndexedEntry& e) {
    auto def = DefinitionOf(e);
    if (!def) return;
    auto current = store_.Find(def->id);
    if (!current || current->entry_version < def->entry_version) pending.push_back(std::move(*def));
  });
  for (const auto& def : pending) {
    auto defined = store_.Define(def);
    if (defined.ok()) continue;
    if (defined.status().kind() == common::ErrorKind::kUnprocessable) {
      spdlog::warn("dataset {}: {}", def.id, defined.status().message());
      continue;
    }
    return defined.status();
  }
  return Status::Ok();
}

Result<std::shared_ptr<const Dataset>> ExchangeService::Ensure(std::int64_t entry_id) {
  const auto entry = catalog_.index().Get(entry_id);
  auto current = store_.Find(entry_id);
  std::optional<DatasetStore::Definition> def;
  if (entry) def = DefinitionOf(*entry);
  if (def && (!current || current->entry_version < def->entry_version)) return store_.Define(*def);
  if (!current) return Status::NotFound(fmt::format("dataset {} does not exist", entry_id));
  return current;
}

namespace {

/// Whether the dataset's name or resource code contains `query` (ASCII letters compared in any case).
bool Matches(const Dataset& d, std::string_view query) {
  if (query.empty()) return true;
  const auto contains = [&](std::string_view text) {
    return std::search(text.begin(), text.end(), query.begin(), query.end(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           }) != text.end();
  };
  return contains(d.name) || contains(d.resource_code);
}

}  // namespace

std::vector<std::shared_ptr<const Dataset>> ExchangeService::List(std::string_view query,
                                                                  const org::PageRequest& page) {
  if (auto s = Sync(); !s.ok()) spdlog::warn("dataset sync: {}", s.ToString());
  auto all = store_.List();
  std::erase_if(all, [&](const auto& d) { return !Matches(*d, query); });
  return org::PageInMemory(std::move(all), page, [](const auto& d) -> const Dataset& { return *d; });
}

std::vector<StaleDataset> ExchangeService::Stale(std::string_view query, const org::PageRequest& page) const {
  auto all = store_.Stale(clock_.Now());
  std::erase_if(all, [&](const StaleDataset& s) { return !Matches(*s.dataset, query); });
  return org::PageInMemory(std::move(all), page, [](const StaleDataset& s) -> const Dataset& { return *s.dataset; });
}

Status ExchangeService::CheckProvider(const org::Principal& p, const Dataset& d) const {
  // Art. 12: the provider department aggregates its own data, through its staff or its registered systems.
  if (p.kind == org::Principal::Kind::kApplication) {
    if (p.department_id == d.provider_department_id) return Status::Ok();
    return Status::Forbidden(fmt::format("only the provider department's applications load dataset {}", d.id));
  }
  auto s = authorizer_.Check(p, org::Permission::kDataLoad, {d.region_id, d.provider_department_id});
  if (!s.ok()) return Status::Forbidden(fmt::format("only the provider department loads dataset {}", d.id));
  return Status::Ok();
}

Result<std::shared_ptr<const Dataset>> ExchangeService::Loadable(const org::Principal& p, std::int64_t id) {
  if (p.kind == org::Principal::Kind::kUser && !authorizer_.HasPermission(p, org::Permission::kDataLoad)) {
    return Status::Forbidden("not allowed: data.load");
  }
  auto d = Ensure(id);
  if (!d.ok()) return d.status();
  GOVSHARE_RETURN_IF_ERROR(CheckProvider(p, *d.value()));
  return d;
}

Result<LoadReport> ExchangeService::Load(const org::Principal& p, std::int64_t id, const common::ByteSource& source,
                                         DatasetStore::LoadOptions options) {
  auto d = Loadable(p, id);
  if (!d.ok()) return d.status();
  options.actor = ActorOf(p);
  return store_.LoadSnapshot(id, source, options, Rules());
}

Result<LoadReport> ExchangeService::ApplyBatch(const org::Principal& p, std::int64_t id, const Batch& batch,
                                               LoadMode mode, const std::string& idempotency_key,
                                               const std::string& body_sha256) {
  auto d = Loadable(p, id);
  if (!d.ok()) return d.status();
  return store_.ApplyBatch(id, batch, mode, idempotency_key, body_sha256, Rules(), ActorOf(p));
}

ValidationRules ExchangeService::Rules() const {
  ValidationRules rules;
  rules.element = [this](const std::string& id) { return catalog_.Element(id); };
  auto divisions = std::make_shared<std::unordered_set<std::string>>();
  for (const auto& r : regions_.all()) {
    if (r.division_code) divisions->insert(*r.division_code);
    if (r.gb_parent_code) divisions->insert(*r.gb_parent_code);
  }
  if (!divisions->empty()) {
    rules.known_division = [divisions](std::string_view code) { return divisions->count(std::string(code)) != 0; };
  }
  const std::string today = common::FormatDate(clock_.Now());  // YYYY-MM-DD in Asia/Shanghai
  rules.today_yyyymmdd =
      std::stoi(today.substr(0, 4)) * 10000 + std::stoi(today.substr(5, 2)) * 100 + std::stoi(today.substr(8, 2));
  return rules;
}

}  // namespace govshare::exchange
