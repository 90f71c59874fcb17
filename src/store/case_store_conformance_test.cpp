// The CaseStore conformance suite: every test runs once per storage backend (instances .../Sqlite and .../Postgres), so
// both implementations keep the same semantics: transitions with their version check, idempotency and parent
// extension, the deadline monitor's marks, the dashboard counts, webhooks and their outbox, inboxes, and keyset paging
// under every sort. The Postgres instances need the throwaway cluster of CTest fixture `postgres`
// (scripts/pg-cluster.sh) and fail when it is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <thread>

#include "common/clock.hpp"
#include "store/pg/case_store_pg.hpp"
#include "store/pg/org_store_pg.hpp"
#include "store/sqlite/case_store_sqlite.hpp"
#include "store/sqlite/org_store_sqlite.hpp"
#include "support/store_backend.hpp"
#include "workflow/case_store.hpp"

namespace govshare::workflow {
namespace {

using common::ErrorKind;
using common::Status;
using org::SortField;
using testing::Backend;

constexpr UnixSeconds kStart = 1'800'000'000;
constexpr UnixSeconds kDay = 86'400;
constexpr const char* kProvince = testing::kTestProvince;
constexpr const char* kCity = "130100";

void ExpectSameCase(const Case& a, const Case& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.reference, b.reference);
  EXPECT_EQ(a.parent_id, b.parent_id);
  EXPECT_EQ(a.requester_department_id, b.requester_department_id);
  EXPECT_EQ(a.provider_department_id, b.provider_department_id);
  EXPECT_EQ(a.region_id, b.region_id);
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.step_started_at, b.step_started_at);
  EXPECT_EQ(a.due_at, b.due_at);
  EXPECT_EQ(a.responsible_department_id, b.responsible_department_id);
  EXPECT_EQ(a.reminded, b.reminded);
  EXPECT_EQ(a.overdue, b.overdue);
  EXPECT_EQ(a.extensions_used, b.extensions_used);
  EXPECT_EQ(a.created_by, b.created_by);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.closed_at, b.closed_at);
  EXPECT_EQ(a.version, b.version);
}

void ExpectSameHistory(const HistoryEntry& a, const HistoryEntry& b) {
  EXPECT_EQ(a.case_id, b.case_id);
  EXPECT_EQ(a.actor_id, b.actor_id);
  EXPECT_EQ(a.actor_role, b.actor_role);
  EXPECT_EQ(a.action, b.action);
  EXPECT_EQ(a.from_state, b.from_state);
  EXPECT_EQ(a.to_state, b.to_state);
  EXPECT_EQ(a.comment, b.comment);
  EXPECT_EQ(a.at, b.at);
}

template <typename T>
std::vector<std::int64_t> Ids(const std::vector<T>& rows) {
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const auto& r : rows) ids.push_back(r.id);
  return ids;
}

/// The ids of `rows` in (sort value, id) order, as a list sorted by `field` must return them: text in code-point
/// (byte) order, ties broken by id in the same direction.
template <typename T>
std::vector<std::int64_t> ExpectedOrder(std::vector<T> rows, SortField field, bool descending) {
  std::sort(rows.begin(), rows.end(), [&](const T& a, const T& b) {
    const auto va = SortValueOf(a, field);
    const auto vb = SortValueOf(b, field);
    if (va != vb) return descending ? vb < va : va < vb;
    return descending ? b.id < a.id : a.id < b.id;
  });
  return Ids(rows);
}

/// The ids a list returns when walked page by page (`limit` rows a page) in the order of `field`, each page asked for
/// after the last row of the one before, by its id and sort value.
template <typename List>
std::vector<std::int64_t> WalkPages(SortField field, bool descending, int limit, List&& list) {
  org::PageRequest page(0, limit);
  page.sort = field;
  page.descending = descending;
  std::vector<std::int64_t> walked;
  constexpr int kMostPages = 20;  // more means the keyset does not advance
  for (int pages = 0; pages < kMostPages; ++pages) {
    auto rows = list(page);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->empty()) break;
    EXPECT_LE(rows->size(), static_cast<std::size_t>(limit));
    for (const auto& r : *rows) walked.push_back(r.id);
    page.after_id = rows->back().id;
    page.after_value = SortValueOf(rows->back(), field);
  }
  return walked;
}

InboxItem ToUser(std::int64_t user_id, const std::string& kind, UnixSeconds at) {
  InboxItem i;
  i.user_id = user_id;
  i.kind = kind;
  i.message = "message " + kind;
  i.created_at = at;
  return i;
}

InboxItem ToDepartment(std::int64_t department_id, const std::string& kind, UnixSeconds at) {
  InboxItem i;
  i.department_id = department_id;
  i.kind = kind;
  i.message = "部门通知 " + kind;
  i.created_at = at;
  return i;
}

class CaseStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<testing::BackendDatabase>(GetParam());
    ASSERT_TRUE(db_->status().ok()) << db_->status().ToString();
    org_ = db_->Make<org::OrgStore, store::sqlite::SqliteOrgStore, store::pg::PgOrgStore>(clock_);
    store_ = db_->Make<CaseStore, store::sqlite::SqliteCaseStore, store::pg::PgCaseStore>();
    testing::AddProvince(*org_);
    org::Region city{kCity, kCity, "石家庄市", org::RegionLevel::kCity, kProvince, std::nullopt, false};
    ASSERT_TRUE(org_->UpsertRegions({city}).ok());
    requester_ = testing::MakeDepartment(*org_, "Civil Affairs", "CC1", kProvince);
    provider_ = testing::MakeDepartment(*org_, "Public Security", "CC2", kProvince);
    other_ = testing::MakeDepartment(*org_, "Health", "CC3", kCity);
    user_ = MakeUser("clerk", requester_);
    other_user_ = MakeUser("nurse", other_);
  }

  void TearDown() override {
    store_.reset();
    org_.reset();
    db_.reset();
  }

  std::int64_t MakeUser(const std::string& username, std::int64_t department_id) {
    org::User u;
    u.username = username;
    u.display_name = "User " + username;
    u.department_id = department_id;
    EXPECT_TRUE(org_->CreateUser(u, "hash").ok());
    return u.id;
  }

  /// An open case of the requester, waiting on the provider.
  Case NewCase(const std::string& type, const std::string& state, const std::string& subject) const {
    Case c;
    c.type = type;
    c.state = state;
    c.subject = subject;
    c.requester_department_id = requester_;
    c.provider_department_id = provider_;
    c.region_id = kProvince;
    c.responsible_department_id = provider_;
    c.created_by = user_;
    c.created_at = kStart;
    c.updated_at = kStart;
    return c;
  }

  HistoryEntry Opened(UnixSeconds at = kStart) const {
    return {0, user_, "requester", "open", "", "submitted", "please", at};
  }

  /// Creates `c` with an "open" history entry and no notifications.
  Case Create(Case c) {
    EXPECT_TRUE(store_->CreateCase(c, Opened(), {}).ok());
    return c;
  }

  /// The write of a transition of `before` to `state` by the user (version-checked against `before`).
  TransitionWrite Transition(const Case& before, const std::string& state, UnixSeconds at) const {
    TransitionWrite w;
    w.updated = before;
    w.updated.state = state;
    w.updated.updated_at = at;
    w.expected_version = before.version;
    w.history = {before.id, user_, "provider", "to_" + state, before.state, state, "", at};
    return w;
  }

  Case Get(std::int64_t id) {
    auto got = store_->GetCase(id);
    EXPECT_TRUE(got.ok() && got->has_value());
    return got.ok() && got->has_value() ? **got : Case{};
  }

  std::vector<InboxItem> Inbox(std::int64_t user_id, std::int64_t department_id, bool unread_only = false) {
    auto items = store_->ListInbox(user_id, department_id, unread_only, {0, 100});
    EXPECT_TRUE(items.ok()) << items.status().ToString();
    return items.ok() ? *items : std::vector<InboxItem>{};
  }

  std::size_t HistorySize(std::int64_t case_id) {
    auto history = store_->History(case_id);
    EXPECT_TRUE(history.ok());
    return history.ok() ? history->size() : 0;
  }

  common::FakeClock clock_{kStart};
  std::unique_ptr<testing::BackendDatabase> db_;
  std::unique_ptr<org::OrgStore> org_;
  std::unique_ptr<CaseStore> store_;
  std::int64_t requester_ = 0;
  std::int64_t provider_ = 0;
  std::int64_t other_ = 0;
  std::int64_t user_ = 0;
  std::int64_t other_user_ = 0;
};

TEST_P(CaseStoreConformance, CreateCaseSetsIdAndVersionAndGetReadsBackEveryField) {
  Case parent = Create(NewCase("catalog_review", "submitted", "parent"));
  Case c = NewCase("extension", "requested", "延期申请 \"quoted\" \\ back");
  c.reference = "catalog_entry:42";
  c.parent_id = parent.id;
  c.region_id = kCity;
  c.step = "catalog_review";
  c.step_started_at = kStart + 5;
  c.due_at = kStart + 10 * kDay;
  c.responsible_department_id = other_;
  c.created_at = kStart + 7;
  c.updated_at = kStart + 8;
  c.version = 99;  // the store starts every case at version 1
  std::int64_t seen_id = 0;
  const OpenChange change = [&](store::Transaction&, const Case& opened) {
    seen_id = opened.id;
    return Status::Ok();
  };
  const std::vector<InboxItem> notify = {ToUser(user_, "assigned", kStart), ToDepartment(other_, "assigned", kStart)};
  ASSERT_TRUE(store_->CreateCase(c, Opened(kStart + 7), notify, change).ok());
  EXPECT_GT(c.id, parent.id);
  EXPECT_EQ(c.version, 1);
  EXPECT_EQ(seen_id, c.id);

  Case expected = c;
  expected.reminded = false;
  expected.overdue = false;
  expected.extensions_used = 0;
  ExpectSameCase(Get(c.id), expected);
  auto missing = store_->GetCase(c.id + 1000);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  auto history = store_->History(c.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  HistoryEntry opened = Opened(kStart + 7);
  opened.case_id = c.id;
  ExpectSameHistory((*history)[0], opened);

  const auto mine = Inbox(user_, requester_);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].case_id, c.id);
  EXPECT_EQ(mine[0].user_id, user_);
  EXPECT_EQ(mine[0].department_id, std::nullopt);
  EXPECT_EQ(mine[0].kind, "assigned");
  EXPECT_EQ(mine[0].message, "message assigned");
  EXPECT_EQ(mine[0].created_at, kStart);
  EXPECT_EQ(mine[0].read_at, std::nullopt);
  const auto theirs = Inbox(other_user_, other_);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].department_id, other_);
  EXPECT_EQ(theirs[0].message, "部门通知 assigned");
}

TEST_P(CaseStoreConformance, AFailingDomainChangeRollsTheNewCaseBack) {
  Case c = NewCase("catalog_review", "submitted", "refused");
  const OpenChange change = [](store::Transaction&, const Case&) {
    return Status::Unprocessable("catalog_invalid", "the catalog breaks a rule");
  };
  auto status = store_->CreateCase(c, Opened(), {ToUser(user_, "assigned", kStart)}, change);
  EXPECT_EQ(status.kind(), ErrorKind::kUnprocessable);
  EXPECT_EQ(status.code(), "catalog_invalid");
  auto cases = store_->ListCases(CaseFilter{}, {0, 100});
  ASSERT_TRUE(cases.ok());
  EXPECT_TRUE(cases->empty());
  EXPECT_TRUE(Inbox(user_, requester_).empty());
}

TEST_P(CaseStoreConformance, ReferencesToMissingRowsAreTheSameConstraintViolationOnBothBackends) {
  Case c = NewCase("catalog_review", "submitted", "nobody's");
  c.requester_department_id = 9999;
  auto status = store_->CreateCase(c, Opened(), {});
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "constraint_violation");
  auto cases = store_->ListCases(CaseFilter{}, {0, 100});
  ASSERT_TRUE(cases.ok());
  EXPECT_TRUE(cases->empty());

  Attachment a{0, 9999, "letter.pdf", "application/pdf", 10, "ab", user_, kStart};
  status = store_->AddAttachment(a, {9999, user_, "requester", "attach", "s", "s", "letter.pdf", kStart});
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "constraint_violation");
}

TEST_P(CaseStoreConformance, ApplyTransitionWritesTheCaseHistoryAndNotificationsTogether) {
  Case c = Create(NewCase("share_request", "submitted", "s"));
  TransitionWrite w = Transition(c, "provider_review", kStart + 60);
  w.updated.step = "provider_review";
  w.updated.step_started_at = kStart + 60;
  w.updated.due_at = kStart + 60 + 5 * kDay;
  w.updated.responsible_department_id = other_;
  w.updated.reminded = true;
  w.updated.overdue = true;
  w.updated.region_id = kCity;
  w.history.comment = "forwarded";
  w.notifications = {ToDepartment(other_, "assigned", kStart + 60)};
  ASSERT_TRUE(store_->ApplyTransition(w).ok());

  Case expected = w.updated;
  expected.version = 2;
  ExpectSameCase(Get(c.id), expected);
  auto history = store_->History(c.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].action, "open");
  ExpectSameHistory((*history)[1], w.history);
  const auto inbox = Inbox(other_user_, other_);
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].case_id, c.id);

  // Closing: closed_at is kept, and the flags go back to false.
  TransitionWrite close = Transition(expected, "approved", kStart + 120);
  close.updated.closed_at = kStart + 120;
  close.updated.reminded = false;
  close.updated.overdue = false;
  close.updated.due_at = std::nullopt;
  close.updated.step = std::nullopt;
  ASSERT_TRUE(store_->ApplyTransition(close).ok());
  Case closed = close.updated;
  closed.version = 3;
  ExpectSameCase(Get(c.id), closed);
}

TEST_P(CaseStoreConformance, AStaleVersionIsAVersionConflictAndKeepsNothingOfTheTransition) {
  Case c = Create(NewCase("share_request", "submitted", "s"));
  ASSERT_TRUE(store_->ApplyTransition(Transition(c, "provider_review", kStart + 60)).ok());

  TransitionWrite stale = Transition(c, "refused", kStart + 120);  // still version 1
  stale.idempotency_key = "key-stale";
  stale.notifications = {ToUser(user_, "decided", kStart + 120)};
  auto status = store_->ApplyTransition(stale);
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "version_conflict");
  const Case now = Get(c.id);
  EXPECT_EQ(now.state, "provider_review");
  EXPECT_EQ(now.version, 2);
  EXPECT_EQ(HistorySize(c.id), 2u);
  EXPECT_TRUE(Inbox(user_, requester_).empty());
  auto key = store_->FindIdempotent("key-stale", user_);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(key->has_value());

  TransitionWrite missing = Transition(c, "refused", kStart + 120);
  missing.updated.id = c.id + 1000;
  missing.history.case_id = c.id + 1000;
  status = store_->ApplyTransition(missing);
  EXPECT_EQ(status.code(), "version_conflict");
}

TEST_P(CaseStoreConformance, AnIdempotencyKeyIsUsedOncePerActor) {
  Case c = Create(NewCase("share_request", "submitted", "s"));
  TransitionWrite first = Transition(c, "provider_review", kStart + 60);
  first.idempotency_key = "key-1";
  ASSERT_TRUE(store_->ApplyTransition(first).ok());
  auto found = store_->FindIdempotent("key-1", user_);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, c.id);
  auto other_actor = store_->FindIdempotent("key-1", other_user_);
  ASSERT_TRUE(other_actor.ok());
  EXPECT_FALSE(other_actor->has_value());

  Case after = Get(c.id);
  TransitionWrite again = Transition(after, "approved", kStart + 120);  // the right version, the same key
  again.idempotency_key = "key-1";
  auto status = store_->ApplyTransition(again);
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "duplicate_request");
  EXPECT_EQ(Get(c.id).version, 2);
  EXPECT_EQ(HistorySize(c.id), 2u);

  // Another actor may use the same key.
  again.history.actor_id = other_user_;
  EXPECT_TRUE(store_->ApplyTransition(again).ok());
  found = store_->FindIdempotent("key-1", other_user_);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, c.id);
}

TEST_P(CaseStoreConformance, AnApprovedExtensionMovesTheParentsDeadlineWithinTheLimit) {
  Case parent_in = NewCase("catalog_review", "review", "parent");
  parent_in.due_at = kStart + kDay;
  Case parent = Create(parent_in);
  ASSERT_TRUE(store_->MarkReminded(parent.id, {}).ok());
  ASSERT_TRUE(
      store_->MarkOverdue({parent.id, "catalog_review", provider_, kStart + kDay, kStart + 2 * kDay, 1}, {}).ok());
  Case child_in = NewCase("extension", "requested", "first");
  child_in.parent_id = parent.id;
  Case child = Create(child_in);
  Case second_in = NewCase("extension", "requested", "second");
  second_in.parent_id = parent.id;
  Case second = Create(second_in);
  auto open = store_->OpenSubCases(parent.id);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(Ids(*open), (std::vector<std::int64_t>{child.id, second.id}));

  TransitionWrite approve = Transition(child, "approved", kStart + 3 * kDay);
  approve.updated.closed_at = kStart + 3 * kDay;
  approve.extend_parent = TransitionWrite::ParentExtension{parent.id, kStart + 20 * kDay, 1};
  ASSERT_TRUE(store_->ApplyTransition(approve).ok());
  const Case extended = Get(parent.id);
  EXPECT_EQ(extended.due_at, kStart + 20 * kDay);
  EXPECT_EQ(extended.extensions_used, 1);
  EXPECT_FALSE(extended.reminded);
  EXPECT_FALSE(extended.overdue);
  EXPECT_EQ(extended.updated_at, kStart + 3 * kDay);
  EXPECT_EQ(extended.version, parent.version + 1);
  open = store_->OpenSubCases(parent.id);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(Ids(*open), std::vector<std::int64_t>{second.id});

  TransitionWrite over = Transition(second, "approved", kStart + 4 * kDay);
  over.extend_parent = TransitionWrite::ParentExtension{parent.id, kStart + 40 * kDay, 1};
  auto status = store_->ApplyTransition(over);
  EXPECT_EQ(status.kind(), ErrorKind::kConflict);
  EXPECT_EQ(status.code(), "extension_limit");
  ExpectSameCase(Get(second.id), second);
  EXPECT_EQ(Get(parent.id).due_at, kStart + 20 * kDay);
}

TEST_P(CaseStoreConformance, AFailingDomainChangeRollsTheTransitionBack) {
  Case c = Create(NewCase("share_request", "submitted", "s"));
  TransitionWrite w = Transition(c, "approved", kStart + 60);
  w.idempotency_key = "key-refused";
  w.notifications = {ToUser(user_, "decided", kStart + 60)};
  int calls = 0;
  w.domain_change = [&](store::Transaction&) {
    ++calls;
    return Status::Conflict("grant_exists", "the grant exists");
  };
  auto status = store_->ApplyTransition(w);
  EXPECT_EQ(status.code(), "grant_exists");
  EXPECT_EQ(calls, 1);
  ExpectSameCase(Get(c.id), c);
  EXPECT_EQ(HistorySize(c.id), 1u);
  EXPECT_TRUE(Inbox(user_, requester_).empty());
  auto key = store_->FindIdempotent("key-refused", user_);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(key->has_value());
}

TEST_P(CaseStoreConformance, OfTwoConcurrentTransitionsOfOneCaseExactlyOneWins) {
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    Case c = Create(NewCase("share_request", "submitted", "race " + std::to_string(round)));
    TransitionWrite approve = Transition(c, "approved", kStart + 60);
    TransitionWrite refuse = Transition(c, "refused", kStart + 60);
    std::latch start(2);
    Status approved;
    Status refused;
    // Two threads: on PostgreSQL each holds a connection of its own, as two nodes would.
    std::thread a([&] {
      start.arrive_and_wait();
      approved = store_->ApplyTransition(approve);
    });
    std::thread b([&] {
      start.arrive_and_wait();
      refused = store_->ApplyTransition(refuse);
    });
    a.join();
    b.join();
    ASSERT_NE(approved.ok(), refused.ok()) << approved.ToString() << " / " << refused.ToString();
    const Status& loser = approved.ok() ? refused : approved;
    EXPECT_EQ(loser.code(), "version_conflict");
    const Case now = Get(c.id);
    EXPECT_EQ(now.state, approved.ok() ? "approved" : "refused");
    EXPECT_EQ(now.version, 2);
    EXPECT_EQ(HistorySize(c.id), 2u);
  }
}

TEST_P(CaseStoreConformance, AttachmentsAreRecordedWithTheirHistoryEntry) {
  Case c = Create(NewCase("share_request", "submitted", "s"));
  Attachment a{0, c.id, "复函.pdf", "application/pdf", 123456, std::string(64, 'a'), user_, kStart + 5};
  const HistoryEntry attach{c.id, user_, "requester", "attach", "submitted", "submitted", "复函.pdf", kStart + 5};
  ASSERT_TRUE(store_->AddAttachment(a, attach).ok());
  Attachment b{0, c.id, "scan.png", "image/png", 7, std::string(64, 'b'), other_user_, kStart + 6};
  ASSERT_TRUE(store_->AddAttachment(b, attach).ok());
  EXPECT_GT(a.id, 0);
  EXPECT_GT(b.id, a.id);

  auto got = store_->Attachments(c.id);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  const Attachment& g = (*got)[0];
  EXPECT_EQ(g.id, a.id);
  EXPECT_EQ(g.case_id, c.id);
  EXPECT_EQ(g.filename, "复函.pdf");
  EXPECT_EQ(g.content_type, "application/pdf");
  EXPECT_EQ(g.size, 123456);
  EXPECT_EQ(g.sha256, std::string(64, 'a'));
  EXPECT_EQ(g.uploaded_by, user_);
  EXPECT_EQ(g.uploaded_at, kStart + 5);
  EXPECT_EQ((*got)[1].id, b.id);
  auto history = store_->History(c.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  ExpectSameHistory((*history)[1], attach);
  auto none = store_->Attachments(c.id + 1000);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(CaseStoreConformance, TheDeadlineMonitorRemindsAndMarksOverdueOnce) {
  auto due = [&](const std::string& subject, std::optional<UnixSeconds> due_at) {
    Case c = NewCase("catalog_review", "review", subject);
    c.step = "catalog_review";
    c.due_at = due_at;
    return Create(c);
  };
  const Case late = due("late", kStart + 2 * kDay);
  const Case early = due("early", kStart + kDay);
  const Case tie = due("tie", kStart + kDay);
  const Case later = due("later", kStart + 9 * kDay);
  due("no deadline", std::nullopt);
  Case closed = due("closed", kStart);
  TransitionWrite close = Transition(closed, "approved", kStart);
  close.updated.closed_at = kStart;
  ASSERT_TRUE(store_->ApplyTransition(close).ok());

  auto cases = store_->CasesDueBefore(kStart + 2 * kDay);
  ASSERT_TRUE(cases.ok());
  EXPECT_EQ(Ids(*cases), (std::vector<std::int64_t>{early.id, tie.id, late.id}));

  const std::vector<InboxItem> reminder = {ToDepartment(provider_, "reminder", kStart)};
  ASSERT_TRUE(store_->MarkReminded(early.id, reminder).ok());
  ASSERT_TRUE(store_->MarkReminded(early.id, reminder).ok());  // already reminded: no second notification
  EXPECT_TRUE(Get(early.id).reminded);
  EXPECT_FALSE(Get(tie.id).reminded);
  auto provider_inbox = store_->ListInbox(0, provider_, false, {0, 100});
  ASSERT_TRUE(provider_inbox.ok());
  ASSERT_EQ(provider_inbox->size(), 1u);
  EXPECT_EQ((*provider_inbox)[0].case_id, early.id);

  const OverdueEvidence evidence{early.id, "catalog_review", provider_, kStart + kDay, kStart + 3 * kDay, 2};
  const std::vector<InboxItem> overdue = {ToDepartment(provider_, "overdue", kStart + 3 * kDay)};
  ASSERT_TRUE(store_->MarkOverdue(evidence, overdue).ok());
  ASSERT_TRUE(store_->MarkOverdue(evidence, overdue).ok());  // already marked: nothing more
  // The deadline moved meanwhile: nothing is marked.
  ASSERT_TRUE(store_->MarkOverdue({later.id, "catalog_review", provider_, kStart, kStart + 3 * kDay, 2}, overdue).ok());
  EXPECT_TRUE(Get(early.id).overdue);
  EXPECT_FALSE(Get(later.id).overdue);
  provider_inbox = store_->ListInbox(0, provider_, false, {0, 100});
  ASSERT_TRUE(provider_inbox.ok());
  EXPECT_EQ(provider_inbox->size(), 2u);

  ASSERT_TRUE(
      store_->MarkOverdue({late.id, "catalog_review", std::nullopt, kStart + 2 * kDay, kStart + 4 * kDay, 1}, {}).ok());
  auto all = store_->ListOverdueEvidence(std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  const OverdueEvidence& e = (*all)[0];
  EXPECT_EQ(e.case_id, early.id);
  EXPECT_EQ(e.step, "catalog_review");
  EXPECT_EQ(e.responsible_department_id, provider_);
  EXPECT_EQ(e.due_at, kStart + kDay);
  EXPECT_EQ(e.detected_at, kStart + 3 * kDay);
  EXPECT_EQ(e.working_days_late, 2);
  EXPECT_EQ((*all)[1].case_id, late.id);
  EXPECT_EQ((*all)[1].responsible_department_id, std::nullopt);
  auto one = store_->ListOverdueEvidence(late.id);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].working_days_late, 1);

  // Marked cases wait for no more marks.
  cases = store_->CasesDueBefore(kStart + 10 * kDay);
  ASSERT_TRUE(cases.ok());
  EXPECT_EQ(Ids(*cases), (std::vector<std::int64_t>{tie.id, later.id}));
}

TEST_P(CaseStoreConformance, TheDashboardCountsComplianceAndLateCasesPerDepartment) {
  auto make = [&](const std::string& type) {
    Case c = NewCase(type, "review", type);
    c.due_at = kStart;
    return Create(c);
  };
  make("catalog_review");                      // on time
  make("share_request");                       // on time
  const Case marked = make("catalog_review");  // overdue by its mark
  const Case escalated = make("share_request");
  const Case evidence_only = make("catalog_review");  // overdue by evidence, the mark reset by an extension
  const Case elsewhere = make("negative_list");       // another type: not counted
  ASSERT_TRUE(store_->MarkOverdue({marked.id, "review", provider_, kStart, kStart + kDay, 1}, {}).ok());
  ASSERT_TRUE(store_
                  ->MarkOverdue({escalated.id, "review", requester_, kStart, kStart + kDay, 1},
                                {ToDepartment(other_, "escalated", kStart + kDay)})
                  .ok());
  ASSERT_TRUE(store_->MarkOverdue({evidence_only.id, "review", provider_, kStart, kStart + kDay, 1}, {}).ok());
  Case child_in = NewCase("extension", "requested", "extension");
  child_in.parent_id = evidence_only.id;
  Case child = Create(child_in);
  TransitionWrite extend = Transition(child, "approved", kStart + kDay);
  extend.updated.closed_at = kStart + kDay;
  extend.extend_parent = TransitionWrite::ParentExtension{evidence_only.id, kStart + 9 * kDay, 1};
  ASSERT_TRUE(store_->ApplyTransition(extend).ok());
  ASSERT_FALSE(Get(evidence_only.id).overdue);
  ASSERT_TRUE(store_->MarkOverdue({elsewhere.id, "review", other_, kStart, kStart + kDay, 1}, {}).ok());
  // A second late step of one case counts the case once for its department.
  ASSERT_TRUE(
      store_->MarkOverdue({evidence_only.id, "review", provider_, kStart + 9 * kDay, kStart + 10 * kDay, 1}, {}).ok());

  auto compliance = store_->CountDeadlineCompliance({"catalog_review", "share_request"});
  ASSERT_TRUE(compliance.ok());
  EXPECT_EQ(compliance->on_time, 2);
  EXPECT_EQ(compliance->overdue, 2);
  EXPECT_EQ(compliance->escalated, 1);
  auto nothing = store_->CountDeadlineCompliance({"no_such_type"});
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(nothing->on_time + nothing->overdue + nothing->escalated, 0);

  auto late = store_->CountOverdueByDepartment();
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late->size(), 3u);
  EXPECT_EQ((*late)[0].department_id, provider_);
  EXPECT_EQ((*late)[0].department_name, "Public Security");
  EXPECT_EQ((*late)[0].cases, 2);
  // Ties in order of department id.
  EXPECT_EQ((*late)[1].department_id, requester_);
  EXPECT_EQ((*late)[1].department_name, "Civil Affairs");
  EXPECT_EQ((*late)[1].cases, 1);
  EXPECT_EQ((*late)[2].department_id, other_);
  EXPECT_EQ((*late)[2].cases, 1);
}

TEST_P(CaseStoreConformance, ListCasesFiltersByEveryFieldAndVisibility) {
  Case a_in = NewCase("catalog_review", "review", "a");
  a_in.due_at = kStart + kDay;
  const Case a = Create(a_in);
  Case b_in = NewCase("share_request", "review", "b");
  b_in.requester_department_id = other_;
  b_in.provider_department_id = std::nullopt;
  b_in.responsible_department_id = other_;
  b_in.region_id = kCity;
  b_in.due_at = kStart + 3 * kDay;
  const Case b = Create(b_in);
  Case c_in = NewCase("share_request", "submitted", "c");
  c_in.requester_department_id = other_;
  c_in.provider_department_id = std::nullopt;
  c_in.responsible_department_id = requester_;
  const Case c = Create(c_in);
  TransitionWrite close = Transition(c, "refused", kStart + 1);
  close.updated.closed_at = kStart + 1;
  ASSERT_TRUE(store_->ApplyTransition(close).ok());
  ASSERT_TRUE(store_->MarkOverdue({a.id, "review", provider_, kStart + kDay, kStart + 2 * kDay, 1}, {}).ok());

  auto ids = [&](const CaseFilter& f) {
    auto rows = store_->ListCases(f, {0, 100});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? Ids(*rows) : std::vector<std::int64_t>{};
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(ids(CaseFilter{}), (V{a.id, b.id, c.id}));
  CaseFilter f;
  f.type = "share_request";
  EXPECT_EQ(ids(f), (V{b.id, c.id}));
  f = CaseFilter{};
  f.state = "review";
  EXPECT_EQ(ids(f), (V{a.id, b.id}));
  f = CaseFilter{};
  f.overdue = true;
  EXPECT_EQ(ids(f), V{a.id});
  f.overdue = false;
  EXPECT_EQ(ids(f), (V{b.id, c.id}));
  f = CaseFilter{};
  f.due_before = kStart + 3 * kDay;  // strictly before; cases without a due time never match
  EXPECT_EQ(ids(f), V{a.id});
  f = CaseFilter{};
  f.open_only = true;
  EXPECT_EQ(ids(f), (V{a.id, b.id}));
  f = CaseFilter{};
  f.responsible_department_id = other_;
  EXPECT_EQ(ids(f), V{b.id});
  // Visibility: a party to the case (requester, provider or responsible) ...
  f = CaseFilter{};
  f.department_id = requester_;
  EXPECT_EQ(ids(f), (V{a.id, c.id}));
  f.department_id = provider_;
  EXPECT_EQ(ids(f), V{a.id});
  // ... or the case's region is one of the given ones; either suffices.
  f = CaseFilter{};
  f.region_ids = std::vector<std::string>{kCity};
  EXPECT_EQ(ids(f), V{b.id});
  f.region_ids = std::vector<std::string>{};
  EXPECT_EQ(ids(f), V{});
  f.department_id = provider_;
  f.region_ids = std::vector<std::string>{kCity, "999999"};
  EXPECT_EQ(ids(f), (V{a.id, b.id}));
  // Filters combine.
  f = CaseFilter{};
  f.type = "share_request";
  f.open_only = true;
  f.department_id = other_;
  EXPECT_EQ(ids(f), V{b.id});
  // Default order pages by id; a negative limit lists every row.
  auto page = store_->ListCases(CaseFilter{}, {a.id, 1});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page), V{b.id});
  page = store_->ListCases(CaseFilter{}, {0, -1});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->size(), 3u);
}

TEST_P(CaseStoreConformance, ListCasesSortsByEachFieldBothWaysAndPagesByKeyset) {
  struct Row {
    const char* type;
    const char* state;
    const char* subject;
    std::optional<UnixSeconds> due_at;
    UnixSeconds created_at;
    UnixSeconds updated_at;
  };
  // Ties on every field, text whose code-point order differs from a locale's (upper case before lower, CJK last),
  // and cases without a due time (last when ascending).
  const std::vector<Row> rows = {
      {"share_request", "review", "b", kStart + 3, kStart + 1, kStart + 9},
      {"catalog_review", "Review", "审核", std::nullopt, kStart + 2, kStart + 9},
      {"Share_request", "review", "B", kStart + 1, kStart + 1, kStart + 7},
      {"catalog_review", "submitted", "a", kStart + 3, kStart + 3, kStart + 8},
      {"审核", "review", "b", std::nullopt, kStart + 2, kStart + 7},
      {"catalog_review", "approved", "Ä", kStart + 2, kStart + 1, kStart + 8},
      {"share_request", "submitted", "a", kStart + 1, kStart + 3, kStart + 9},
  };
  std::vector<Case> made;
  for (const auto& r : rows) {
    Case c = NewCase(r.type, r.state, r.subject);
    c.due_at = r.due_at;
    c.created_at = r.created_at;
    c.updated_at = r.updated_at;
    made.push_back(Create(c));
  }
  for (const SortField field : {SortField::kId, SortField::kType, SortField::kState, SortField::kSubject,
                                SortField::kDueAt, SortField::kCreatedAt, SortField::kUpdatedAt}) {
    for (const bool descending : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "field " << static_cast<int>(field) << (descending ? " desc" : " asc"));
      const auto walked = WalkPages(
          field, descending, 2, [&](const org::PageRequest& page) { return store_->ListCases(CaseFilter{}, page); });
      EXPECT_EQ(walked, ExpectedOrder(made, field, descending));
    }
  }
  org::PageRequest bad(0, 10);
  bad.sort = SortField::kName;
  auto refused = store_->ListCases(CaseFilter{}, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(refused.status().code(), "invalid_sort");
}

TEST_P(CaseStoreConformance, WebhooksGetAnOutboxRowPerDepartmentNotification) {
  Webhook w1{0, provider_, "https://ps.example/hook", "secret-1", true, user_, kStart};
  Webhook w2{0, provider_, "https://ps.example/other", "secret-2", true, user_, kStart + 1};
  Webhook elsewhere{0, other_, "https://health.example/hook", "secret-3", true, user_, kStart};
  ASSERT_TRUE(store_->CreateWebhook(w1).ok());
  ASSERT_TRUE(store_->CreateWebhook(w2).ok());
  ASSERT_TRUE(store_->CreateWebhook(elsewhere).ok());
  EXPECT_GT(w2.id, w1.id);
  auto hooks = store_->ListWebhooks(provider_);
  ASSERT_TRUE(hooks.ok());
  ASSERT_EQ(hooks->size(), 2u);
  const Webhook& h = (*hooks)[0];
  EXPECT_EQ(h.id, w1.id);
  EXPECT_EQ(h.department_id, provider_);
  EXPECT_EQ(h.url, "https://ps.example/hook");
  EXPECT_EQ(h.secret, "secret-1");
  EXPECT_TRUE(h.active);
  EXPECT_EQ(h.created_by, user_);
  EXPECT_EQ(h.created_at, kStart);

  // A department item goes to each active webhook of its department; a user's item to none.
  Case c = NewCase("share_request", "submitted", "s");
  ASSERT_TRUE(
      store_
          ->CreateCase(c, Opened(),
                       {ToDepartment(provider_, "assigned", kStart + 10), ToUser(user_, "assigned", kStart + 10)})
          .ok());
  const auto inbox = store_->ListInbox(0, provider_, false, {0, 100});
  ASSERT_TRUE(inbox.ok() && inbox->size() == 1);
  const std::int64_t inbox_id = (*inbox)[0].id;
  auto due = store_->DueDeliveries(kStart + 10, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_LT((*due)[0].id, (*due)[1].id);  // equal next attempt times: in id order
  const bool first_is_w1 = (*due)[0].webhook_id == w1.id;
  const Delivery d = first_is_w1 ? (*due)[0] : (*due)[1];   // w1's
  const Delivery d2 = first_is_w1 ? (*due)[1] : (*due)[0];  // w2's
  EXPECT_EQ(d.webhook_id, w1.id);
  EXPECT_EQ(d2.webhook_id, w2.id);
  EXPECT_EQ(d.event, "assigned");
  EXPECT_EQ(d.payload, "{\"event\":\"assigned\",\"inbox_id\":" + std::to_string(inbox_id) +
                           ",\"case_id\":" + std::to_string(c.id) + ",\"department_id\":" + std::to_string(provider_) +
                           ",\"message\":\"部门通知 assigned\",\"created_at\":\"" + common::FormatRfc3339(kStart + 10) +
                           "\"}");
  EXPECT_EQ(d2.payload, d.payload);
  EXPECT_EQ(d.status, "pending");
  EXPECT_EQ(d.attempts, 0);
  EXPECT_EQ(d.next_attempt_at, kStart + 10);
  EXPECT_EQ(d.last_status, std::nullopt);
  EXPECT_EQ(d.last_error, std::nullopt);
  EXPECT_EQ(d.delivered_at, std::nullopt);
  EXPECT_EQ(d.created_at, kStart + 10);
  EXPECT_EQ(d.url, "https://ps.example/hook");
  EXPECT_EQ(d.secret, "secret-1");
  EXPECT_EQ(d2.url, "https://ps.example/other");
  EXPECT_EQ(d2.secret, "secret-2");
  auto not_yet = store_->DueDeliveries(kStart + 9, 10);
  ASSERT_TRUE(not_yet.ok());
  EXPECT_TRUE(not_yet->empty());
  auto limited = store_->DueDeliveries(kStart + 10, 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(Ids(*limited), std::vector<std::int64_t>{std::min(d.id, d2.id)});

  // A failed attempt with a retry time, then delivery; an attempt on a delivered row changes nothing.
  ASSERT_TRUE(store_->RecordAttempt(d.id, false, 503, "unavailable", kStart + 70, kStart + 10).ok());
  due = store_->DueDeliveries(kStart + 69, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(Ids(*due), std::vector<std::int64_t>{d2.id});
  due = store_->DueDeliveries(kStart + 70, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].id, d2.id);  // ordered by next attempt: the retried one last
  EXPECT_EQ((*due)[1].id, d.id);
  EXPECT_EQ((*due)[1].attempts, 1);
  EXPECT_EQ((*due)[1].last_status, 503);
  EXPECT_EQ((*due)[1].last_error, "unavailable");
  EXPECT_EQ((*due)[1].next_attempt_at, kStart + 70);
  ASSERT_TRUE(store_->RecordAttempt(d.id, true, 204, std::nullopt, std::nullopt, kStart + 70).ok());
  ASSERT_TRUE(store_->RecordAttempt(d.id, false, 500, "late", std::nullopt, kStart + 80).ok());
  // The other delivery gives up.
  ASSERT_TRUE(store_->RecordAttempt(d2.id, false, std::nullopt, "refused", std::nullopt, kStart + 70).ok());
  due = store_->DueDeliveries(kStart + 1000, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());

  auto listed = store_->ListDeliveries(w1.id, {0, 10});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].status, "delivered");
  EXPECT_EQ((*listed)[0].attempts, 2);
  EXPECT_EQ((*listed)[0].last_status, 204);
  EXPECT_EQ((*listed)[0].last_error, std::nullopt);
  EXPECT_EQ((*listed)[0].delivered_at, kStart + 70);
  listed = store_->ListDeliveries(w2.id, {0, 10});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].status, "failed");
  EXPECT_EQ((*listed)[0].last_error, "refused");
  EXPECT_EQ((*listed)[0].delivered_at, std::nullopt);

  // Deactivation: only by the owning department; pending deliveries fail, and no new ones are queued.
  ASSERT_TRUE(store_->MarkReminded(c.id, {ToDepartment(provider_, "reminder", kStart + 100)}).ok());
  EXPECT_EQ(store_->DeactivateWebhook(other_, w1.id).code(), "not_found");
  ASSERT_TRUE(store_->DeactivateWebhook(provider_, w1.id).ok());
  hooks = store_->ListWebhooks(provider_);
  ASSERT_TRUE(hooks.ok() && hooks->size() == 2);
  EXPECT_FALSE((*hooks)[0].active);
  EXPECT_TRUE((*hooks)[1].active);
  listed = store_->ListDeliveries(w1.id, {0, 10});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].status, "failed");
  EXPECT_EQ((*listed)[1].last_error, "webhook removed");
  TransitionWrite t = Transition(c, "provider_review", kStart + 300);
  t.notifications = {ToDepartment(provider_, "assigned", kStart + 300)};
  ASSERT_TRUE(store_->ApplyTransition(t).ok());
  listed = store_->ListDeliveries(w1.id, {0, 10});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
  listed = store_->ListDeliveries(w2.id, {0, 10});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  // Paging by id.
  auto page = store_->ListDeliveries(w2.id, {(*listed)[0].id, 1});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page), std::vector<std::int64_t>{(*listed)[1].id});
  EXPECT_EQ(store_->DeactivateWebhook(provider_, w1.id + 1000).code(), "not_found");
}

TEST_P(CaseStoreConformance, InboxesHoldTheUsersAndTheDepartmentsItemsAndAreReadOnce) {
  Case c = NewCase("share_request", "submitted", "s");
  ASSERT_TRUE(store_
                  ->CreateCase(c, Opened(),
                               {ToUser(user_, "decided", kStart + 3), ToDepartment(requester_, "assigned", kStart + 1),
                                ToDepartment(other_, "assigned", kStart + 2), ToUser(user_, "reminder", kStart + 1),
                                ToDepartment(requester_, "escalated", kStart + 4)})
                  .ok());
  auto items = Inbox(user_, requester_);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].kind, "decided");
  EXPECT_EQ(items[1].kind, "assigned");
  EXPECT_EQ(items[1].department_id, requester_);
  // Another member of the department sees only the department's items.
  const auto colleague = MakeUser("colleague", requester_);
  EXPECT_EQ(Inbox(colleague, requester_).size(), 2u);
  EXPECT_EQ(Inbox(other_user_, other_).size(), 1u);

  EXPECT_EQ(store_->MarkInboxRead(items[0].id, other_user_, other_, kStart + 9).code(), "not_found");
  ASSERT_TRUE(store_->MarkInboxRead(items[0].id, user_, requester_, kStart + 10).ok());
  ASSERT_TRUE(store_->MarkInboxRead(items[1].id, user_, requester_, kStart + 11).ok());
  ASSERT_TRUE(store_->MarkInboxRead(items[0].id, user_, requester_, kStart + 12).ok());  // the first read is kept
  EXPECT_EQ(store_->MarkInboxRead(items[0].id + 1000, user_, requester_, kStart).code(), "not_found");
  items = Inbox(user_, requester_);
  EXPECT_EQ(items[0].read_at, kStart + 10);
  EXPECT_EQ(items[1].read_at, kStart + 11);
  EXPECT_EQ(Inbox(user_, requester_, /*unread_only=*/true).size(), 2u);

  for (const SortField field : {SortField::kId, SortField::kKind, SortField::kCreatedAt}) {
    for (const bool descending : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "field " << static_cast<int>(field) << (descending ? " desc" : " asc"));
      const auto walked = WalkPages(field, descending, 3, [&](const org::PageRequest& page) {
        return store_->ListInbox(user_, requester_, false, page);
      });
      EXPECT_EQ(walked, ExpectedOrder(items, field, descending));
    }
  }
  org::PageRequest bad(0, 10);
  bad.sort = SortField::kSubject;
  auto refused = store_->ListInbox(user_, requester_, false, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "invalid_sort");
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseStoreConformance, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

/// What only PostgreSQL does: run a write again after a serialization failure.
using CaseStoreRetry = CaseStoreConformance;

// A transaction that loses a write-write race to another node is run again whole; the domain change of the transition
// then starts from the caller's function as it was passed, not from the state its first, rolled-back run left behind
// (e.g. an id it set while inserting), and nothing of the first run is kept.
TEST_P(CaseStoreRetry, ARetriedTransitionRunsTheDomainChangeAgainFromTheCallersState) {
  Case c = Create(NewCase("share_request", "submitted", "s"));
  Webhook hook{0, provider_, "https://ps.example/hook", "secret", true, user_, kStart};
  ASSERT_TRUE(store_->CreateWebhook(hook).ok());
  const std::string conninfo = db_->pg_conninfo();
  std::vector<int> seen;  // the closure's own state at the start of each run
  TransitionWrite w = Transition(c, "approved", kStart + 60);
  w.domain_change = [&seen, conninfo, id = hook.id, runs = 0](store::Transaction& tx) mutable {
    seen.push_back(runs++);
    auto& conn = static_cast<store::pg::PgTransaction&>(tx).connection;
    if (seen.size() == 1) {
      // Another node changes the row after this transaction's snapshot: the update below must fail with 40001.
      store::pg::Connection other(conninfo);
      other.Exec("UPDATE webhooks SET url = 'https://ps.example/moved' WHERE id = " + std::to_string(id));
    }
    conn.Prepare("UPDATE webhooks SET secret = 'rotated' WHERE id = $1").Bind(1, id).Run();
    return Status::Ok();
  };
  ASSERT_TRUE(store_->ApplyTransition(w).ok());
  EXPECT_EQ(seen, (std::vector<int>{0, 0}));
  EXPECT_EQ(Get(c.id).version, 2);
  EXPECT_EQ(HistorySize(c.id), 2u);
  auto hooks = store_->ListWebhooks(provider_);
  ASSERT_TRUE(hooks.ok() && hooks->size() == 1);
  EXPECT_EQ((*hooks)[0].url, "https://ps.example/moved");
  EXPECT_EQ((*hooks)[0].secret, "rotated");
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseStoreRetry, ::testing::Values(Backend::kPostgres), testing::BackendName);

}  // namespace
}  // namespace govshare::workflow
