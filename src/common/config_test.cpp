// Configuration: the TOML file, environment overrides and strict parsing (unknown keys and bad values are errors).
#include "common/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace govshare::common {
namespace {

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("govshare-config-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml");
  }
  void TearDown() override {
    std::filesystem::remove(path_);
    ::unsetenv("GOVSHARE_SHARING_AUTO_PROVIDE");
  }
  std::string Write(const std::string& text) {
    std::ofstream(path_) << text;
    return path_.string();
  }
  std::filesystem::path path_;
};

TEST_F(ConfigFile, Art15AutomaticProvisionIsOnByDefaultAndCanBeTurnedOff) {
  auto defaults = LoadConfig("");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->sharing.auto_grant_unconditional);
  EXPECT_TRUE(defaults->sharing.auto_provide);

  auto file = LoadConfig(Write("[sharing]\nauto_grant_unconditional = false\n"));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_FALSE(file->sharing.auto_grant_unconditional);
  EXPECT_TRUE(file->sharing.auto_provide);

  ::setenv("GOVSHARE_SHARING_AUTO_PROVIDE", "false", 1);
  auto env = LoadConfig(path_.string());
  ASSERT_TRUE(env.ok());
  EXPECT_FALSE(env->sharing.auto_provide);
}

TEST_F(ConfigFile, BadValuesAndUnknownKeysAreRefused) {
  auto not_boolean = LoadConfig(Write("[sharing]\nauto_provide = \"sometimes\"\n"));
  ASSERT_FALSE(not_boolean.ok());
  EXPECT_EQ(not_boolean.status().code(), "invalid_config");
  auto unknown = LoadConfig(Write("[sharing]\nauto_everything = true\n"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), "invalid_config");
  auto not_integer = LoadConfig(Write("[http]\nmax_body_bytes = \"big\"\n"));
  EXPECT_FALSE(not_integer.ok());
}

TEST_F(ConfigFile, TheAuditCommitWaitHasADefaultAndABoundedRange) {
  auto defaults = LoadConfig("");
  ASSERT_TRUE(defaults.ok());
  // Unset: never on SQLite, 500 µs on PostgreSQL (where each batch is a round trip under the one frontier row).
  EXPECT_EQ(defaults->audit.commit_wait_us, std::nullopt);
  EXPECT_EQ(defaults->audit.CommitWaitUs(false), 0);
  EXPECT_EQ(defaults->audit.CommitWaitUs(true), 500);
  auto off = LoadConfig(Write("[audit]\ncommit_wait_us = 0\n"));
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_EQ(off->audit.CommitWaitUs(false), 0);
  EXPECT_EQ(off->audit.CommitWaitUs(true), 0);  // set, it holds on either storage
  auto longer = LoadConfig(Write("[audit]\ncommit_wait_us = 1000\n"));
  ASSERT_TRUE(longer.ok()) << longer.status().ToString();
  EXPECT_EQ(longer->audit.CommitWaitUs(false), 1000);
  for (const char* bad : {"-1", "100001"}) {
    auto refused = LoadConfig(Write(std::string("[audit]\ncommit_wait_us = ") + bad + "\n"));
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), "invalid_config");
  }
}

TEST_F(ConfigFile, StorageIsSqliteOrAPostgreSQLUri) {
  EXPECT_EQ(LoadConfig("")->storage, "sqlite");
  for (const std::string uri :
       {"postgresql://", "postgresql://localhost", "postgres://db/govshare",
        "postgresql://govshare:s3cret@db.example.org:5432/govshare?sslmode=verify-full",
        "postgresql://[::1]:5433/govshare", "postgresql://%2Fvar%2Frun%2Fpostgresql/govshare",
        "postgresql://h1:5432,h2:5433/govshare?target_session_attrs=read-write&connect_timeout=5"}) {
    auto config = LoadConfig(Write("storage = \"" + uri + "\"\n"));
    ASSERT_TRUE(config.ok()) << uri << ": " << config.status().ToString();
    EXPECT_EQ(config->storage, uri);
  }
  for (const std::string bad :
       {"", "SQLite", "mysql://db/x", "host=db dbname=govshare", "postgresql://db:port/x", "postgresql://db:0/x",
        "postgresql://db:70000/x", "postgresql://db:/x", "postgresql://[::1/x", "postgresql://db/x?sslmode",
        "postgresql://db/x?=1", "postgresql://db/my db", "postgresql://u:secret@db:99999/x"}) {
    auto config = LoadConfig(Write("storage = \"" + bad + "\"\n"));
    ASSERT_FALSE(config.ok()) << bad;
    EXPECT_EQ(config.status().code(), "invalid_config");
    EXPECT_EQ(config.status().message().find("secret"), std::string::npos) << "a password in a message";
  }
}

}  // namespace
}  // namespace govshare::common
