#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_log.hpp"
#include "calendar/calendar.hpp"
#include "catalog/catalog_service.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/status.hpp"
#include "exchange/data_access.hpp"
#include "exchange/dataset_store.hpp"
#include "exchange/endpoint_service.hpp"
#include "exchange/exchange_service.hpp"
#include "http/context.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "org/org_service.hpp"
#include "org/permissions.hpp"
#include "sharing/sharing_service.hpp"
#include "store/blob_store.hpp"
#include "store/pg/database.hpp"
#include "store/pg/leadership.hpp"
#include "store/pg/notifier.hpp"
#include "store/sqlite/database.hpp"
#include "workflow/case_service.hpp"
#include "workflow/webhooks.hpp"

namespace govshare::app {

/// The composition root: opens storage for a data directory, builds the services and the route table. One per process
/// (or per test). The CLI and the tests use it; nothing else constructs services.
///
/// Storage is the embedded SQLite files of the data directory (storage = "sqlite") or a PostgreSQL database shared by
/// any number of nodes (storage = "postgresql://..."; docs/OPERATIONS.md). On PostgreSQL the platform hears the
/// other nodes' changes (store::pg::Notifier on channel govshare_changes, fed by triggers) and drops or reloads what it
/// cached, and runs the periodic jobs that must run once (deadline monitor, webhook deliveries, tree heads) only
/// while it holds their role (store::pg::Leadership).
class Platform {
 public:
  /// Opens (and migrates) the data directory's databases. `clock` defaults to the system clock.
  static common::Result<std::unique_ptr<Platform>> Open(const common::Config& config,
                                                        std::shared_ptr<common::Clock> clock = nullptr);

  /// Loads the region tree file (data/regions/hebei.json format) into storage and memory.
  common::Status ImportRegions(const std::string& path);

  const common::Config& config() const { return config_; }
  common::Clock& clock() { return *clock_; }
  /// The main database: exactly one of these is set (storage = "sqlite" or a PostgreSQL URI).
  store::sqlite::Database* sqlite() { return db_.get(); }
  store::pg::Database* postgres() { return pg_.get(); }
  /// Where the main database is, for messages: its file, or "PostgreSQL" (never the URI: it may hold a password).
  std::string StorageName() const;
  int schema_version() const;
  /// Whether this node runs the periodic jobs that must run once per deployment (always true on SQLite).
  bool leads_jobs() const;
  org::OrgService& org() { return *org_; }
  workflow::CaseService& cases() { return *cases_; }
  workflow::WebhookService& webhooks() { return *webhooks_; }
  audit::AuditLog& audit() { return *audit_; }
  catalog::CatalogService& catalog() { return *catalog_; }
  sharing::SharingService& sharing() { return *sharing_; }
  /// Physical datasets and aggregation (DATA_DIR/exchange.db); store() has the read primitives of the data path.
  exchange::ExchangeService& exchange() { return *exchange_; }
  exchange::EndpointService& endpoints() { return *endpoints_; }
  /// The data access path of applications (grants enforced, masked, audited).
  exchange::DataAccess& data() { return *data_; }
  /// Appends the audit record of an HTTP request (http::AuditRequest): who, what, allowed or denied and why, and for
  /// an outcome the handler's data-access detail (Context::audit). Decisions: "intent" (before the handler runs),
  /// "allow" or "deny" (the outcome), "complete" or "incomplete" (the end of a streamed body). Does not block: `done`
  /// runs on the audit writer thread once the record is durable.
  void AuditHttp(const http::Context& ctx, std::string_view route, http::AuditPhase phase,
                 audit::AuditLog::AppendCallback done);
  calendar::WorkingCalendar& calendar() { return calendar_; }
  const calendar::RulePack& rules() const { return *rules_; }
  /// Validates a year's schedule, stores it in DATA_DIR/calendar/YYYY.json (kept across restarts, overriding the
  /// shipped file) and makes it effective at once.
  common::Status InstallCalendarYear(const nlohmann::json& year_file);

  /// Starts the periodic jobs of `serve` (every second: a signed tree head if records arrived, the grants' usage
  /// counts, webhook deliveries; the deadline monitor every workflow.monitor_interval_s); StopJobs (or destruction)
  /// ends them.
  void StartJobs();
  void StopJobs();
  ~Platform();
  const org::RegionTree& regions() const { return regions_; }
  const org::Authorizer& authorizer() const { return authorizer_; }
  http::Metrics& metrics() { return metrics_; }
  const http::Router& router() const { return router_; }
  /// OK when storage can take writes (readiness): on PostgreSQL, when the server answers.
  common::Status Ready() const;

 private:
  explicit Platform(common::Config config, std::shared_ptr<common::Clock> clock);
  common::Status ReloadRegions();
  /// PostgreSQL: (re)loads the calendar years installed by an administrator from the database.
  common::Status ReloadCalendarYears();
  /// Saves the grants' usage counts that changed (Art. 14 quotas survive a restart).
  void SaveUsage();
  /// Opens the stores of config_.storage (SQLite files in the data directory, or PostgreSQL).
  common::Status OpenStores();
  /// PostgreSQL: another node (or this one) changed `table` (row `key`, "" when the trigger names no row): drop or
  /// reload what depends on it. nullopt: the listener reconnected and may have missed changes: reload everything.
  void OnChanged(std::optional<std::string_view> change);

  common::Config config_;
  std::shared_ptr<common::Clock> clock_;
  std::unique_ptr<store::sqlite::Database> db_;  // storage = "sqlite"
  std::unique_ptr<store::pg::Database> pg_;      // storage = "postgresql://..."
  std::unique_ptr<org::OrgStore> org_store_;
  org::RegionTree regions_;
  org::Authorizer authorizer_{regions_};
  std::unique_ptr<org::OrgService> org_;
  calendar::WorkingCalendar calendar_;
  std::unique_ptr<calendar::RulePack> rules_;
  std::unique_ptr<workflow::CaseStore> case_store_;
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<workflow::CaseService> cases_;
  std::unique_ptr<workflow::WebhookService> webhooks_;
  std::unique_ptr<catalog::CatalogStore> catalog_store_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<sharing::SharingStore> sharing_store_;
  std::unique_ptr<sharing::SharingService> sharing_;
  std::unique_ptr<exchange::DatasetStore> datasets_;
  std::unique_ptr<exchange::ExchangeService> exchange_;
  std::unique_ptr<exchange::EndpointStore> endpoint_store_;
  std::unique_ptr<exchange::EndpointService> endpoints_;
  std::unique_ptr<exchange::UsageStore> usage_store_;
  std::unique_ptr<exchange::DataAccess> data_;
  std::unique_ptr<audit::AuditLog> audit_;
  http::Metrics metrics_;
  http::Router router_;
  std::thread jobs_;
  std::mutex jobs_mutex_;
  std::condition_variable jobs_cv_;
  bool jobs_stopping_ = false;
  // PostgreSQL only; declared last so that they stop before anything they call into is destroyed.
  std::unique_ptr<store::pg::Leadership> jobs_role_;  // the jobs that run on one node at a time
  std::unique_ptr<store::pg::Notifier> notifier_;
};

/// Where the data files shipped with govshare (regions, demo data, rule packs) live: $GOVSHARE_RESOURCES, else the
/// source tree's data/ folder.
std::string ResourceDir();

}  // namespace govshare::app
