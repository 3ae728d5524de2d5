// Bounds the loader enforces so that hostile graph files cannot crash or hang
// tgc; exceeding one is an invalid-graph error that names the limit.
#pragma once
#include <cstdint>

namespace tgc::limits {

inline constexpr uint64_t kMaxFileBytes = uint64_t(1) << 30;   // graph JSON file
inline constexpr int kMaxJsonDepth = 200;                       // JSON nesting
inline constexpr int kMaxScanNesting = 16;                      // scan inside scan inside ...
inline constexpr int kMaxRank = 16;                             // dimensions of a tensor
inline constexpr int64_t kMaxDim = int64_t(1) << 40;            // one static dimension
inline constexpr int64_t kMaxValueElements = int64_t(1) << 28;  // a value built by fill/uniform/normal/literal
inline constexpr size_t kMaxNodes = 2000000;                    // nodes in one scope
inline constexpr uint64_t kMaxNpyBytes = uint64_t(1) << 34;     // one .npy file

}  // namespace tgc::limits
