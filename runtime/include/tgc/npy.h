// Reading and writing .npy files (format versions 1.0-3.0 read, 1.0 written),
// for host programs and the tgc driver. Little-endian, C or Fortran order in,
// C order out.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tgc::npy {

struct Array {
  std::string descr;           // without byte order: "f8", "i4", "b1", ...
  std::vector<int64_t> shape;  // () for a 0-d array
  std::vector<uint8_t> bytes;  // C order
};

// Reads `path`; on failure returns false and sets `error` to one line.
// Files larger than `max_bytes` are refused.
bool read(const std::string& path, Array& out, std::string& error, uint64_t max_bytes = (uint64_t(1) << 34));
// Parses an in-memory .npy image.
bool parse(const uint8_t* data, size_t size, Array& out, std::string& error);
// Writes version 1.0, little-endian, C order.
bool write(const std::string& path, const Array& a, std::string& error);
// Size in bytes of one element of a descr, or 0 when unsupported.
int item_size(const std::string& descr);

}  // namespace tgc::npy
