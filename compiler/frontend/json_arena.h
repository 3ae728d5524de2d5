// The memory of a parsed graph document (frontend/json_doc.h): one arena per
// load, laid out in parse order (the order the loader reads it in) and
// released in one piece when the load ends.
#pragma once
#include <cstddef>
#include <vector>

namespace tgc::frontend {

class JsonArena {
 public:
  JsonArena() = default;
  JsonArena(const JsonArena&) = delete;
  JsonArena& operator=(const JsonArena&) = delete;
  ~JsonArena();

  // `bytes` aligned to `align` (a power of two, at most alignof(max_align_t)),
  // valid until the arena dies.
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

}  // namespace tgc::frontend
