// SHA-256 (FIPS 180-4), for content-addressed build caching.
#pragma once
#include <string>
#include <string_view>

namespace tgc::driver {

// Lower-case hex digest of the concatenation of `parts`.
std::string sha256_hex(std::initializer_list<std::string_view> parts);

}  // namespace tgc::driver
