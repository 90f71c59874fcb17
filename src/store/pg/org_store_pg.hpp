#pragma once

#include <memory>

#include "common/clock.hpp"
#include "org/org_store.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// OrgStore on the main PostgreSQL database, with the semantics of store::sqlite::SqliteOrgStore (the conformance
/// suite src/store/org_store_conformance_test.cpp runs the same tests on both). Reads and writes use pooled
/// connections.
class PgOrgStore final : public org::OrgStore {
 public:
  PgOrgStore(Database& db, const common::Clock& clock) : db_(db), clock_(clock) {}

  common::Result<std::vector<org::Region>> ListRegions() override;
  common::Status UpsertRegions(const std::vector<org::Region>& regions) override;

  common::Result<std::vector<org::Department>> ListDepartments(const org::DepartmentFilter& filter,
                                                               const org::PageRequest& page) override;
  common::Result<std::optional<org::Department>> GetDepartment(std::int64_t id) override;
  common::Status CreateDepartment(org::Department& department) override;
  common::Status UpdateDepartment(const org::Department& department, std::int64_t expected_version) override;

  common::Result<std::vector<org::User>> ListUsers(const org::UserFilter& filter,
                                                   const org::PageRequest& page) override;
  common::Result<std::optional<org::User>> GetUser(std::int64_t id) override;
  common::Result<std::optional<org::UserCredentials>> GetUserByUsername(const std::string& username) override;
  common::Status CreateUser(org::User& user, const std::string& password_hash) override;
  common::Status UpdateUser(const org::User& user, std::int64_t expected_version) override;
  common::Status SetPassword(std::int64_t user_id, const std::string& password_hash, bool must_change) override;
  common::Status RecordLogin(std::int64_t user_id, int failed_logins,
                             std::optional<org::UnixSeconds> locked_until) override;

  common::Status CreateSession(const org::Session& session) override;
  common::Result<std::optional<std::pair<org::Session, org::Principal>>> FindSession(
      const std::string& token_hash) override;
  common::Status RevokeSession(const std::string& token_hash) override;
  common::Status RevokeUserSessions(std::int64_t user_id) override;

  common::Result<std::vector<org::Application>> ListApplications(const org::ApplicationFilter& filter,
                                                                 const org::PageRequest& page) override;
  common::Result<std::optional<org::Application>> GetApplication(std::int64_t id) override;
  common::Status CreateApplication(org::Application& application) override;
  common::Status UpdateApplication(const org::Application& application, std::int64_t expected_version) override;

  common::Result<std::vector<org::ApiKey>> ListApiKeys(std::int64_t application_id) override;
  common::Status CreateApiKey(org::ApiKey& key) override;
  common::Status RevokeApiKey(std::int64_t application_id, std::int64_t key_id, org::UnixSeconds at) override;
  common::Result<std::optional<std::pair<org::ApiKey, org::Principal>>> FindApiKey(const std::string& prefix) override;

 private:
  Database& db_;
  const common::Clock& clock_;
};

}  // namespace govshare::store::pg
