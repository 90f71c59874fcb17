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
#include "store/sqlite/case_store_sqlite.hpp"
#include "store/sqlite/catalog_store_sqlite.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/endpoint_store_sqlite.hpp"
#include "store/sqlite/org_store_sqlite.hpp"
#include "store/sqlite/sharing_store_sqlite.hpp"
#include "store/sqlite/usage_store_sqlite.hpp"
#include "workflow/case_service.hpp"
#include "workflow/webhooks.hpp"

namespace govshare::app {

/// The composition root: opens storage for a data directory, builds the services and the route table. One per process
/// (or per test). The CLI and the tests use it; nothing else constructs services.
class Platform {
 public:
  /// Opens (and migrates) the data directory's databases. `clock` defaults to the system clock.
  static common::Result<std::unique_ptr<Platform>> Open(const common::Config& config,
                                                        std::shared_ptr<common::Clock> clock = nullptr);

  /// Loads the region tree file (data/regions/hebei.json format) into storage and memory.
  common::Status ImportRegions(const std::string& path);

  const common::Config& config() const { return config_; }
  common::Clock& clock() { return *clock_; }
  store::sqlite::Database& database() { return *db_; }
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
  /// OK when storage can take writes (readiness).
  common::Status Ready() const;

 private:
  explicit Platform(common::Config config, std::shared_ptr<common::Clock> clock);
  common::Status ReloadRegions();
  /// Saves the grants' usage counts that changed (Art. 14 quotas survive a restart).
  void SaveUsage();

  common::Config config_;
  std::shared_ptr<common::Clock> clock_;
  std::unique_ptr<store::sqlite::Database> db_;
  std::unique_ptr<store::sqlite::SqliteOrgStore> org_store_;
  org::RegionTree regions_;
  org::Authorizer authorizer_{regions_};
  std::unique_ptr<org::OrgService> org_;
  calendar::WorkingCalendar calendar_;
  std::unique_ptr<calendar::RulePack> rules_;
  std::unique_ptr<store::sqlite::SqliteCaseStore> case_store_;
  std::unique_ptr<store::FileBlobStore> blobs_;
  std::unique_ptr<workflow::CaseService> cases_;
  std::unique_ptr<workflow::WebhookService> webhooks_;
  std::unique_ptr<store::sqlite::SqliteCatalogStore> catalog_store_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<store::sqlite::SqliteSharingStore> sharing_store_;
  std::unique_ptr<sharing::SharingService> sharing_;
  std::unique_ptr<exchange::DatasetStore> datasets_;
  std::unique_ptr<exchange::ExchangeService> exchange_;
  std::unique_ptr<store::sqlite::SqliteEndpointStore> endpoint_store_;
  std::unique_ptr<exchange::EndpointService> endpoints_;
  std::unique_ptr<store::sqlite::SqliteUsageStore> usage_store_;
  std::unique_ptr<exchange::DataAccess> data_;
  std::unique_ptr<audit::AuditLog> audit_;
  http::Metrics metrics_;
  http::Router router_;
  std::thread jobs_;
  std::mutex jobs_mutex_;
  std::condition_variable jobs_cv_;
  bool jobs_stopping_ = false;
};

/// Where the data files shipped with govshare (regions, demo data, rule packs) live: $GOVSHARE_RESOURCES, else the
/// source tree's data/ folder.
std::string ResourceDir();

}  // namespace govshare::app
