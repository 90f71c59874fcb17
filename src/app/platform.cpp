#include "app/platform.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/crypto.hpp"
#include "common/json_file.hpp"
#include "http/client.hpp"
#include "http/handlers/handlers.hpp"
#include "store/pg/case_store_pg.hpp"
#include "store/pg/catalog_store_pg.hpp"
#include "store/pg/cluster.hpp"
#include "store/pg/dataset_store_pg.hpp"
#include "store/pg/endpoint_store_pg.hpp"
#include "store/pg/migrations.hpp"
#include "store/pg/org_store_pg.hpp"
#include "store/pg/sharing_store_pg.hpp"
#include "store/pg/usage_store_pg.hpp"
#include "store/sqlite/case_store_sqlite.hpp"
#include "store/sqlite/catalog_store_sqlite.hpp"
#include "store/sqlite/endpoint_store_sqlite.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/org_store_sqlite.hpp"
#include "store/sqlite/sharing_store_sqlite.hpp"
#include "store/sqlite/usage_store_sqlite.hpp"

namespace govshare::app {

using common::Status;

namespace {
/// The channel of migration 8's triggers: "<table>:<key>" for every change to what nodes cache.
constexpr const char* kChangesChannel = "govshare_changes";
}  // namespace

std::string ResourceDir() {
  if (const char* dir = std::getenv("GOVSHARE_RESOURCES")) return dir;
  return std::string(GOVSHARE_SOURCE_DIR) + "/data";
}

Platform::Platform(common::Config config, std::shared_ptr<common::Clock> clock)
    : config_(std::move(config)), clock_(std::move(clock)) {}

common::Result<std::unique_ptr<Platform>> Platform::Open(const common::Config& config,
                                                         std::shared_ptr<common::Clock> clock) {
  GOVSHARE_RETURN_IF_ERROR(common::InitCrypto());
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::Unavailable("data_dir", fmt::format("cannot create {}: {}", config.data_dir, ec.message()));
  if (!clock) clock = std::make_shared<common::SystemClock>();
  std::unique_ptr<Platform> p(new Platform(config, std::move(clock)));
  GOVSHARE_RETURN_IF_ERROR(p->OpenStores());
  GOVSHARE_RETURN_IF_ERROR(p->ReloadRegions());
  p->org_ = std::make_unique<org::OrgService>(*p->org_store_, p->regions_, p->authorizer_, *p->clock_, config.auth);
  // The official calendar ships with govshare; years installed by an administrator override it (Art. 9, 15, 16).
  GOVSHARE_RETURN_IF_ERROR(p->calendar_.LoadDirectory(ResourceDir() + "/calendar"));
  if (p->pg_) {
    GOVSHARE_RETURN_IF_ERROR(p->ReloadCalendarYears());
  } else if (std::filesystem::is_directory(config.data_dir + "/calendar")) {
    GOVSHARE_RETURN_IF_ERROR(p->calendar_.LoadDirectory(config.data_dir + "/calendar"));
  }
  auto rules = calendar::RulePack::Load(ResourceDir() + "/rules/" + config.workflow.rule_pack + ".json");
  if (!rules.ok()) return rules.status();
  p->rules_ = std::make_unique<calendar::RulePack>(std::move(rules.value()));
  // On PostgreSQL every node appends to one tree in the database (ADR 0012); audit.key stays in the data directory.
  auto audit = p->pg_ ? audit::AuditLog::OpenPostgres(*p->pg_, config.data_dir, *p->clock_)
                      : audit::AuditLog::Open(config.data_dir, *p->clock_);
  if (!audit.ok()) return audit.status();
  p->audit_ = std::move(audit.value());
  p->audit_->SetCommitWait(std::chrono::microseconds(config.audit.CommitWaitUs(p->pg_ != nullptr)));
  p->cases_ = std::make_unique<workflow::CaseService>(*p->case_store_, *p->blobs_, *p->org_store_, p->regions_,
                                                      p->calendar_, *p->rules_, *p->clock_);
  p->webhooks_ = std::make_unique<workflow::WebhookService>(
      *p->case_store_, *p->org_store_, p->authorizer_, *p->clock_,
      [](const std::string& url, const std::string& body,
         const std::vector<std::pair<std::string, std::string>>& headers) -> common::Result<unsigned> {
        constexpr auto kWebhookTimeout = std::chrono::seconds(5);
        auto res = http::Post(url, body, headers, kWebhookTimeout);
        if (!res.ok()) return res.status();
        return res->status;
      });
  p->catalog_ = std::make_unique<catalog::CatalogService>(*p->catalog_store_, *p->cases_, *p->org_store_, p->regions_,
                                                          p->authorizer_, *p->clock_);
  GOVSHARE_RETURN_IF_ERROR(p->catalog_->Start());
  p->sharing_ = std::make_unique<sharing::SharingService>(
      *p->sharing_store_, *p->catalog_, *p->cases_, *p->org_store_, p->regions_, p->authorizer_, *p->clock_,
      sharing::SharingOptions{p->config_.sharing.auto_grant_unconditional, p->config_.sharing.auto_provide});
  GOVSHARE_RETURN_IF_ERROR(p->sharing_->Start());
  // Datasets live in their own file (ADR 0009): bulk loads never hold the main database's writer.
  exchange::DatasetStore::Options exchange_options;
  exchange_options.path = config.data_dir + "/exchange.db";
  exchange_options.read_connections = static_cast<int>(config.sqlite.read_connections);
  exchange_options.busy_timeout_ms = static_cast<int>(config.sqlite.busy_timeout_ms);
  exchange_options.checkpoint_interval_s = static_cast<int>(config.sqlite.checkpoint_interval_s);
  // On PostgreSQL the datasets are in the database, their tables partitioned by city (ADR 0011).
  auto datasets = p->pg_ ? store::pg::OpenDatasetStore(*p->pg_, *p->clock_)
                         : exchange::DatasetStore::Open(exchange_options, *p->clock_);
  if (!datasets.ok()) return datasets.status();
  p->datasets_ = std::move(datasets.value());
  p->exchange_ =
      std::make_unique<exchange::ExchangeService>(*p->datasets_, *p->catalog_, p->regions_, p->authorizer_, *p->clock_);
  GOVSHARE_RETURN_IF_ERROR(p->exchange_->Sync());
  p->endpoints_ = std::make_unique<exchange::EndpointService>(*p->endpoint_store_, *p->catalog_, *p->org_store_,
                                                              p->regions_, *p->clock_);
  std::string mask_key;
  GOVSHARE_RETURN_IF_ERROR(common::ReadOrCreateSecret(config.data_dir + "/mask.key", mask_key));
  // Every node must mask a value the same way (the `hash` mask is an HMAC under this key).
  if (p->pg_) GOVSHARE_RETURN_IF_ERROR(store::pg::CheckSharedSecret(*p->pg_, "mask.key", mask_key, "mask.key"));
  p->data_ = std::make_unique<exchange::DataAccess>(*p->sharing_, *p->catalog_, *p->exchange_, *p->endpoints_,
                                                    *p->org_store_, *p->clock_, mask_key,
                                                    static_cast<int>(config.exchange.max_concurrent_exports));
  // Art. 14: today's uses of each grant count against its quota across restarts.
  auto today = p->usage_store_->LoadDay(exchange::UsageMeter::DayOf(p->clock_->Now()));
  if (!today.ok()) return today.status();
  p->data_->meter().Restore(today.value());
  http::handlers::RegisterAll(p->router_, *p);
  auto* raw = p.get();
  p->metrics_.AddGauge("govshare_storage_healthy", "1 when the main database accepts commits.",
                       [raw] { return raw->Ready().ok() ? 1.0 : 0.0; });
  if (p->db_) {
    p->metrics_.AddGauge("govshare_storage_committed_groups", "Group commits of the main database since start.",
                         [raw] { return static_cast<double>(raw->db_->committed_groups()); });
    p->metrics_.AddGauge("govshare_storage_committed_jobs", "Write jobs committed to the main database since start.",
                         [raw] { return static_cast<double>(raw->db_->committed_jobs()); });
  } else {
    // The other nodes' changes (and this node's own: harmless) reach the caches from here on.
    auto notifier = store::pg::Notifier::Start(
        config.storage, kChangesChannel, [raw](std::optional<std::string_view> change) { raw->OnChanged(change); });
    if (!notifier.ok()) return notifier.status();
    p->notifier_ = std::move(notifier.value());
    // What other nodes committed between this node's loading and its first LISTEN was not heard: load it again now.
    p->OnChanged(std::nullopt);
    p->jobs_role_ = std::make_unique<store::pg::Leadership>(config.storage, "periodic-jobs");
    p->metrics_.AddGauge("govshare_leads_jobs", "1 while this node runs the deployment's periodic jobs.",
                         [raw] { return raw->jobs_role_->leading() ? 1.0 : 0.0; });
  }
  return p;
}

Status Platform::OpenStores() {
  if (config_.storage == "sqlite") {
    store::sqlite::Database::Options options;
    options.path = config_.data_dir + "/govshare.db";
    options.read_connections = static_cast<int>(config_.sqlite.read_connections);
    options.group_commit_max_jobs = static_cast<int>(config_.sqlite.group_commit_max_jobs);
    options.checkpoint_interval_s = static_cast<int>(config_.sqlite.checkpoint_interval_s);
    options.busy_timeout_ms = static_cast<int>(config_.sqlite.busy_timeout_ms);
    auto db = store::sqlite::Database::Open(options, store::sqlite::MainMigrations());
    if (!db.ok()) return db.status();
    db_ = std::move(db.value());
    org_store_ = std::make_unique<store::sqlite::SqliteOrgStore>(*db_, *clock_);
    case_store_ = std::make_unique<store::sqlite::SqliteCaseStore>(*db_);
    blobs_ = std::make_unique<store::FileBlobStore>(config_.data_dir + "/attachments");
    catalog_store_ = std::make_unique<store::sqlite::SqliteCatalogStore>(*db_);
    sharing_store_ = std::make_unique<store::sqlite::SqliteSharingStore>(*db_);
    endpoint_store_ = std::make_unique<store::sqlite::SqliteEndpointStore>(*db_);
    usage_store_ = std::make_unique<store::sqlite::SqliteUsageStore>(*db_);
    return Status::Ok();
  }
  store::pg::Database::Options options;
  options.conninfo = config_.storage;
  options.max_connections = static_cast<int>(config_.postgresql.max_connections);
  options.max_attempts = static_cast<int>(config_.postgresql.max_attempts);
  auto db = store::pg::Database::Open(options, store::pg::MainMigrations());
  if (!db.ok()) return db.status();
  pg_ = std::move(db.value());
  org_store_ = std::make_unique<store::pg::PgOrgStore>(*pg_, *clock_);
  case_store_ = std::make_unique<store::pg::PgCaseStore>(*pg_);
  blobs_ = std::make_unique<store::pg::PgBlobStore>(*pg_);
  catalog_store_ = std::make_unique<store::pg::PgCatalogStore>(*pg_);
  sharing_store_ = std::make_unique<store::pg::PgSharingStore>(*pg_);
  endpoint_store_ = std::make_unique<store::pg::PgEndpointStore>(*pg_);
  usage_store_ = std::make_unique<store::pg::PgUsageStore>(*pg_);
  return Status::Ok();
}

void Platform::OnChanged(std::optional<std::string_view> change) {
  if (!change) {
    spdlog::info("postgresql: reloading what this node keeps in memory (start-up, or the listener reconnected)");
    org_->ForgetCachedPrincipals();
    sharing_->Forget("");
    endpoints_->Forget();
    if (auto s = catalog_->Reload(); !s.ok()) spdlog::warn("catalog reload: {}", s.ToString());
    if (auto s = ReloadCalendarYears(); !s.ok()) spdlog::warn("calendar reload: {}", s.ToString());
    if (auto s = datasets_->Refresh(); !s.ok()) spdlog::warn("datasets reload: {}", s.ToString());
    return;
  }
  const auto colon = change->find(':');
  const std::string_view table = change->substr(0, colon);
  const std::string key(colon == std::string_view::npos ? std::string_view() : change->substr(colon + 1));
  auto id = [&key]() -> std::int64_t {
    std::int64_t n = 0;
    return std::from_chars(key.data(), key.data() + key.size(), n).ec == std::errc() ? n : 0;
  };
  if (table == "grants") {
    sharing_->Forget(key);
  } else if (table == "catalog_entries" || table == "catalog_versions") {
    if (auto s = catalog_->Refresh(id()); !s.ok()) spdlog::warn("catalog entry {}: {}", key, s.ToString());
  } else if (table == "data_elements" || table == "theme_databases") {
    if (auto s = catalog_->Reload(); !s.ok()) spdlog::warn("catalog reload: {}", s.ToString());
  } else if (table == "logical_endpoints") {
    endpoints_->Forget();
  } else if (table == "datasets") {
    // Every load and batch notifies: re-read only the dataset named (its id, migration 9), not all of them.
    const std::int64_t dataset = id();
    const auto s = dataset > 0 ? datasets_->Refresh(dataset) : datasets_->Refresh();
    if (!s.ok()) spdlog::warn("dataset {}: {}", key, s.ToString());
  } else if (table == "calendar_years") {
    if (auto s = ReloadCalendarYears(); !s.ok()) spdlog::warn("calendar reload: {}", s.ToString());
  } else {
    // departments, users, user_roles, sessions, applications, api_keys: who a credential belongs to and may do.
    org_->ForgetCachedPrincipals();
  }
}

std::string Platform::StorageName() const { return db_ ? db_->path() : "PostgreSQL"; }

int Platform::schema_version() const { return db_ ? db_->schema_version() : pg_->schema_version(); }

bool Platform::leads_jobs() const { return !jobs_role_ || jobs_role_->leading(); }

Platform::~Platform() {
  StopJobs();
  if (data_ && usage_store_) SaveUsage();  // not when Open failed before building them
}

void Platform::SaveUsage() {
  auto changed = data_->meter().TakeChanged();
  if (auto saved = usage_store_->Save(changed); !saved.ok()) {
    spdlog::warn("grant usage: {}", saved.ToString());
    data_->meter().MarkUnsaved(changed);
    return;
  }
  if (!pg_) return;  // one node: its meter already holds every use
  // The other nodes' uses of today (Art. 14: one quota for the deployment, not one per node).
  auto totals = usage_store_->LoadDay(exchange::UsageMeter::DayOf(clock_->Now()));
  if (!totals.ok()) {
    spdlog::warn("grant usage: {}", totals.status().ToString());
    return;
  }
  data_->meter().Restore(totals.value());
}

void Platform::StartJobs() {
  const auto interval = std::chrono::seconds(std::max<std::int64_t>(1, config_.workflow.monitor_interval_s));
  jobs_ = std::thread([this, interval] {
    constexpr auto kTick = std::chrono::seconds(1);
    auto next_monitor = std::chrono::steady_clock::now();
    std::unique_lock lock(jobs_mutex_);
    while (!jobs_stopping_) {
      lock.unlock();
      // Every node saves its own usage counts; the rest runs on one node of a PostgreSQL deployment at a time (the
      // leader; another takes over within a tick when its session ends) and always on SQLite.
      SaveUsage();
      const bool lead = !jobs_role_ || jobs_role_->TryLead();
      if (!lead) {
        next_monitor = std::chrono::steady_clock::now();  // a node that takes over runs the monitor at once
        lock.lock();
        jobs_cv_.wait_for(lock, kTick, [this] { return jobs_stopping_; });
        continue;
      }
      // One tree for every node: its heads are signed by the leader (safe, but wasteful, from several).
      if (auto signed_head = audit_->SignNewHead(); !signed_head.ok()) {
        spdlog::warn("audit tree head: {}", signed_head.ToString());
      }
      if (std::chrono::steady_clock::now() >= next_monitor) {
        auto touched = cases_->RunDeadlineMonitor();  // state-based: the first pass catches up after downtime
        if (!touched.ok()) spdlog::warn("deadline monitor: {}", touched.status().ToString());
        next_monitor = std::chrono::steady_clock::now() + interval;
      }
      auto sent = webhooks_->DeliverDue();
      if (!sent.ok()) spdlog::warn("webhook delivery: {}", sent.status().ToString());
      lock.lock();
      jobs_cv_.wait_for(lock, kTick, [this] { return jobs_stopping_; });
    }
  });
}

void Platform::StopJobs() {
  {
    std::lock_guard lock(jobs_mutex_);
    jobs_stopping_ = true;
  }
  jobs_cv_.notify_all();
  if (jobs_.joinable()) jobs_.join();
}

void Platform::AuditHttp(const http::Context& ctx, std::string_view route, http::AuditPhase phase,
                         audit::AuditLog::AppendCallback done) {
  const bool intent = phase == http::AuditPhase::kIntent;
  audit::AuditRecord r;
  r.time_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
  if (ctx.principal) {
    const auto& p = *ctx.principal;
    r.actor_kind = p.kind == org::Principal::Kind::kUser ? "user" : "application";
    r.actor_id = p.id;
    r.actor_name = p.name;
    r.department_id = p.department_id;
    const auto roles = p.roles.Names();
    for (const auto& role : roles) r.role += (r.role.empty() ? "" : ",") + role;
  } else {
    r.actor_kind = "anonymous";
    r.actor_name = ctx.audit_subject;
  }
  r.action = fmt::format("{} {}", std::string(ctx.request.method_string()), route);
  r.target = std::string(ctx.path);
  if (!ctx.audit.query.empty()) r.target += "?" + ctx.audit.query;  // what was asked: filters, cursor, since
  r.decision = intent ? "intent" : ctx.status < 400 ? "allow" : "deny";
  r.reason = intent ? "" : ctx.problem_code;
  if (phase == http::AuditPhase::kStreamEnd) {
    r.decision = ctx.stream_end_reason.empty() ? "complete" : "incomplete";
    r.reason = ctx.stream_end_reason;
  }
  r.client_address = ctx.client_address;
  r.request_id = ctx.request_id;
  if (!intent) {
    const http::AuditDetail& d = ctx.audit;
    r.grant_id = d.grant_id;
    r.scenario = d.scenario;
    r.business_ref = d.business_ref;
    r.fields = d.fields;
    r.row_count = d.row_count;
    r.content_hash = d.content_hash;
    if (r.content_hash.empty() && d.hash_body && ctx.status < 400) r.content_hash = common::Sha256Hex(ctx.body);
  }
  audit_->AppendAsync(r, std::move(done));
}

Status Platform::InstallCalendarYear(const nlohmann::json& year_file) {
  auto year = calendar::WorkingCalendar::ParseYear(year_file);
  if (!year.ok()) return year.status();
  GOVSHARE_RETURN_IF_ERROR(calendar::WorkingCalendar::ValidateYear(year.value()));
  const int number = year->year;
  if (pg_) {
    // Shared by every node: the others load it when they hear of it (OnChanged).
    GOVSHARE_RETURN_IF_ERROR(store::pg::PutCalendarYear(*pg_, number, year_file.dump()));
    return calendar_.AddYear(std::move(year.value()));
  }
  const std::string dir = config_.data_dir + "/calendar";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  GOVSHARE_RETURN_IF_ERROR(common::WriteFileDurably(fmt::format("{}/{}.json", dir, number), year_file.dump(2)));
  return calendar_.AddYear(std::move(year.value()));
}

Status Platform::ReloadCalendarYears() {
  auto documents = store::pg::ListCalendarYears(*pg_);
  if (!documents.ok()) return documents.status();
  for (const auto& document : documents.value()) {
    const auto json = nlohmann::json::parse(document, nullptr, false);
    auto year = calendar::WorkingCalendar::ParseYear(json);
    if (!year.ok()) return year.status();
    GOVSHARE_RETURN_IF_ERROR(calendar_.AddYear(std::move(year.value())));
  }
  return Status::Ok();
}

Status Platform::ReloadRegions() {
  auto regions = org_store_->ListRegions();
  if (!regions.ok()) return regions.status();
  regions_.Reset(std::move(regions.value()));
  return Status::Ok();
}

Status Platform::Ready() const {
  if (db_ && !db_->healthy()) {
    return Status::Unavailable("storage_unhealthy", "the database rejected the last commit");
  }
  if (pg_) {
    GOVSHARE_RETURN_IF_ERROR(pg_->Read([](store::pg::Connection& c) {
      c.Exec("SELECT 1");
      return Status::Ok();
    }));
  }
  if (regions_.all().empty()) return Status::Unavailable("not_initialised", "run govshare init first");
  return Status::Ok();
}

Status Platform::ImportRegions(const std::string& path) {
  auto file = common::ReadJsonFile(path);
  if (!file.ok()) return file.status();
  const nlohmann::json& doc = file.value();
  std::vector<org::Region> regions;
  try {
    for (const auto& r : doc.at("regions")) {
      org::Region region;
      region.id = r.at("id").get<std::string>();
      if (!r.at("division_code").is_null()) region.division_code = r.at("division_code").get<std::string>();
      region.name = r.at("name").get<std::string>();
      const auto level = r.at("level").get<std::string>();
      region.level = level == "province" ? org::RegionLevel::kProvince
                     : level == "city"   ? org::RegionLevel::kCity
                                         : org::RegionLevel::kCounty;
      if (!r.at("parent_id").is_null()) region.parent_id = r.at("parent_id").get<std::string>();
      if (r.contains("gb_parent_code") && !r.at("gb_parent_code").is_null()) {
        region.gb_parent_code = r.at("gb_parent_code").get<std::string>();
      }
      region.flows_back = r.value("flows_back", false);
      regions.push_back(std::move(region));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid("invalid_regions", fmt::format("{}: {}", path, e.what()));
  }
  GOVSHARE_RETURN_IF_ERROR(org_store_->UpsertRegions(regions));
  return ReloadRegions();
}

}  // namespace govshare::app
