#include "exchange/data_access.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/crypto.hpp"
#include "common/json.hpp"
#include "exchange/masking.hpp"

namespace govshare::exchange {

using common::ErrorKind;
using common::Result;
using common::Status;
using org::Principal;

namespace {

constexpr std::size_t kMaxBusinessRef = 128;

Status Denied(std::string code, std::string message) {
  return {ErrorKind::kForbidden, std::move(code), std::move(message)};
}

/// The text of a stored value (numbers as SQLite would print them); nullopt for null.
std::optional<std::string> Text(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  return fmt::format("{}", std::get<double>(v));
}

/// Values compare as the data elements define them: an ID number's check character in either case.
bool SameValue(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

}  // namespace

DataAccess::DataAccess(sharing::SharingService& sharing, const catalog::CatalogService& catalog,
                       ExchangeService& exchange, EndpointService& endpoints, org::OrgStore& org,
                       const common::Clock& clock, std::string hash_key)
    : sharing_(sharing),
      catalog_(catalog),
      exchange_(exchange),
      endpoints_(endpoints),
      org_(org),
      clock_(clock),
      hash_key_(std::move(hash_key)) {}

bool DataAccess::IsLogical(std::int64_t dataset_id) {
  auto e = endpoints_.Find(dataset_id);
  return e.ok() && e.value().has_value();
}

Result<std::shared_ptr<const Access>> DataAccess::Compile(const std::shared_ptr<const sharing::CompiledGrant>& grant) {
  const auto& g = grant->grant;
  auto endpoint = endpoints_.Find(g.entry_id);
  if (!endpoint.ok()) return endpoint.status();
  std::shared_ptr<const Dataset> dataset;
  if (!endpoint.value()) {
    dataset = exchange_.store().Find(g.entry_id);
    if (!dataset) {  // a newly published entry: its dataset is created on first use
      auto ensured = exchange_.Ensure(g.entry_id);
      if (ensured.ok()) dataset = ensured.value();
    }
  }
  {
    std::shared_lock lock(cache_mutex_);
    if (auto it = cache_.find(g.id);
        it != cache_.end() && it->second->grant == grant &&
        it->second->endpoint.has_value() == endpoint.value().has_value() &&
        (!dataset || (it->second->dataset && it->second->dataset->entry_version == dataset->entry_version))) {
      return it->second;
    }
  }
  auto a = std::make_shared<Access>();
  a->grant = grant;
  a->items = g.items;
  for (const auto& item : g.items) {
    auto m = g.masks.find(item);
    a->masks.push_back(m == g.masks.end() || m->second == "none" ? std::string() : m->second);
  }
  if (auto d = org_.GetDepartment(g.provider_department_id); d.ok() && d.value()) a->provider_name = d.value()->name;
  if (auto d = org_.GetDepartment(g.consumer_department_id); d.ok() && d.value()) a->consumer_name = d.value()->name;
  if (endpoint.value()) {
    a->endpoint = *endpoint.value();
    if (auto entry = catalog_.index().Get(g.entry_id); entry && entry->published) {
      for (const auto& item : entry->published->content.items) {
        if (item.key) a->keys.push_back(item.name);
        if (item.element == kRegionElement && a->region_item.empty()) a->region_item = item.name;
      }
    }
    // The row scope needs the record's division code even when the grant does not include it (it is not returned).
    a->fetch_items = a->items;
    if (!a->region_item.empty() &&
        std::find(a->fetch_items.begin(), a->fetch_items.end(), a->region_item) == a->fetch_items.end()) {
      a->fetch_items.push_back(a->region_item);
    }
    if (a->keys.empty()) return Status::Internal("a logically accessed entry without a key item");
    a->keys.resize(1);  // the interface takes one key: the entry's first key item
  } else {
    if (!dataset) {
      return Status{ErrorKind::kNotFound, "dataset_not_found",
                    fmt::format("dataset {} has no data on the platform yet", g.entry_id)};
    }
    std::vector<int> columns;
    for (const auto& item : g.items) {
      const int index = dataset->ColumnIndex(item);
      if (index < 0) return Denied("item_not_granted", fmt::format("'{}' is not an item of the dataset", item));
      columns.push_back(index);
    }
    a->dataset = dataset;
    a->view = std::make_shared<const View>(dataset, columns);
    for (int k : dataset->key) a->keys.push_back(dataset->columns[static_cast<std::size_t>(k)].name);
  }
  std::shared_ptr<const Access> out = std::move(a);
  std::unique_lock lock(cache_mutex_);
  cache_[g.id] = out;
  return out;
}

Result<std::shared_ptr<const Access>> DataAccess::Authorize(const Principal& p, const DataCall& call,
                                                            std::string_view manner, Served& served) {
  served.grant_id = call.grant_id;
  served.business_ref = call.business_ref;
  if (p.kind != Principal::Kind::kApplication) {
    return Denied("applications_only", "the data API is for applications' API keys (Bearer gsk_…)");
  }
  if (call.business_ref.empty() || call.business_ref.size() > kMaxBusinessRef ||
      !common::IsCleanText(call.business_ref)) {
    return Status::Invalid("business_ref_required",
                           "X-Business-Ref names the service matter or case number the call serves (Art. 14, 30)",
                           "X-Business-Ref");
  }
  if (call.grant_id.empty()) return Status::Invalid("grant_required", "X-Grant-Id names the grant used", "X-Grant-Id");
  auto grant = sharing_.Compile(call.grant_id);
  if (!grant || grant->grant.application_id != p.id) {
    return Denied("grant_unknown", "no such grant for this application");
  }
  const auto& g = grant->grant;
  served.scenario = g.scenario.purpose;
  if (g.entry_id != call.dataset_id) return Denied("grant_other_dataset", "the grant is for another dataset");
  if (auto reason = grant->Check(clock_.Now(), manner, {}); !reason.empty()) {
    return Denied(reason, fmt::format("the grant does not allow this call ({})", reason));
  }
  if (auto reason = meter_.Take(g.id, g.quota_per_day, g.rate_per_minute, clock_.Now()); !reason.empty()) {
    if (reason == "rate_limited") {
      return Status{ErrorKind::kTooManyRequests, reason,
                    fmt::format("more than {} calls in a minute", g.rate_per_minute)};
    }
    return Denied(reason, fmt::format("the grant's {} calls of today are used", g.quota_per_day));
  }
  return Compile(grant);
}

std::optional<std::string> DataAccess::MaskValue(const Access& a, std::size_t i, std::string_view value) const {
  if (a.masks[i].empty()) return std::string(value);
  // The `hash` mask is keyed per consumer department: its values join within the department, not across.
  return Mask(a.masks[i], value,
              a.masks[i] == "hash"
                  ? common::HmacSha256Hex(hash_key_, std::to_string(a.grant->grant.consumer_department_id))
                  : std::string());
}

Result<std::vector<std::string>> DataAccess::SplitKey(const Access& a, const std::string& key) const {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto bar = key.find('|', start);
    parts.push_back(key.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  const std::size_t expected = a.keys.size();
  if (parts.size() != expected || std::any_of(parts.begin(), parts.end(), [](const auto& s) { return s.empty(); })) {
    return Status::Invalid("invalid_key", fmt::format("the key is {} value(s) joined by '|'", expected), "key");
  }
  return parts;
}

Result<std::string> DataAccess::Lookup(const Principal& p, const DataCall& call, const std::string& key,
                                       Served& served) {
  auto access = Authorize(p, call, "lookup", served);
  if (!access.ok()) return access.status();
  const Access& a = *access.value();
  auto parts = SplitKey(a, key);
  if (!parts.ok()) return parts.status();
  const auto& g = a.grant->grant;
  common::JsonWriter w;
  w.StartObject().Key("dataset_id").Int(g.entry_id).Key("grant_id").String(g.id).Key("record").StartObject();
  std::string region;
  if (a.endpoint) {
    auto record = endpoints_.client().Fetch(*a.endpoint, a.provider_name, parts->front(), a.fetch_items,
                                            {g.id, call.business_ref, a.consumer_name, ""});
    if (!record.ok()) return record.status();
    if (!record.value()) return Status{ErrorKind::kNotFound, "record_not_found", "no record with this key"};
    auto r = record.value()->find(a.region_item);
    region = r == record.value()->end() ? std::string() : r->second;
    if (!a.region_item.empty() && !InRowScope(g.row_scope, region)) {
      return Denied("out_of_scope", "the record lies outside the grant's row scope");
    }
    for (std::size_t i = 0; i < a.items.size(); ++i) {
      w.Key(a.items[i]);
      auto v = record.value()->find(a.items[i]);
      auto masked = v == record.value()->end() ? std::nullopt : MaskValue(a, i, v->second);
      masked ? (void)w.String(*masked) : (void)w.Null();
    }
  } else {
    Row row;
    auto found = exchange_.store().Lookup(*a.view, parts.value(), row);
    if (!found.ok()) return found.status();
    if (!found.value()) return Status{ErrorKind::kNotFound, "record_not_found", "no record with this key"};
    if (a.dataset->region_column && !InRowScope(g.row_scope, row.region)) {
      return Denied("out_of_scope", "the record lies outside the grant's row scope");
    }
    for (std::size_t i = 0; i < a.items.size(); ++i) {
      w.Key(a.items[i]);
      const auto& v = row.values[i];
      if (a.masks[i].empty() && !std::holds_alternative<std::string>(v)) {
        if (const auto* n = std::get_if<std::int64_t>(&v)) {
          w.Int(*n);
        } else if (const auto* d = std::get_if<double>(&v)) {
          w.Double(*d);
        } else {
          w.Null();
        }
        continue;
      }
      auto text = Text(v);
      auto masked = text ? MaskValue(a, i, *text) : std::nullopt;
      masked ? (void)w.String(*masked) : (void)w.Null();
    }
  }
  w.EndObject().EndObject();
  served.fields = Join(a.items);
  served.rows = 1;
  return w.str();
}

Result<std::string> DataAccess::Verify(const Principal& p, const DataCall& call,
                                       const std::vector<std::pair<std::string, std::string>>& fields, Served& served) {
  auto access = Authorize(p, call, "verify", served);
  if (!access.ok()) return access.status();
  const Access& a = *access.value();
  const auto& g = a.grant->grant;
  if (fields.empty()) return Status::Invalid("fields_required", "give the values to verify", "/fields");
  std::vector<std::string> names;
  for (const auto& [item, value] : fields) {
    if (std::find(a.items.begin(), a.items.end(), item) == a.items.end()) {
      return Denied("item_not_granted", fmt::format("'{}' is not granted", item));
    }
    names.push_back(item);
  }
  // The record: by its key, which must be among the fields.
  std::vector<std::string> key;
  for (const auto& k : a.keys) {
    auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == k; });
    if (it == fields.end()) {
      return Status::Invalid("key_required", fmt::format("verification needs the key item '{}'", k), "/fields");
    }
    key.push_back(it->second);
  }
  std::map<std::string, std::optional<std::string>> stored;
  std::string region;
  bool found = false;
  if (a.endpoint) {
    auto record = endpoints_.client().Fetch(*a.endpoint, a.provider_name, key.front(), a.fetch_items,
                                            {g.id, call.business_ref, a.consumer_name, ""});
    if (!record.ok()) return record.status();
    if (record.value()) {
      found = true;
      for (const auto& [k, v] : *record.value()) stored[k] = v;
      if (auto r = record.value()->find(a.region_item); r != record.value()->end()) region = r->second;
    }
  } else {
    Row row;
    auto hit = exchange_.store().Lookup(*a.view, key, row);
    if (!hit.ok()) return hit.status();
    found = hit.value();
    if (found) {
      for (std::size_t i = 0; i < a.items.size(); ++i) stored[a.items[i]] = Text(row.values[i]);
      region = row.region;
    }
  }
  const bool scoped = a.endpoint ? !a.region_item.empty() : a.dataset->region_column.has_value();
  if (found && scoped && !InRowScope(g.row_scope, region)) {
    return Denied("out_of_scope", "the record lies outside the grant's row scope");
  }
  common::JsonWriter w;
  w.StartObject().Key("dataset_id").Int(g.entry_id).Key("grant_id").String(g.id);
  w.Key("record_found").Bool(found).Key("match").StartObject();
  for (const auto& [item, value] : fields) {
    auto s = stored.find(item);
    w.Key(item).Bool(found && s != stored.end() && s->second && SameValue(*s->second, value));
  }
  w.EndObject().EndObject();
  served.fields = Join(names);
  served.rows = found ? 1 : 0;
  return w.str();
}

}  // namespace govshare::exchange
