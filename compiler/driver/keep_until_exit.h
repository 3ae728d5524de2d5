// Objects a command is done with just before the process exits are kept,
// not destroyed (as clang does with -disable-free): destroying a large
// graph reads every node, variable and string once more, most of them no
// longer in any cache. For a 20,000-node graph that was about 5 ms of the
// 65 ms `tgc compile` took, spent only to hand memory back to a process
// that is about to end. The objects stay reachable from a list that is
// itself never freed, so leak checkers (ASan's) do not report them.
#pragma once
#include <memory>
#include <utility>
#include <vector>

namespace tgc::driver {

template <class T>
void keep_until_exit(T&& object) {
  static auto* kept = new std::vector<std::shared_ptr<void>>;  // never freed, on purpose
  kept->push_back(std::make_shared<std::decay_t<T>>(std::forward<T>(object)));
}

}  // namespace tgc::driver
