// The loader's name -> value tables: open addressing over one array of
// slots, each holding the key's full hash, the key (a view into the
// document, not owned) and the value.
//
// A lookup reads one slot, usually, and the key's text only when the full
// 64-bit hashes match. std::unordered_map reads a bucket, a node allocated
// on its own and the key: at 20,000 nodes (seven lookups per node) those
// cache misses were a quarter of the load.
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace tgc::frontend {

template <class T>
class NameTable {
 public:
  // Room for `n` names without growing.
  void reserve(size_t n) {
    if (2 * n > slots_.size()) rehash(capacity_for(n));
  }

  // The value of `key`, or null.
  T* find(std::string_view key) {
    if (slots_.empty()) return nullptr;
    uint64_t h = hash(key);
    for (size_t i = h & mask(); slots_[i].hash != 0; i = (i + 1) & mask())
      if (slots_[i].hash == h && slots_[i].key == key) return &slots_[i].value;
    return nullptr;
  }
  const T* find(std::string_view key) const { return const_cast<NameTable*>(this)->find(key); }
  bool contains(std::string_view key) const { return find(key) != nullptr; }

  // Adds key -> value; false (and no change) when the key is there already.
  bool insert(std::string_view key, T value) {
    if (2 * (size_ + 1) > slots_.size()) rehash(capacity_for(size_ + 1));
    uint64_t h = hash(key);
    size_t i = h & mask();
    for (; slots_[i].hash != 0; i = (i + 1) & mask())
      if (slots_[i].hash == h && slots_[i].key == key) return false;
    slots_[i] = {h, key, std::move(value)};
    ++size_;
    return true;
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty
    std::string_view key;
    T value{};
  };

  static uint64_t hash(std::string_view key) { return std::hash<std::string_view>()(key) | 1; }
  // At most half full: short probe runs.
  static size_t capacity_for(size_t n) {
    size_t c = 16;
    while (c < 2 * n) c *= 2;
    return c;
  }
  size_t mask() const { return slots_.size() - 1; }

  void rehash(size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    for (Slot& s : old) {
      if (s.hash == 0) continue;
      size_t i = s.hash & mask();
      while (slots_[i].hash != 0) i = (i + 1) & mask();
      slots_[i] = std::move(s);
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace tgc::frontend
