#include "audit/audit_log.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

#include "audit/audit_store.hpp"
#include "audit/audit_store_sqlite.hpp"
#include "common/crypto.hpp"
#include "common/json_file.hpp"
#include "store/pg/audit_store_pg.hpp"

namespace govshare::audit {

using common::Result;
using common::Status;

namespace {

constexpr std::int64_t kMicrosPerDay = 86400LL * 1000000;
constexpr std::int64_t kChinaOffsetUs = 8LL * 3600 * 1000000;  // days begin at midnight +08:00

/// Whether a record is one call of the data API: its routes (lookup, verify, query, export, changes) are audited with
/// one outcome record per call (AuditPolicy::kOutcome), allow or deny; a streamed export adds a closing record
/// (complete/incomplete), which is not a call.
bool IsDataCall(std::string_view action, std::string_view decision) {
  return (decision == "allow" || decision == "deny") && action.find(" /api/v1/data/") != std::string_view::npos;
}

}  // namespace

namespace detail {

std::int64_t DayOf(std::int64_t time_us) { return (time_us + kChinaOffsetUs) / kMicrosPerDay; }

std::vector<DayCount> CountDataCalls(std::span<const PendingRecord> records) {
  std::vector<DayCount> days;
  for (const PendingRecord& r : records) {
    if (!IsDataCall(r.action, r.decision)) continue;
    const std::int64_t d = DayOf(r.time_us);
    if (days.empty() || days.back().day != d) days.push_back(DayCount{d, 0, 0});
    (r.decision == "allow" ? days.back().allowed : days.back().denied) += 1;
  }
  return days;
}

std::optional<std::string> HexToBytes(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  std::size_t len = 0;
  if (hex.size() % 2 != 0 || sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                                            hex.size(), nullptr, &len, nullptr) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string_view View(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

std::optional<Hash> HashFromBytes(std::string_view bytes) {
  if (bytes.size() != std::tuple_size_v<Hash>) return std::nullopt;
  Hash h{};
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

Result<StoredRecord> ToStoredRecord(std::uint64_t leaf_index, std::string_view encoded, std::string_view leaf_hash) {
  auto record = Decode(encoded);
  if (!record.ok()) return Status::Unavailable("audit_inconsistent", "a stored record does not decode");
  auto leaf = HashFromBytes(leaf_hash);
  if (!leaf) return Status::Unavailable("audit_inconsistent", "a stored leaf hash is not 32 bytes");
  return StoredRecord{leaf_index, record.value(), *leaf};
}

Status LogChecker::Fail(const std::string& what) {
  report_ << "FAIL: " << what << "\n";
  return Status::Unprocessable("audit_inconsistent", what);
}

Status LogChecker::AddRecord(std::uint64_t index, const std::optional<std::string>& bytes,
                             const std::optional<std::string>& stored_leaf) {
  if (index != tree_.size()) {
    return Fail(fmt::format("record {} is missing (next stored index is {})", tree_.size(), index));
  }
  if (!bytes || !Decode(*bytes).ok()) return Fail(fmt::format("record {} is not a canonical record", index));
  const Hash leaf = LeafHash(*bytes);
  if (!stored_leaf || *stored_leaf != View(leaf)) {
    return Fail(fmt::format("record {} does not match its stored leaf hash", index));
  }
  tree_.Append(leaf);
  return Status::Ok();
}

void LogChecker::EndRecords() { report_ << "records: " << tree_.size() << "\n"; }

Status LogChecker::CheckHead(std::uint64_t size, const std::string& root_hex, std::int64_t timestamp_ms,
                             const std::string& signature_hex) {
  auto root = FromHex(root_hex);
  if (!root.ok()) return Fail(fmt::format("tree head {} has a malformed root", size));
  const SignedTreeHead head{size, root.value(), timestamp_ms, signature_hex};
  if (!VerifyTreeHead(head, public_key_hex_)) {
    return Fail(fmt::format("tree head of size {} has an invalid signature", size));
  }
  if (size > tree_.size()) {
    return Fail(
        fmt::format("tree head of size {} covers records that are missing (only {} stored)", size, tree_.size()));
  }
  if (tree_.Root(size).value() != head.root) {
    return Fail(fmt::format("tree head of size {} does not match the stored records: history was rewritten", size));
  }
  ++heads_checked_;
  return Status::Ok();
}

Status LogChecker::Finish() {
  report_ << "signed tree heads checked: " << heads_checked_ << "\n";
  report_ << "root: " << ToHex(tree_.Root(tree_.size()).value()) << "\n";
  report_ << "OK\n";
  return Status::Ok();
}

}  // namespace detail

namespace {

using detail::HexToBytes;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Loads the signing key, creating it (mode 0600) on first use.
Status LoadOrCreateKey(const std::string& path, std::string& secret, std::string& public_hex) {
  std::string sk(crypto_sign_SECRETKEYBYTES, '\0');
  std::string pk(crypto_sign_PUBLICKEYBYTES, '\0');
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::string hex;
    in >> hex;
    auto bytes = HexToBytes(hex);
    if (!bytes || bytes->size() != crypto_sign_SECRETKEYBYTES) {
      return Status::Unavailable("audit_key_invalid", fmt::format("{} is not an Ed25519 secret key", path));
    }
    sk = *bytes;
    crypto_sign_ed25519_sk_to_pk(reinterpret_cast<unsigned char*>(pk.data()),
                                 reinterpret_cast<const unsigned char*>(sk.data()));
  } else {
    crypto_sign_keypair(reinterpret_cast<unsigned char*>(pk.data()), reinterpret_cast<unsigned char*>(sk.data()));
    GOVSHARE_RETURN_IF_ERROR(common::WriteFileDurably(path, ToHex(sk) + "\n"));
    ::chmod(path.c_str(), 0600);
  }
  secret = sk;
  public_hex = ToHex(pk);
  return Status::Ok();
}

}  // namespace

std::string TreeHeadMessage(std::uint64_t tree_size, const Hash& root, std::int64_t timestamp_ms) {
  return fmt::format("govshare-sth-v1\n{}\n{}\n{}", tree_size, ToHex(root), timestamp_ms);
}

bool VerifyTreeHead(const SignedTreeHead& head, const std::string& public_key_hex) {
  auto pk = HexToBytes(public_key_hex);
  auto sig = HexToBytes(head.signature_hex);
  if (!pk || !sig || pk->size() != crypto_sign_PUBLICKEYBYTES || sig->size() != crypto_sign_BYTES) return false;
  const std::string msg = TreeHeadMessage(head.tree_size, head.root, head.timestamp_ms);
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data()),
                                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                     reinterpret_cast<const unsigned char*>(pk->data())) == 0;
}

AuditLog::AuditLog(const common::Clock& clock) : clock_(&clock) {}

Status AuditLog::Load(std::unique_ptr<detail::AuditStore> store, const std::string& key_path) {
  store_ = std::move(store);
  if (secret_key_.empty()) GOVSHARE_RETURN_IF_ERROR(LoadOrCreateKey(key_path, secret_key_, public_key_hex_));
  // Rebuild the tree from the stored leaf hashes (O(n) at start-up; the records themselves are checked by Verify).
  auto leaves = store_->ReadLeaves(0);
  if (!leaves.ok()) return leaves.status();
  for (const Hash& leaf : leaves->hashes) tree_.Append(leaf);
  auto head = store_->ReadLatestHead();
  if (!head.ok()) return head.status();
  latest_head_ = head.value();
  return Status::Ok();
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& data_dir, const common::Clock& clock) {
  auto store = detail::SqliteAuditStore::Open(data_dir + "/audit.db");
  if (!store.ok()) return store.status();
  std::unique_ptr<AuditLog> log(new AuditLog(clock));
  GOVSHARE_RETURN_IF_ERROR(log->Load(std::move(store.value()), data_dir + "/audit.key"));
  return log;
}

Result<std::unique_ptr<AuditLog>> AuditLog::OpenPostgres(store::pg::Database& db, const std::string& data_dir,
                                                         const common::Clock& clock) {
  GOVSHARE_RETURN_IF_ERROR(common::InitCrypto());
  const std::string key_path = data_dir + "/audit.key";
  auto registered = store::pg::PgAuditStore::RegisteredKey(db);
  if (!registered.ok()) return registered.status();
  // A node without a key must not make one of its own once the log has a key: it could never sign for this log.
  if (registered.value() && !std::filesystem::exists(key_path)) {
    return Status::Unavailable("audit_key_mismatch",
                               fmt::format("{} is missing but the audit log in PostgreSQL already has a key: copy "
                                           "audit.key from an existing node to {}",
                                           key_path, key_path));
  }
  std::unique_ptr<AuditLog> log(new AuditLog(clock));
  GOVSHARE_RETURN_IF_ERROR(LoadOrCreateKey(key_path, log->secret_key_, log->public_key_hex_));
  GOVSHARE_RETURN_IF_ERROR(store::pg::PgAuditStore::RegisterKey(db, log->public_key_hex_, key_path));
  GOVSHARE_RETURN_IF_ERROR(log->Load(std::make_unique<store::pg::PgAuditStore>(db), key_path));
  return log;
}

AuditLog::~AuditLog() {
  std::unique_lock lock(queue_mutex_);
  stopping_ = true;
  gather_cv_.notify_all();
  // Every record queued before is committed (or failed) before the store closes.
  drained_cv_.wait(lock, [this] { return !draining_; });
}

namespace {

Status AuditUnavailable() {
  return Status::Unavailable("audit_unavailable", "the audit record could not be made durable");
}

}  // namespace

Result<std::uint64_t> AuditLog::Append(const AuditRecord& record) {
  // The callback owns the promise, so the shared state outlives the writer's set_value even after this returns.
  auto promise = std::make_shared<std::promise<Result<std::uint64_t>>>();
  auto result = promise->get_future();
  AppendAsync(record, [promise](Result<std::uint64_t> r) { promise->set_value(std::move(r)); });
  return result.get();
}

void AuditLog::AppendAsync(const AuditRecord& record, AppendCallback done) {
  if (fail_appends_ || !store_->accepts_appends()) {
    done(AuditUnavailable());
    return;
  }
  // Encoding and hashing happen here, on the caller's thread, so that the writer only inserts.
  PendingRecord pending;
  pending.time_us = record.time_us;
  pending.actor_id = record.actor_id;
  pending.department_id = record.department_id;
  pending.action = record.action;
  pending.decision = record.decision;
  pending.grant_id = record.grant_id;
  pending.encoded = Encode(record);
  pending.leaf = LeafHash(pending.encoded);
  pending.done = std::move(done);
  bool schedule = false;
  {
    std::lock_guard lock(queue_mutex_);
    if (!stopping_ && queue_.size() < kMaxQueued) {
      queue_.push_back(std::move(pending));
      pending.done = nullptr;
      schedule = !std::exchange(draining_, true);
    }
  }
  if (pending.done) {
    pending.done(AuditUnavailable());
    return;
  }
  if (schedule) ScheduleDrain();
}

void AuditLog::ScheduleDrain() {
  store_->WriteBatchAsync([this] { return TakeBatch(); },
                          [this](const Result<detail::CommittedBatch>& written) { AfterDrain(written); });
}

detail::Batch AuditLog::TakeBatch() {
  drain_ran_ = true;
  {
    std::unique_lock lock(queue_mutex_);
    // Gathering (PostgreSQL's commit_delay): when the last batch showed appenders arriving together and fewer records
    // wait now, the writer gives the others a moment to arrive, so that one commit and one fdatasync serve all of them.
    // A lone appender (last batch of one) never waits. The appenders do not wake the writer; it sleeps out the wait.
    const auto wait = std::chrono::microseconds(commit_wait_us_.load());
    if (wait.count() > 0 && last_batch_ > 1 && queue_.size() < last_batch_ && !stopping_) {
      gather_cv_.wait_for(lock, wait, [this] { return stopping_; });
    }
    const auto take = static_cast<std::ptrdiff_t>(std::min(queue_.size(), kMaxBatch));
    inflight_.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + take));
    queue_.erase(queue_.begin(), queue_.begin() + take);
  }
  last_batch_ = inflight_.size();
  if (const auto delay = commit_delay_ms_.load(); delay > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  }
  std::shared_lock lock(tree_mutex_);
  return detail::Batch{inflight_, tree_.size()};
}

void AuditLog::ExtendTreeLocked(const detail::Leaves& leaves) const {
  // Leaves below the tree's size are there already (a catch-up read them first); the store returns contiguous
  // leaves from at most the tree's size, so none is skipped.
  for (std::size_t i = 0; i < leaves.hashes.size(); ++i) {
    if (leaves.from + i == tree_.size()) tree_.Append(leaves.hashes[i]);
  }
}

void AuditLog::AfterDrain(const Result<detail::CommittedBatch>& written) {
  const std::uint64_t first = written.ok() ? written->first : 0;
  if (written.ok()) {
    std::unique_lock lock(tree_mutex_);
    ExtendTreeLocked(written->others);
    for (std::size_t i = 0; i < inflight_.size(); ++i) {
      if (first + i == tree_.size()) tree_.Append(inflight_[i].leaf);
    }
  } else if (!inflight_.empty()) {
    spdlog::error("audit: a batch of {} records could not be made durable: {}", inflight_.size(),
                  written.status().ToString());
  }
  for (std::size_t i = 0; i < inflight_.size(); ++i) {
    if (written.ok()) {
      inflight_[i].done(first + i);
    } else {
      inflight_[i].done(AuditUnavailable());
    }
  }
  inflight_.clear();
  // The store refused the job without running it (it is closing): nothing queued can be made durable any more.
  std::deque<PendingRecord> refused;
  bool again = false;
  {
    std::lock_guard lock(queue_mutex_);
    if (!std::exchange(drain_ran_, false)) refused.swap(queue_);
    again = !queue_.empty();
    if (!again) {
      draining_ = false;
      drained_cv_.notify_all();
    }
  }
  for (auto& r : refused) r.done(AuditUnavailable());
  if (again) ScheduleDrain();
}

Status AuditLog::SignNewHead() {
  std::uint64_t known = 0;
  {
    std::shared_lock lock(tree_mutex_);
    known = tree_.size();
  }
  std::optional<SignedTreeHead> stored;
  GOVSHARE_RETURN_IF_ERROR(store_->WriteHead(
      known, [&](const detail::Leaves& leaves, std::uint64_t latest_size) -> std::optional<SignedTreeHead> {
        stored.reset();  // the job may run again
        SignedTreeHead head;
        {
          std::unique_lock lock(tree_mutex_);
          ExtendTreeLocked(leaves);
          head.tree_size = tree_.size();
          if (head.tree_size == 0 || head.tree_size <= latest_size) return std::nullopt;
          head.root = tree_.Root(head.tree_size).value();
        }
        head.timestamp_ms = NowMs();
        const std::string msg = TreeHeadMessage(head.tree_size, head.root, head.timestamp_ms);
        std::string sig(crypto_sign_BYTES, '\0');
        crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                             reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                             reinterpret_cast<const unsigned char*>(secret_key_.data()));
        head.signature_hex = ToHex(sig);
        stored = head;
        return head;
      }));
  if (!stored) return Status::Ok();
  std::unique_lock lock(tree_mutex_);
  if (!latest_head_ || latest_head_->tree_size < stored->tree_size) latest_head_ = stored;
  return Status::Ok();
}

void AuditLog::CatchUp() const {
  if (!store_->shared()) return;
  std::uint64_t known = 0;
  {
    std::shared_lock lock(tree_mutex_);
    known = tree_.size();
  }
  // The head first: the leaves read after it include every leaf it covers.
  auto head = store_->ReadLatestHead();
  auto leaves = store_->ReadLeaves(known);
  if (!head.ok() || !leaves.ok()) {
    spdlog::warn("audit: cannot catch up with the other nodes' records: {}",
                 (head.ok() ? leaves.status() : head.status()).ToString());
    return;
  }
  std::unique_lock lock(tree_mutex_);
  ExtendTreeLocked(leaves.value());
  if (head.value() && head.value()->tree_size <= tree_.size() &&
      (!latest_head_ || latest_head_->tree_size < head.value()->tree_size)) {
    latest_head_ = head.value();
  }
}

std::uint64_t AuditLog::size() const {
  CatchUp();
  std::shared_lock lock(tree_mutex_);
  return tree_.size();
}

std::optional<SignedTreeHead> AuditLog::LatestHead() const {
  CatchUp();
  std::shared_lock lock(tree_mutex_);
  return latest_head_;
}

Result<std::vector<Hash>> AuditLog::InclusionProof(std::uint64_t leaf_index, std::uint64_t tree_size) const {
  CatchUp();
  std::shared_lock lock(tree_mutex_);
  return tree_.InclusionProof(leaf_index, tree_size);
}

Result<std::vector<Hash>> AuditLog::ConsistencyProof(std::uint64_t first, std::uint64_t second) const {
  CatchUp();
  std::shared_lock lock(tree_mutex_);
  return tree_.ConsistencyProof(first, second);
}

Result<StoredRecord> AuditLog::Get(std::uint64_t leaf_index) {
  auto out = store_->Get(leaf_index);
  if (!out.ok()) return out.status();
  if (!out.value()) return Status::NotFound(fmt::format("no audit record {}", leaf_index));
  return std::move(*out.value());
}

Result<std::vector<StoredRecord>> AuditLog::List(const RecordFilter& f, std::uint64_t after, int limit) {
  return store_->List(f, after, limit);
}

Result<std::vector<DailyCalls>> AuditLog::CountDataCallsPerDay(std::int64_t now_us, int days) {
  const std::int64_t today = detail::DayOf(now_us);
  const std::int64_t first = today - days + 1;
  std::vector<DailyCalls> out(static_cast<std::size_t>(std::max(days, 0)));
  for (int i = 0; i < days; ++i) {
    out[static_cast<std::size_t>(i)].date = common::FormatDate((first + i) * 86400 + 4 * 3600);  // noon +08:00
  }
  GOVSHARE_RETURN_IF_ERROR(
      store_->ReadDataCalls(first, today, [&](std::int64_t day, std::int64_t allowed, std::int64_t denied) {
        auto& row = out[static_cast<std::size_t>(day - first)];
        row.allowed = allowed;
        row.denied = denied;
      }));
  return out;
}

bool AuditLog::healthy() const { return store_->healthy() && !fail_appends_.load() && store_->accepts_appends(); }

std::uint64_t AuditLog::commits() const { return store_->commits(); }

Status AuditLog::Verify(const std::string& data_dir, std::ostream& report) {
  GOVSHARE_RETURN_IF_ERROR(common::InitCrypto());
  std::string secret;
  std::string public_hex;
  if (!std::filesystem::exists(data_dir + "/audit.key") || !std::filesystem::exists(data_dir + "/audit.db")) {
    return detail::LogChecker("", report).Fail(fmt::format("{} has no audit log (audit.db and audit.key)", data_dir));
  }
  GOVSHARE_RETURN_IF_ERROR(LoadOrCreateKey(data_dir + "/audit.key", secret, public_hex));
  detail::LogChecker checker(public_hex, report);
  return detail::SqliteAuditStore::Verify(data_dir + "/audit.db", checker);
}

Status AuditLog::VerifyPostgres(store::pg::Database& db, std::ostream& report) {
  GOVSHARE_RETURN_IF_ERROR(common::InitCrypto());
  return store::pg::PgAuditStore::Verify(db, report);
}

}  // namespace govshare::audit
