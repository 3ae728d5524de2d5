#include "tgc/npy.h"

#include <cstdio>
#include <cstring>
#include <fstream>

namespace tgc::npy {

namespace {

const char* const kCodes[] = {"b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8"};

// Value of `key` in the header dict, as raw text up to the next top-level comma.
bool find_field(const std::string& h, const std::string& key, std::string& val) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) k = h.find("\"" + key + "\"");
  if (k == std::string::npos) return false;
  size_t c = h.find(':', k);
  if (c == std::string::npos) return false;
  size_t i = c + 1;
  while (i < h.size() && h[i] == ' ') ++i;
  size_t j = i;
  int depth = 0;
  for (; j < h.size(); ++j) {
    char ch = h[j];
    if (ch == '(' || ch == '[') ++depth;
    else if (ch == ')' || ch == ']') {
      if (depth == 0) break;
      --depth;
    } else if ((ch == ',' || ch == '}') && depth == 0) break;
  }
  if (depth != 0) return false;
  val = h.substr(i, j - i + (j < h.size() && h[j] == ')' ? 1 : 0));
  while (!val.empty() && val.back() == ' ') val.pop_back();
  return true;
}

bool parse_shape(const std::string& v, std::vector<int64_t>& shape) {
  if (v.size() < 2 || v.front() != '(' || v.back() != ')') return false;
  shape.clear();
  size_t i = 1;
  while (i < v.size() - 1) {
    while (i < v.size() - 1 && (v[i] == ' ' || v[i] == ',')) ++i;
    if (i >= v.size() - 1) break;
    int64_t x = 0;
    size_t start = i;
    while (i < v.size() - 1 && v[i] >= '0' && v[i] <= '9') {
      if (x > (int64_t(1) << 50)) return false;
      x = x * 10 + (v[i] - '0');
      ++i;
    }
    if (i == start) return false;
    if (i < v.size() - 1 && v[i] == 'L') ++i;
    shape.push_back(x);
    if (shape.size() > 64) return false;
  }
  return true;
}

}  // namespace

int item_size(const std::string& descr) {
  for (const char* c : kCodes)
    if (descr == c) return descr[1] - '0';
  return 0;
}

bool parse(const uint8_t* data, size_t size, Array& out, std::string& error) {
  if (size < 10 || std::memcmp(data, "\x93NUMPY", 6) != 0) {
    error = "not a .npy file";
    return false;
  }
  int major = data[6];
  size_t hlen, start;
  if (major == 1) {
    hlen = size_t(data[8]) | (size_t(data[9]) << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) {
      error = "truncated .npy header";
      return false;
    }
    hlen = size_t(data[8]) | (size_t(data[9]) << 8) | (size_t(data[10]) << 16) | (size_t(data[11]) << 24);
    start = 12;
  } else {
    error = "unsupported .npy version " + std::to_string(major);
    return false;
  }
  if (start + hlen > size || hlen > (1u << 20)) {
    error = "truncated .npy header";
    return false;
  }
  std::string h(reinterpret_cast<const char*>(data + start), hlen);
  std::string descr, fortran, shape_s;
  if (!find_field(h, "descr", descr) || !find_field(h, "fortran_order", fortran) || !find_field(h, "shape", shape_s)) {
    error = "malformed .npy header";
    return false;
  }
  if (descr.size() < 4 || (descr.front() != '\'' && descr.front() != '"')) {
    error = "malformed dtype in .npy header";
    return false;
  }
  descr = descr.substr(1, descr.size() - 2);
  char order = descr[0];
  std::string code = descr.substr(1);
  int isz = item_size(code);
  if (isz == 0 || !(order == '<' || order == '|' || (order == '=' ) || (order == '>' && isz == 1))) {
    error = "unsupported dtype '" + descr + "' (expected little-endian bool, int, uint or float)";
    return false;
  }
  if (!parse_shape(shape_s, out.shape)) {
    error = "malformed shape in .npy header";
    return false;
  }
  uint64_t n = 1;
  for (int64_t d : out.shape) {
    if (d != 0 && n > (uint64_t(1) << 40) / uint64_t(d)) {
      error = "array too large";
      return false;
    }
    n *= uint64_t(d);
  }
  uint64_t nbytes = n * uint64_t(isz);
  size_t body = start + hlen;
  if (size - body < nbytes) {
    error = "file holds " + std::to_string(size - body) + " data bytes, the header needs " + std::to_string(nbytes);
    return false;
  }
  out.descr = code;
  out.bytes.assign(data + body, data + body + nbytes);
  if (fortran.rfind("True", 0) == 0 && out.shape.size() > 1) {
    // Reorder Fortran (column-major) data to C order.
    std::vector<uint8_t> c(out.bytes.size());
    size_t nd = out.shape.size();
    std::vector<int64_t> idx(nd, 0);
    for (uint64_t f = 0; f < n; ++f) {
      uint64_t ci = 0;
      for (size_t a = 0; a < nd; ++a) ci = ci * uint64_t(out.shape[a]) + uint64_t(idx[a]);
      std::memcpy(&c[ci * uint64_t(isz)], &out.bytes[f * uint64_t(isz)], size_t(isz));
      for (size_t a = 0; a < nd; ++a) {  // Fortran order: the first index moves fastest
        if (++idx[a] < out.shape[a]) break;
        idx[a] = 0;
      }
    }
    out.bytes.swap(c);
  }
  return true;
}

bool read(const std::string& path, Array& out, std::string& error, uint64_t max_bytes) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) {
    error = "cannot open " + path;
    return false;
  }
  std::streamoff len = f.tellg();
  if (len < 0 || uint64_t(len) > max_bytes) {
    error = path + " is larger than the limit of " + std::to_string(max_bytes) + " bytes";
    return false;
  }
  std::vector<uint8_t> buf(static_cast<size_t>(len));
  f.seekg(0);
  if (len > 0 && !f.read(reinterpret_cast<char*>(buf.data()), len)) {
    error = "cannot read " + path;
    return false;
  }
  if (!parse(buf.data(), buf.size(), out, error)) {
    error = path + ": " + error;
    return false;
  }
  return true;
}

bool write(const std::string& path, const Array& a, std::string& error) {
  int isz = item_size(a.descr);
  if (isz == 0) {
    error = "unsupported dtype " + a.descr;
    return false;
  }
  std::string shape = "(";
  for (size_t i = 0; i < a.shape.size(); ++i) shape += std::to_string(a.shape[i]) + (a.shape.size() == 1 || i + 1 < a.shape.size() ? "," : "");
  // numpy writes "(3,)" for one dimension and "(2, 3)" with spaces; both parse.
  shape += ")";
  char order = isz == 1 ? '|' : '<';
  std::string h = "{'descr': '" + std::string(1, order) + a.descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + h.size() + 1;
  size_t pad = (64 - total % 64) % 64;
  h.append(pad, ' ');
  h.push_back('\n');
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = "cannot write " + path;
    return false;
  }
  uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, uint8_t(h.size() & 0xff), uint8_t(h.size() >> 8)};
  bool ok = std::fwrite(pre, 1, 10, f) == 10 && std::fwrite(h.data(), 1, h.size(), f) == h.size() &&
            (a.bytes.empty() || std::fwrite(a.bytes.data(), 1, a.bytes.size(), f) == a.bytes.size());
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) error = "cannot write " + path;
  return ok;
}

}  // namespace tgc::npy
