#include "build_ahead.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "driver/build_cache.h"

namespace tgc::test {

void build_in_parallel(std::vector<GeneratedUnit> units) {
  std::sort(units.begin(), units.end(),
            [](const GeneratedUnit& a, const GeneratedUnit& b) { return a.source.size() > b.source.size(); });
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k = next++; k < units.size(); k = next++) {
      try {
        driver::build_library(units[k]);
      } catch (const std::exception&) {
      }
    }
  };
  unsigned n = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < n && t < units.size(); ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
}

}  // namespace tgc::test
