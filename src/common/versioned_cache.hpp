#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

namespace govshare::common {

/// A cache of rows that other nodes change (grants, logical endpoints), safe against the read-then-cache race: a
/// value read from the store while a Forget ran (a change heard from another node) may already be stale, so it is
/// answered once but not kept — a revocation is never overwritten by the state read before it. The caller takes
/// generation() before reading the store and hands it back to Put/PutAll, which keep the value only if no Forget or
/// Update came in between. PutAll makes the cache complete: a key it does not hold then does not exist. Thread-safe.
template <typename Key, typename Value, typename Hash = std::hash<Key>>
class VersionedCache {
 public:
  enum class Known { kFound, kAbsent, kUnknown };

  /// kFound (and the value in `out`), kAbsent (the cache is complete and has no such key) or kUnknown (read the
  /// store).
  Known Find(const Key& key, Value& out) const {
    std::shared_lock lock(mutex_);
    if (auto it = values_.find(key); it != values_.end()) {
      out = it->second;
      return Known::kFound;
    }
    return complete_ ? Known::kAbsent : Known::kUnknown;
  }

  /// To take before reading the store for Put or PutAll.
  std::uint64_t generation() const {
    std::shared_lock lock(mutex_);
    return generation_;
  }

  /// Keeps `value` for `key` unless the cache changed since `generation`; true if kept.
  bool Put(const Key& key, Value value, std::uint64_t generation) {
    std::unique_lock lock(mutex_);
    if (generation != generation_) return false;
    values_[key] = std::move(value);
    return true;
  }

  /// Replaces everything with `values`, complete, unless the cache changed since `generation`; true if kept.
  bool PutAll(std::unordered_map<Key, Value, Hash> values, std::uint64_t generation) {
    std::unique_lock lock(mutex_);
    if (generation != generation_) return false;
    values_ = std::move(values);
    complete_ = true;
    return true;
  }

  /// This node's own committed change of `key`: kept (if the cache is complete or already holds the key), and reads
  /// still in flight are not.
  void Update(const Key& key, Value value) {
    std::unique_lock lock(mutex_);
    ++generation_;
    if (complete_ || values_.count(key) > 0) values_[key] = std::move(value);
  }

  /// `key` may have changed: read it again (the cache is no longer complete).
  void Forget(const Key& key) {
    std::unique_lock lock(mutex_);
    ++generation_;
    values_.erase(key);
    complete_ = false;
  }

  /// Anything may have changed.
  void ForgetAll() {
    std::unique_lock lock(mutex_);
    ++generation_;
    values_.clear();
    complete_ = false;
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<Key, Value, Hash> values_;  // mutex_
  bool complete_ = false;                        // mutex_
  std::uint64_t generation_ = 0;                 // mutex_: changes so far
};

}  // namespace govshare::common
