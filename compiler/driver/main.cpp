#include <cstdio>
#include "frontend/loader.h"
#include "ir/error.h"
int main(int argc, char** argv) {
  try {
    tgc::Module m = tgc::frontend::load_graph_file(argv[1]);
    std::printf("ok: %zu functions\n", m.functions.size());
  } catch (const tgc::Error& e) {
    std::fprintf(stderr, "error: %s: %s\n", argv[1], e.located().c_str());
    return int(e.code());
  }
}
