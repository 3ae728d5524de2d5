// The loader's name -> value tables: open addressing over an array of
// 8-byte slots (a tag of the key's hash and the index of an entry), with the
// entries (the key, a view into the document, not owned, and the value) in
// a second array in the order they were added.
//
// A lookup reads one slot line, usually, and one entry: the slots of a graph
// of 20,000 names take 256 KiB instead of the 2 MiB slots holding the keys
// and values would, and a graph mostly reads names defined shortly before,
// whose entries sit together at the end of the entries. The table is kept
// at most three quarters full: a probe run of a few slots stays within a
// line of eight, while a table twice as large would not stay in the L2
// beside the graph (the loader keeps two). std::unordered_map reads
// a bucket, a node allocated on its own and the key: at 20,000 nodes (seven
// lookups per node) those cache misses were a quarter of the load.
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
    if (full(n)) rehash(capacity_for(n));
    entries_.reserve(n);
  }

  // The value of `key`, or null. Valid until the next insert.
  T* find(std::string_view key) {
    if (slots_.empty()) return nullptr;
    uint64_t h = hash(key);
    for (size_t i = h & mask(); slots_[i].tag != 0; i = (i + 1) & mask())
      if (slots_[i].tag == tag(h) && entries_[slots_[i].index].key == key) return &entries_[slots_[i].index].value;
    return nullptr;
  }
  const T* find(std::string_view key) const { return const_cast<NameTable*>(this)->find(key); }
  bool contains(std::string_view key) const { return find(key) != nullptr; }

  // Adds key -> value; false (and no change) when the key is there already.
  bool insert(std::string_view key, T value) {
    if (full(entries_.size() + 1)) rehash(capacity_for(entries_.size() + 1));
    uint64_t h = hash(key);
    size_t i = h & mask();
    for (; slots_[i].tag != 0; i = (i + 1) & mask())
      if (slots_[i].tag == tag(h) && entries_[slots_[i].index].key == key) return false;
    slots_[i] = {tag(h), uint32_t(entries_.size())};
    entries_.push_back({key, std::move(value)});
    return true;
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Slot {
    uint32_t tag = 0;  // 0: empty
    uint32_t index = 0;
  };
  struct Entry {
    std::string_view key;
    T value;
  };

  static uint64_t hash(std::string_view key) { return std::hash<std::string_view>()(key); }
  // The high half of the hash (the low bits pick the slot), never 0.
  static uint32_t tag(uint64_t h) { return uint32_t(h >> 32) | 1; }
  // At most three quarters full (n names in c slots).
  static bool over(size_t n, size_t c) { return 4 * n > 3 * c; }
  bool full(size_t n) const { return over(n, slots_.size()); }
  static size_t capacity_for(size_t n) {
    size_t c = 16;
    while (over(n, c)) c *= 2;
    return c;
  }
  size_t mask() const { return slots_.size() - 1; }

  void rehash(size_t capacity) {
    slots_.assign(capacity, Slot{});
    for (size_t e = 0; e < entries_.size(); ++e) {
      size_t i = hash(entries_[e].key) & mask();
      while (slots_[i].tag != 0) i = (i + 1) & mask();
      slots_[i] = {tag(hash(entries_[e].key)), uint32_t(e)};
    }
  }

  std::vector<Slot> slots_;
  std::vector<Entry> entries_;  // in the order they were added
};

}  // namespace tgc::frontend
