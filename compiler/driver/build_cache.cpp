#include "driver/build_cache.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "driver/sha256.h"
#include "ir/error.h"

namespace fs = std::filesystem;

namespace tgc::driver {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string exe_dir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.parent_path().string();
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class Text>
void write_file(const fs::path& p, const Text& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw run_error("", "cannot write " + p.string());
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> w;
  std::istringstream in(s);
  std::string x;
  while (in >> x) w.push_back(x);
  return w;
}

// Runs argv with stdout and stderr appended to `log`; returns the exit status.
int run_process(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Every runtime header, so that a runtime change invalidates cached builds.
std::string runtime_fingerprint() {
  std::string all;
  fs::path dir = fs::path(runtime_include_dir()) / "tgc";
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& f : files) all += f.filename().string() + "\n" + read_file(f);
  return all;
}

}  // namespace

std::string runtime_include_dir() {
  if (std::string e = env("TGC_RUNTIME_INCLUDE"); !e.empty()) return e;
  std::string exe = exe_dir();
  if (!exe.empty()) {
    fs::path installed = fs::path(exe) / ".." / "share" / "tgc" / "runtime" / "include";
    std::error_code ec;
    if (fs::exists(installed / "tgc" / "runtime.h", ec)) return fs::weakly_canonical(installed).string();
  }
  return TGC_DEFAULT_RUNTIME_INCLUDE;
}

std::string cache_dir() {
  fs::path dir;
  if (std::string e = env("TGC_CACHE_DIR"); !e.empty()) dir = e;
  else if (std::string x = env("XDG_CACHE_HOME"); !x.empty()) dir = fs::path(x) / "tgc";
  else if (std::string h = env("HOME"); !h.empty()) dir = fs::path(h) / ".cache" / "tgc";
  else dir = fs::temp_directory_path() / ("tgc-cache-" + std::to_string(getuid()));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw run_error("", "cannot create the build cache " + dir.string() + ": " + ec.message());
  return dir.string();
}

std::vector<std::string> build_command(const std::string& source, const std::string& library) {
  std::string cxx = env("TGC_CXX");
  if (cxx.empty()) cxx = TGC_CXX_COMPILER;
  std::vector<std::string> cmd = {cxx, "-std=c++17", "-O3", "-march=native", "-fno-math-errno", "-fPIC", "-shared",
                                  "-I" + runtime_include_dir(), std::string("-I") + TGC_CBLAS_INCLUDE_DIR};
#if defined(__x86_64__)
  // On AVX-512 machines GCC still prefers 256-bit vectors; 512-bit ones make
  // the transcendental loops of tgc/vmath.h about 1.3x faster (OpenBLAS runs
  // AVX-512 kernels there anyway). No effect elsewhere.
  cmd.push_back("-mprefer-vector-width=512");
#endif
  for (const std::string& f : split_words(env("TGC_CXXFLAGS"))) cmd.push_back(f);
  cmd.insert(cmd.end(), {"-o", library, source, "-lopenblas"});
  return cmd;
}

BuildResult build_library(const GeneratedUnit& u) {
  std::vector<std::string> probe = build_command("SOURCE", "LIBRARY");
  std::string flags;
  for (const std::string& a : probe) flags += a + "\n";
  // The source joined: a library is built after this, which costs far more.
  std::string key = sha256_hex({u.header, u.source.str(), flags, runtime_fingerprint()}).substr(0, 32);
  fs::path root = cache_dir();
  fs::path final_dir = root / key;
  fs::path lib = final_dir / ("lib" + u.stem + ".so");
  BuildResult r;
  r.library = lib.string();
  std::error_code ec;
  if (fs::exists(lib, ec)) {
    r.cached = true;
    return r;
  }
  // Build in a private directory, then publish it with an atomic rename, so
  // concurrent runs never see a half-written library.
  std::random_device rd;
  fs::path tmp = root / ("tmp-" + key + "-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(tmp, ec);
  if (ec) throw run_error("", "cannot create " + tmp.string() + ": " + ec.message());
  write_file(tmp / (u.stem + ".h"), u.header);
  write_file(tmp / (u.stem + ".cpp"), u.source);
  fs::path tmp_lib = tmp / ("lib" + u.stem + ".so");
  auto t0 = std::chrono::steady_clock::now();
  int rc = run_process(build_command((tmp / (u.stem + ".cpp")).string(), tmp_lib.string()), (tmp / "build.log").string());
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (rc != 0) {
    std::string log = read_file(tmp / "build.log");
    if (log.size() > 3000) log = log.substr(0, 3000) + "\n...";
    throw internal_error("the C++ compiler rejected the generated code (kept in " + tmp.string() + "):\n" + log);
  }
  fs::rename(tmp, final_dir, ec);
  if (ec) {
    // Another process published the same key first: use theirs.
    fs::remove_all(tmp, ec);
    if (!fs::exists(lib)) throw run_error("", "cannot publish the build in " + final_dir.string());
  }
  return r;
}

}  // namespace tgc::driver
