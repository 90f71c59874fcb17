// govshare init on a data directory or a PostgreSQL database that is already initialised.

#include "cli/setup.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "support/pg_test_database.hpp"

namespace govshare::cli {
namespace {

class InitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() / ("govshare-init-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  common::Config ConfigFor(const std::string& node, const std::string& storage = "sqlite") const {
    common::Config config;
    config.data_dir = (base_ / node).string();
    config.storage = storage;
    config.auth.fast_password_hash = true;
    return config;
  }

  std::filesystem::path base_;
};

TEST_F(InitTest, ASecondInitOfOneDirectoryIsRefusedAndChangesNothing) {
  const auto config = ConfigFor("node1");
  std::ostringstream out;
  ASSERT_TRUE(Init(config, out).ok()) << out.str();
  EXPECT_NE(out.str().find("administrator: admin / "), std::string::npos);
  const auto written = std::filesystem::last_write_time(config.data_dir + "/govshare.db");
  std::ostringstream again;
  const auto status = Init(config, again);
  EXPECT_EQ(status.code(), "already_initialised") << status.ToString();
  EXPECT_EQ(again.str(), "");
  EXPECT_EQ(std::filesystem::last_write_time(config.data_dir + "/govshare.db"), written);
}

// A second node's init against the database the first one initialised says so (not that its new keys differ), and
// leaves its directory without keys of its own.
TEST_F(InitTest, OnPostgresANewNodesInitOfAnInitialisedDatabaseSaysSoAndWritesNoKeys) {
  testing::ScratchPgDatabase scratch;
  ASSERT_TRUE(scratch.status().ok()) << scratch.status().ToString();
  std::ostringstream out;
  ASSERT_TRUE(Init(ConfigFor("node1", scratch.conninfo()), out).ok()) << out.str();
  const auto second = ConfigFor("node2", scratch.conninfo());
  const auto status = Init(second, out);
  EXPECT_EQ(status.code(), "already_initialised") << status.ToString();
  EXPECT_NE(status.message().find("copy audit.key and mask.key"), std::string::npos) << status.message();
  EXPECT_FALSE(std::filesystem::exists(second.data_dir + "/audit.key"));
  EXPECT_FALSE(std::filesystem::exists(second.data_dir + "/mask.key"));
}

}  // namespace
}  // namespace govshare::cli
