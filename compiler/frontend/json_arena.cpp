#include "frontend/json_arena.h"

#include <algorithm>
#include <cstdint>
#include <new>

namespace tgc::frontend {

namespace {
// Chunks start at 64 KiB and double up to 8 MiB: few chunks (owns() scans
// them) without reserving much for small documents.
constexpr size_t kFirstChunk = size_t(64) << 10;
constexpr size_t kLargestChunk = size_t(8) << 20;
constexpr size_t kChunkAlign = alignof(std::max_align_t);
}  // namespace

JsonArena::~JsonArena() {
  for (const Chunk& c : chunks_) ::operator delete(static_cast<void*>(c.data), std::align_val_t(kChunkAlign));
}

void* JsonArena::allocate(size_t bytes, size_t align) {
  if (!chunks_.empty()) {
    size_t at = (used_ + align - 1) / align * align;
    if (at + bytes <= chunks_.back().size) {
      used_ = at + bytes;
      return chunks_.back().data + at;
    }
  }
  size_t size = chunks_.empty() ? kFirstChunk : std::min(chunks_.back().size * 2, kLargestChunk);
  size = std::max(size, bytes + align);
  auto* data = static_cast<std::byte*>(::operator new(size, std::align_val_t(kChunkAlign)));
  chunks_.push_back({data, size});
  size_t at = (align - reinterpret_cast<uintptr_t>(data) % align) % align;
  used_ = at + bytes;
  return data + at;
}

bool JsonArena::owns(const void* p) const {
  auto at = reinterpret_cast<uintptr_t>(p);
  for (const Chunk& c : chunks_) {
    auto start = reinterpret_cast<uintptr_t>(c.data);
    if (at >= start && at < start + c.size) return true;
  }
  return false;
}

}  // namespace tgc::frontend
