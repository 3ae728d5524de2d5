// A vector of trivially copyable values that keeps up to N of them inside
// itself and moves to the heap only beyond that.
//
// Nodes keep their inputs and outputs in these: almost every node has at
// most three inputs and one output, and every traversal of a graph reads a
// node's inputs. Held inline they share the node's cache line; a
// std::vector put them in a heap block of their own, one more line to fetch
// per node and per walk, and two allocations per node. Types keep their
// static shapes in one too (ir/graph.h, TypeShape): a type check reads no
// heap block, and a copy of a type allocates nothing.
//
// The interface is the part of std::vector the compiler uses; iterators are
// plain pointers. It converts to and from std::vector<T> for the code that
// builds input lists as vectors.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace tgc {

template <class T, uint32_t N>
class SmallVec {
  static_assert(std::is_trivially_copyable_v<T>, "SmallVec moves its values with memcpy");
  static_assert(N > 0);

 public:
  SmallVec() = default;
  SmallVec(std::initializer_list<T> v) { assign(v.begin(), v.size()); }
  SmallVec(const std::vector<T>& v) { assign(v.data(), v.size()); }  // NOLINT: implicit, as the vector it replaces
  SmallVec(const SmallVec& o) { assign(o.data(), o.size()); }
  SmallVec(SmallVec&& o) noexcept { take(o); }
  SmallVec& operator=(const SmallVec& o) {
    if (this != &o) assign(o.data(), o.size());
    return *this;
  }
  SmallVec& operator=(SmallVec&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  SmallVec& operator=(const std::vector<T>& v) {
    assign(v.data(), v.size());
    return *this;
  }
  SmallVec& operator=(std::initializer_list<T> v) {
    assign(v.begin(), v.size());
    return *this;
  }
  ~SmallVec() { release(); }

  operator std::vector<T>() const { return std::vector<T>(begin(), end()); }  // NOLINT: reads as a vector

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return on_heap() ? heap_ : inline_; }
  const T* data() const { return on_heap() ? heap_ : inline_; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  std::reverse_iterator<T*> rbegin() { return std::reverse_iterator<T*>(end()); }
  std::reverse_iterator<T*> rend() { return std::reverse_iterator<T*>(begin()); }
  std::reverse_iterator<const T*> rbegin() const { return std::reverse_iterator<const T*>(end()); }
  std::reverse_iterator<const T*> rend() const { return std::reverse_iterator<const T*>(begin()); }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& at(size_t i) {
    if (i >= size_) throw std::out_of_range("SmallVec::at");
    return data()[i];
  }
  const T& at(size_t i) const { return const_cast<SmallVec*>(this)->at(i); }
  T& front() { return data()[0]; }
  T& back() { return data()[size_ - 1]; }
  const T& front() const { return data()[0]; }
  const T& back() const { return data()[size_ - 1]; }

  void reserve(size_t n) {
    if (n <= cap_) return;
    T* p = new T[n];
    std::memcpy(p, data(), size_ * sizeof(T));
    uint32_t size = size_;
    release();
    heap_ = p;
    cap_ = uint32_t(n);
    size_ = size;
  }
  void push_back(T v) {
    if (size_ == cap_) reserve(size_t(cap_) * 2);
    data()[size_++] = v;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  void resize(size_t n, T v = T()) {
    reserve(n);
    for (size_t i = size_; i < n; ++i) data()[i] = v;
    size_ = uint32_t(n);
  }
  T* insert(const T* pos, T v) {
    size_t at = size_t(pos - begin());
    if (size_ == cap_) reserve(size_t(cap_) * 2);
    T* p = data();
    std::memmove(p + at + 1, p + at, (size_ - at) * sizeof(T));
    p[at] = v;
    ++size_;
    return p + at;
  }
  T* erase(const T* pos) { return erase(pos, pos + 1); }
  T* erase(const T* first, const T* last) {
    size_t a = size_t(first - begin()), b = size_t(last - begin());
    T* p = data();
    std::memmove(p + a, p + b, (size_ - b) * sizeof(T));
    size_ -= uint32_t(b - a);
    return p + a;
  }

  bool operator==(const SmallVec& o) const { return size_ == o.size_ && std::equal(begin(), end(), o.begin()); }
  bool operator!=(const SmallVec& o) const { return !(*this == o); }
  bool operator==(const std::vector<T>& o) const { return size_ == o.size() && std::equal(begin(), end(), o.begin()); }

 private:
  bool on_heap() const { return cap_ > N; }
  void release() {
    if (on_heap()) delete[] heap_;
    cap_ = N;
    size_ = 0;
  }
  void assign(const T* p, size_t n) {
    size_ = 0;
    reserve(n);
    if (n) std::memmove(data(), p, n * sizeof(T));  // p may be null when n is 0 (an empty vector)
    size_ = uint32_t(n);
  }
  void take(SmallVec& o) {
    size_ = o.size_;
    cap_ = o.cap_;
    if (o.on_heap())
      heap_ = o.heap_;
    else
      std::memcpy(inline_, o.inline_, size_ * sizeof(T));
    o.cap_ = N;
    o.size_ = 0;
  }

  uint32_t size_ = 0;
  uint32_t cap_ = N;
  union {
    T inline_[N];
    T* heap_;
  };
};

}  // namespace tgc
