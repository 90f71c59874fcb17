#include "catalog/search_index.hpp"

#include <gtest/gtest.h>

namespace govshare::catalog {
namespace {

Version Make(const std::string& name, const std::string& share_type, VersionState state,
             std::vector<std::string> databases = {}) {
  Version v;
  v.number = 1;
  v.state = state;
  v.content.name = name;
  v.content.abstract = name + "的摘要";
  v.content.share_type = share_type;
  v.content.security_level = Level::kGeneral3;
  v.content.format = "database";
  v.content.databases = std::move(databases);
  v.content.items.push_back({"姓名", "DE0002", "C", 50, false, true, Level::kGeneral3});
  return v;
}

Entry MakeEntry(std::int64_t id, std::int64_t provider, const std::string& region) {
  Entry e;
  e.id = id;
  e.provider_department_id = provider;
  e.provider_name = "部门" + std::to_string(provider);
  e.region_id = region;
  e.resource_code = "10101/" + std::to_string(10000 + id);
  e.updated_at = id;
  return e;
}

// Out of line: GCC 12 at -O2 reports a false maybe-uninitialized on an inlined std::optional<std::string> member.
[[gnu::noinline]] SearchQuery UnconditionalIn(const std::string& region) {
  SearchQuery q;
  q.share_type = "unconditional";
  q.region_ids = std::unordered_set<std::string>{region};
  return q;
}

class Index : public ::testing::Test {
 protected:
  void SetUp() override {
    index.Put(MakeEntry(1, 11, "130000"),
              Make("常住人口基本信息", "conditional", VersionState::kPublished, {"population"}), std::nullopt);
    index.Put(MakeEntry(2, 12, "130100"), Make("社保缴费信息", "unconditional", VersionState::kPublished),
              std::nullopt);
    index.Put(MakeEntry(3, 13, "130100"), Make("营业执照信息", "unconditional", VersionState::kPublished),
              Make("营业执照信息（修订）", "unconditional", VersionState::kDraft));
    index.Put(MakeEntry(4, 11, "130000"), std::nullopt, Make("人口迁移草稿", "conditional", VersionState::kDraft));
  }
  CatalogIndex index;
  std::function<bool(const Entry&)> nobody = [](const Entry&) { return false; };
  std::function<bool(const Entry&)> provider11 = [](const Entry& e) { return e.provider_department_id == 11; };

  std::vector<std::int64_t> Ids(const SearchResult& r) {
    std::vector<std::int64_t> ids;
    for (const auto& h : r.hits) ids.push_back(h.entry->entry.id);
    return ids;
  }
};

TEST_F(Index, FindsChineseSubstringsOfOneOrMoreCharacters) {
  SearchQuery q;
  q.q = "人口";
  EXPECT_EQ(Ids(index.Search(q, nobody)), (std::vector<std::int64_t>{1}));
  q.q = "人";
  EXPECT_EQ(Ids(index.Search(q, nobody)), (std::vector<std::int64_t>{1}));
  q.q = "营业执照";
  EXPECT_EQ(Ids(index.Search(q, nobody)), (std::vector<std::int64_t>{3}));
  q.q = "社保 缴费";  // every word must occur
  EXPECT_EQ(Ids(index.Search(q, nobody)), (std::vector<std::int64_t>{2}));
  q.q = "社保 人口";
  EXPECT_TRUE(index.Search(q, nobody).hits.empty());
  q.q = "姓名";  // item names are searchable
  EXPECT_EQ(index.Search(q, nobody).total, 3);
}

TEST_F(Index, DraftsOnlyForThoseWhoMaySeeThem) {
  SearchQuery q;
  q.q = "人口";
  q.scope = "all";
  EXPECT_EQ(Ids(index.Search(q, nobody)), (std::vector<std::int64_t>{1}));
  auto mine = index.Search(q, provider11);
  EXPECT_EQ(mine.total, 2);
}

TEST_F(Index, FiltersAndFacetCounts) {
  const SearchQuery q = UnconditionalIn("130100");
  auto r = index.Search(q, nobody);
  EXPECT_EQ(r.total, 2);
  EXPECT_EQ(r.facets["share_type"]["unconditional"], 2);
  EXPECT_EQ(r.facets["provider"]["12"], 1);
  SearchQuery by_database;
  by_database.database = "population";
  EXPECT_EQ(Ids(index.Search(by_database, nobody)), (std::vector<std::int64_t>{1}));
}

TEST_F(Index, ReplacingAnEntryReplacesItsDocuments) {
  index.Put(MakeEntry(1, 11, "130000"), Make("户籍人口信息", "conditional", VersionState::kPublished), std::nullopt);
  SearchQuery q;
  q.q = "常住";
  EXPECT_TRUE(index.Search(q, nobody).hits.empty());
  q.q = "户籍";
  EXPECT_EQ(Ids(index.Search(q, nobody)), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(index.FindByName(11, "户籍人口信息"), std::optional<std::int64_t>(1));
  EXPECT_EQ(index.FindByName(11, "常住人口基本信息"), std::nullopt);
}

TEST_F(Index, PagesWithOffsetAndLimit) {
  SearchQuery q;
  q.limit = 2;
  auto first = index.Search(q, nobody);
  EXPECT_EQ(first.total, 3);
  EXPECT_EQ(first.hits.size(), 2u);
  q.offset = 2;
  EXPECT_EQ(index.Search(q, nobody).hits.size(), 1u);
}

}  // namespace
}  // namespace govshare::catalog
