#include "common/versioned_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace govshare::common {
namespace {

using Cache = VersionedCache<std::string, int>;

TEST(VersionedCache, AValueReadBeforeAForgetIsAnsweredButNotKept) {
  Cache cache;
  int v = 0;
  EXPECT_EQ(cache.Find("g1", v), Cache::Known::kUnknown);
  const auto generation = cache.generation();  // the store is read (active) ...
  cache.Forget("g1");                          // ... while another node revokes the grant
  EXPECT_FALSE(cache.Put("g1", 1, generation));
  EXPECT_EQ(cache.Find("g1", v), Cache::Known::kUnknown);  // the next caller reads the store again
  EXPECT_TRUE(cache.Put("g1", 2, cache.generation()));
  EXPECT_EQ(cache.Find("g1", v), Cache::Known::kFound);
  EXPECT_EQ(v, 2);
}

TEST(VersionedCache, ACompleteCacheKnowsAbsenceUntilAnythingIsForgotten) {
  Cache cache;
  int v = 0;
  ASSERT_TRUE(cache.PutAll({{"a", 1}, {"b", 2}}, cache.generation()));
  EXPECT_EQ(cache.Find("c", v), Cache::Known::kAbsent);
  cache.Forget("a");
  EXPECT_EQ(cache.Find("c", v), Cache::Known::kUnknown);  // no longer complete: "c" may exist now
  EXPECT_EQ(cache.Find("b", v), Cache::Known::kFound);
  ASSERT_TRUE(cache.PutAll({{"a", 1}}, cache.generation()));
  cache.ForgetAll();
  EXPECT_EQ(cache.Find("a", v), Cache::Known::kUnknown);
}

TEST(VersionedCache, AnOwnUpdateIsKeptAndOutdatesReadsInFlight) {
  Cache cache;
  int v = 0;
  ASSERT_TRUE(cache.PutAll({{"a", 1}}, cache.generation()));
  const auto before = cache.generation();  // a full reload begins ...
  cache.Update("b", 5);                    // ... this node adds an endpoint
  EXPECT_EQ(cache.Find("b", v), Cache::Known::kFound);
  EXPECT_EQ(v, 5);
  EXPECT_FALSE(cache.PutAll({{"a", 1}}, before));  // the reload read before "b" must not drop it
  EXPECT_EQ(cache.Find("b", v), Cache::Known::kFound);
  Cache partial;  // not complete: an update of a key it does not hold keeps nothing (the next read gets it)
  partial.Update("x", 1);
  EXPECT_EQ(partial.Find("x", v), Cache::Known::kUnknown);
}

}  // namespace
}  // namespace govshare::common
