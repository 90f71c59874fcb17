#include "exchange/data_access.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/csv.hpp"
#include "common/json.hpp"
#include "exchange/masking.hpp"

namespace govshare::exchange {

using common::ErrorKind;
using common::Result;
using common::Status;
using org::Principal;

namespace {

constexpr std::size_t kMaxBusinessRef = 128;
constexpr std::size_t kMaxFilters = 16;
constexpr std::string_view kCursorPurpose = "govshare data cursor v1";

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
                       const common::Clock& clock, std::string hash_key, int max_concurrent_exports)
    : sharing_(sharing),
      catalog_(catalog),
      exchange_(exchange),
      endpoints_(endpoints),
      org_(org),
      clock_(clock),
      hash_key_(std::move(hash_key)),
      max_exports_(max_concurrent_exports) {}

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
  return Compile(grant);
}

Status DataAccess::Meter(const Access& a, std::int64_t records) {
  const auto& g = a.grant->grant;
  if (auto reason = meter_.Take(g.id, g.quota_per_day, g.rate_per_minute, clock_.Now(), records); !reason.empty()) {
    if (reason == "rate_limited") {
      return Status{ErrorKind::kTooManyRequests, reason,
                    fmt::format("more than {} calls in a minute", g.rate_per_minute)};
    }
    return QuotaExceeded(a, records);
  }
  return Status::Ok();
}

Status DataAccess::Charge(const Access& a, std::int64_t records) {
  const auto& g = a.grant->grant;
  if (auto reason = meter_.Charge(g.id, g.quota_per_day, clock_.Now(), records); !reason.empty()) {
    return QuotaExceeded(a, records);
  }
  return Status::Ok();
}

Status DataAccess::QuotaExceeded(const Access& a, std::int64_t records) const {
  const auto& g = a.grant->grant;
  const std::int64_t left = std::max<std::int64_t>(0, g.quota_per_day - meter_.Get(g.id, clock_.Now()).today);
  if (records <= 1 || left == 0) {
    return Denied("quota_exceeded", fmt::format("the grant's {} records of today are used", g.quota_per_day));
  }
  return Denied("quota_exceeded", fmt::format("this call would deliver {} records; {} of the grant's {} of today are "
                                              "left (ask for fewer: a smaller limit or narrower filters)",
                                              records, left, g.quota_per_day));
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
  GOVSHARE_RETURN_IF_ERROR(Meter(a));
  const auto& g = a.grant->grant;
  common::JsonWriter w;
  w.StartObject().Key("dataset_id").Int(g.entry_id).Key("grant_id").String(g.id).Key("record");
  std::string region;
  if (a.endpoint) {
    w.StartObject();
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
    w.EndObject();
  } else {
    Row row;
    auto found = exchange_.store().Lookup(*a.view, parts.value(), row);
    if (!found.ok()) return found.status();
    if (!found.value()) return Status{ErrorKind::kNotFound, "record_not_found", "no record with this key"};
    if (!InScope(a, row.region)) return Denied("out_of_scope", "the record lies outside the grant's row scope");
    WriteRecord(w, a, row);
  }
  w.EndObject();
  served.fields = Join(a.items);
  served.rows = 1;
  return w.str();
}

Result<std::string> DataAccess::Verify(const Principal& p, const DataCall& call,
                                       const std::vector<std::pair<std::string, std::string>>& fields, Served& served) {
  auto access = Authorize(p, call, "verify", served);
  if (!access.ok()) return access.status();
  const Access& a = *access.value();
  GOVSHARE_RETURN_IF_ERROR(Meter(a));
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

bool DataAccess::InScope(const Access& a, const std::string& region) const {
  // As Lookup always did: a dataset without a division-code column has no rows to scope.
  return !a.dataset->region_column || InRowScope(a.grant->grant.row_scope, region);
}

void DataAccess::WriteRecord(common::JsonWriter& w, const Access& a, const Row& row) const {
  w.StartObject();
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
  w.EndObject();
}

std::vector<std::string> DataAccess::RecordTexts(const Access& a, const Row& row) const {
  std::vector<std::string> out;
  out.reserve(a.items.size());
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    auto text = Text(row.values[i]);
    auto masked = text ? MaskValue(a, i, *text) : std::nullopt;
    out.push_back(masked.value_or(std::string()));
  }
  return out;
}

std::string DataAccess::SealCursor(const Access& a, const std::vector<std::string>& key) const {
  // The cursor holds the last key unmasked, so it is encrypted (never readable by the client) and bound to the grant.
  return common::SealToken(hash_key_, kCursorPurpose, nlohmann::json{{"g", a.grant->grant.id}, {"k", key}}.dump());
}

Result<QuerySpec> DataAccess::Spec(const Access& a, const QueryCall& query) const {
  if (a.endpoint) {
    return Status{ErrorKind::kConflict, "manner_not_supported_for_logical",
                  "the dataset is logically accessed (the provider's interface answers lookups and verifications "
                  "only): queries, exports and change feeds need a physical dataset"};
  }
  if (query.filters.size() > kMaxFilters) {
    return Status::Invalid("invalid_filter", fmt::format("at most {} filters", kMaxFilters));
  }
  QuerySpec spec;
  for (const auto& f : query.filters) {
    const auto it = std::find(a.items.begin(), a.items.end(), f.item);
    if (it == a.items.end()) return Denied("item_not_granted", fmt::format("'{}' is not granted", f.item));
    const auto i = static_cast<std::size_t>(it - a.items.begin());
    const int column = a.view->columns()[i];
    const Column& c = a.dataset->columns[static_cast<std::size_t>(column)];
    if (f.op != Filter::Op::kEq) {
      // A range or prefix over a masked item would reveal what the mask hides (e.g. a birth date by bisection).
      if (!a.masks[i].empty()) {
        return Denied("item_masked", fmt::format("'{}' is masked by the grant: equality filters only", f.item));
      }
      const bool ordered = c.storage != Storage::kText || c.data_type == "D" || c.data_type == "T";
      if (f.op == Filter::Op::kPrefix && a.dataset->region_column != column) {
        return Status::Invalid("invalid_filter", fmt::format("'{}' is not the division-code item: no prefix", f.item));
      }
      if (f.op != Filter::Op::kPrefix && !ordered) {
        return Status::Invalid("invalid_filter", fmt::format("'{}' is not a date or a number: no range", f.item));
      }
    }
    if (f.value.empty() && f.op != Filter::Op::kPrefix) {
      return Status::Invalid("invalid_filter", fmt::format("the filter on '{}' has no value", f.item));
    }
    if (!FitsStorage(c, f.value)) {  // refused here, before the quota, rather than by the store
      return Status::Invalid("invalid_filter", fmt::format("'{}' is not a value of '{}'", f.value, f.item));
    }
    spec.filters.push_back({column, f.op, f.value});
  }
  if (!query.cursor.empty()) {
    auto plain = common::OpenToken(hash_key_, kCursorPurpose, query.cursor);
    nlohmann::json cursor = plain ? nlohmann::json::parse(*plain, nullptr, false) : nlohmann::json();
    if (!cursor.is_object() || cursor.value("g", "") != a.grant->grant.id || !cursor.contains("k") ||
        !cursor["k"].is_array() || cursor["k"].size() != a.keys.size()) {
      return Status::Invalid("invalid_cursor", "the cursor is not one this grant's query returned", "cursor");
    }
    for (const auto& k : cursor["k"]) {
      if (!k.is_string()) return Status::Invalid("invalid_cursor", "the cursor is damaged", "cursor");
      spec.after_key.push_back(k.get<std::string>());
    }
  }
  if (query.limit < 1 || query.limit > kMaxQueryLimit) {
    return Status::Invalid("invalid_limit", fmt::format("limit must be 1..{}", kMaxQueryLimit), "limit");
  }
  spec.limit = query.limit;
  if (a.dataset->region_column) spec.region_prefixes = a.grant->grant.row_scope;  // Art. 14: the grant's rows only
  return spec;
}

Result<std::string> DataAccess::Query(const Principal& p, const DataCall& call, const QueryCall& query,
                                      Served& served) {
  auto access = Authorize(p, call, "bulk", served);
  if (!access.ok()) return access.status();
  const Access& a = *access.value();
  auto spec = Spec(a, query);
  if (!spec.ok()) return spec.status();
  GOVSHARE_RETURN_IF_ERROR(Meter(a, 0));  // the page's records are charged once known
  auto page = exchange_.store().Query(*a.view, spec.value());
  if (!page.ok()) return page.status();
  const auto& g = a.grant->grant;
  common::JsonWriter w;
  w.StartObject().Key("dataset_id").Int(g.entry_id).Key("grant_id").String(g.id).Key("records").StartArray();
  std::int64_t rows = 0;
  for (const auto& row : page->rows) {
    if (!InScope(a, row.region)) continue;  // the store applied the scope already; never trust one layer alone
    WriteRecord(w, a, row);
    ++rows;
  }
  GOVSHARE_RETURN_IF_ERROR(Charge(a, rows));
  w.EndArray().Key("next_cursor");
  page->next_after_key ? (void)w.String(SealCursor(a, *page->next_after_key)) : (void)w.Null();
  w.EndObject();
  served.fields = Join(a.items);
  served.rows = rows;
  return w.str();
}

Result<ExportPlan> DataAccess::Export(const Principal& p, const DataCall& call, const QueryCall& query,
                                      Served& served) {
  auto access = Authorize(p, call, "bulk", served);
  if (!access.ok()) return access.status();
  const Access& a = *access.value();
  if (!query.cursor.empty()) return Status::Invalid("invalid_parameter", "an export has no cursor", "cursor");
  auto spec = Spec(a, query);
  if (!spec.ok()) return spec.status();
  // A running export holds a read connection and a blocking thread: at most max_exports_ at once.
  int running = exports_running_.load();
  do {
    if (running >= max_exports_) {
      return Status::Unavailable("exports_busy",
                                 fmt::format("{} exports are running, the most at once: retry shortly", running));
    }
  } while (!exports_running_.compare_exchange_weak(running, running + 1));
  std::shared_ptr<void> slot(this, [](DataAccess* d) { d->exports_running_.fetch_sub(1); });
  // The whole export is charged before its first byte: refused if today's volume has not room for every row.
  GOVSHARE_RETURN_IF_ERROR(Meter(a, 0));
  auto rows = exchange_.store().Count(*a.view, spec.value());
  if (!rows.ok()) return rows.status();
  GOVSHARE_RETURN_IF_ERROR(Charge(a, rows.value()));
  served.fields = Join(a.items);
  ExportPlan plan;
  plan.slot_ = std::move(slot);
  plan.data_ = this;
  plan.access_ = access.value();
  plan.spec_ = std::move(spec.value());
  return plan;
}

Status ExportPlan::Run(ExportFormat format, const std::function<bool(std::string_view)>& write,
                       std::int64_t& rows) const {
  const Access& a = *access_;
  std::string line;
  if (format == ExportFormat::kCsv) {
    common::AppendCsvRow(line, a.items);
    if (!write(line)) return Status::Ok();
  }
  return data_->exchange_.store().Scan(*a.view, spec_, [&](const Row& row) {
    if (!data_->InScope(a, row.region)) return true;
    line.clear();
    if (format == ExportFormat::kCsv) {
      common::AppendCsvRow(line, data_->RecordTexts(a, row));
    } else {
      common::JsonWriter w;
      data_->WriteRecord(w, a, row);
      line = w.str();
      line += '\n';
    }
    ++rows;
    return write(line);
  });
}

Result<std::string> DataAccess::Changes(const Principal& p, const DataCall& call, std::int64_t since, int limit,
                                        Served& served) {
  auto access = Authorize(p, call, "subscribe", served);
  if (!access.ok()) return access.status();
  const Access& a = *access.value();
  GOVSHARE_RETURN_IF_ERROR(Spec(a, QueryCall{}).status());  // refuses a logical dataset
  if (since < 0) return Status::Invalid("invalid_since", "since is a change sequence number, 0 or more", "since");
  if (limit < 1 || limit > kMaxQueryLimit) {
    return Status::Invalid("invalid_limit", fmt::format("limit must be 1..{}", kMaxQueryLimit), "limit");
  }
  GOVSHARE_RETURN_IF_ERROR(Meter(a, 0));  // the entries delivered are charged once known
  auto changes = exchange_.store().Changes(a.dataset->id, since, limit);
  if (!changes.ok()) return changes.status();
  const auto& g = a.grant->grant;
  common::JsonWriter w;
  w.StartObject().Key("dataset_id").Int(g.entry_id).Key("grant_id").String(g.id).Key("changes").StartArray();
  std::int64_t next_since = since;
  std::int64_t rows = 0;
  Row row;
  for (const auto& ch : changes.value()) {
    next_since = ch.seq;
    if (!InScope(a, ch.region)) continue;
    const bool upsert = ch.op == ChangeOp::kUpsert;
    w.StartObject().Key("seq").Int(ch.seq).Key("op").String(upsert ? "upsert" : "delete");
    w.Key("at").String(common::FormatRfc3339(ch.at)).Key("key").StartObject();
    for (std::size_t k = 0; k < a.keys.size() && k < ch.key.size(); ++k) {
      // Only granted key items, masked like every other value (a `hash` mask keeps them joinable).
      const auto it = std::find(a.items.begin(), a.items.end(), a.keys[k]);
      if (it == a.items.end()) continue;
      auto masked = MaskValue(a, static_cast<std::size_t>(it - a.items.begin()), ch.key[k]);
      w.Key(a.keys[k]);
      masked ? (void)w.String(*masked) : (void)w.Null();
    }
    w.EndObject();
    if (upsert) {
      // The row as it is now: gone since (a later delete follows in the feed) or moved out of the scope → null.
      auto found = exchange_.store().Lookup(*a.view, ch.key, row);
      if (!found.ok()) return found.status();
      w.Key("record");
      found.value() && InScope(a, row.region) ? WriteRecord(w, a, row) : (void)w.Null();
    }
    w.EndObject();
    ++rows;
  }
  GOVSHARE_RETURN_IF_ERROR(Charge(a, rows));
  w.EndArray().Key("next_since").Int(next_since).EndObject();
  served.fields = Join(a.items);
  served.rows = rows;
  return w.str();
}

}  // namespace govshare::exchange
