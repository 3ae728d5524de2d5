// The memory of a parsed graph document: one arena per load, released in
// one piece when the load ends.
//
// nlohmann's document makes an allocation for every object entry, array and
// string (about 700 bytes in a dozen blocks per graph node). Taken from and
// returned to the heap one by one, they cost a free() each at the end of the
// load and leave the heap riddled with holes that scatter everything the
// optimizer allocates next. From an arena they are laid out in parse order,
// which is the order the loader reads them in, and freed at once.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

namespace tgc::frontend {

class JsonArena {
 public:
  JsonArena() = default;
  JsonArena(const JsonArena&) = delete;
  JsonArena& operator=(const JsonArena&) = delete;
  ~JsonArena();

  void* allocate(size_t bytes, size_t align);
  // Whether p lies in one of the arena's chunks.
  bool owns(const void* p) const;

 private:
  struct Chunk {
    std::byte* data;
    size_t size;
  };
  std::vector<Chunk> chunks_;
  size_t used_ = 0;  // bytes taken from the last chunk
};

// The arena documents are built in on this thread, or null (then documents
// use the heap). Set for the duration of one load by JsonArenaScope.
JsonArena*& current_json_arena();

// Makes `arena` the current one until the scope ends.
class JsonArenaScope {
 public:
  explicit JsonArenaScope(JsonArena& arena) : saved_(current_json_arena()) { current_json_arena() = &arena; }
  ~JsonArenaScope() { current_json_arena() = saved_; }
  JsonArenaScope(const JsonArenaScope&) = delete;
  JsonArenaScope& operator=(const JsonArenaScope&) = delete;

 private:
  JsonArena* saved_;
};

// A stateless allocator for nlohmann's basic_json: from the current arena
// when there is one, else from the heap. Freeing arena memory is a no-op;
// a document must not outlive the arena it was built in.
template <class T>
struct JsonAllocator {
  using value_type = T;
  JsonAllocator() = default;
  template <class U>
  JsonAllocator(const JsonAllocator<U>&) {}

  T* allocate(size_t n) {
    if (JsonArena* a = current_json_arena()) return static_cast<T*>(a->allocate(n * sizeof(T), alignof(T)));
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) {
    JsonArena* a = current_json_arena();
    if (a && a->owns(p)) return;
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const JsonAllocator<U>&) const {
    return true;
  }
  template <class U>
  bool operator!=(const JsonAllocator<U>&) const {
    return false;
  }
};

}  // namespace tgc::frontend
