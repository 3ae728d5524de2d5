// Philox4x32-10 counter-based generator (Salmon et al., SC'11) and the samplers
// built on it. The reference interpreter, the CPU target and the CUDA target
// all draw through these functions, so one seed gives the same numbers
// everywhere.
//
// Stream layout (documented in docs/random.md):
//   state = key (k0, k1) + 128-bit counter; serialized as three uint64:
//           [k0 | k1 << 32, counter low 64 bits, counter high 64 bits].
//   A draw of `count` samples with `blocks` Philox blocks per sample uses
//   block counter + i * blocks + j for sample i, and advances the counter by
//   count * blocks.
#pragma once
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define TGC_HD __host__ __device__
#else
#define TGC_HD
#endif

namespace tgc {

struct RngState {
  uint32_t key[2];
  uint64_t ctr_lo, ctr_hi;
};

TGC_HD inline RngState rng_from_seed(uint64_t seed) {
  RngState s;
  s.key[0] = uint32_t(seed);
  s.key[1] = uint32_t(seed >> 32);
  s.ctr_lo = 0;
  s.ctr_hi = 0;
  return s;
}

TGC_HD inline void rng_to_words(const RngState& s, uint64_t out[3]) {
  out[0] = uint64_t(s.key[0]) | (uint64_t(s.key[1]) << 32);
  out[1] = s.ctr_lo;
  out[2] = s.ctr_hi;
}

TGC_HD inline RngState rng_from_words(const uint64_t w[3]) {
  RngState s;
  s.key[0] = uint32_t(w[0]);
  s.key[1] = uint32_t(w[0] >> 32);
  s.ctr_lo = w[1];
  s.ctr_hi = w[2];
  return s;
}

// The state after `n` blocks have been consumed (128-bit add with carry).
TGC_HD inline RngState rng_advance(RngState s, uint64_t n) {
  uint64_t lo = s.ctr_lo + n;
  if (lo < s.ctr_lo) s.ctr_hi += 1;
  s.ctr_lo = lo;
  return s;
}

struct PhiloxBlock {
  uint32_t v[4];
};

// One Philox4x32 block: 10 rounds of the bijection on the counter, keyed by
// the Weyl-sequence-bumped key.
TGC_HD inline PhiloxBlock philox4x32_10(const RngState& s, uint64_t offset) {
  uint64_t lo = s.ctr_lo + offset;
  uint64_t hi = s.ctr_hi + (lo < s.ctr_lo ? 1u : 0u);
  uint32_t c0 = uint32_t(lo), c1 = uint32_t(lo >> 32), c2 = uint32_t(hi), c3 = uint32_t(hi >> 32);
  uint32_t k0 = s.key[0], k1 = s.key[1];
  const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int r = 0; r < 10; ++r) {
    uint64_t p0 = uint64_t(M0) * c0, p1 = uint64_t(M1) * c2;
    uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += W0;
    k1 += W1;
  }
  return PhiloxBlock{{c0, c1, c2, c3}};
}

// A double in [0, 1) from 53 random bits.
TGC_HD inline double philox_unit53(uint32_t a, uint32_t b) {
  return double(((uint64_t(a) << 32) | b) >> 11) * (1.0 / 9007199254740992.0);
}
// A float in [0, 1) from 24 random bits.
TGC_HD inline float philox_unit24(uint32_t a) { return float(a >> 8) * (1.0f / 16777216.0f); }

// Samplers: sample i of a draw; `s` is the state before the draw.
TGC_HD inline double sample_uniform_f64(const RngState& s, uint64_t i, double low, double high) {
  PhiloxBlock b = philox4x32_10(s, i);
  return low + (high - low) * philox_unit53(b.v[0], b.v[1]);
}
TGC_HD inline float sample_uniform_f32(const RngState& s, uint64_t i, float low, float high) {
  PhiloxBlock b = philox4x32_10(s, i);
  return low + (high - low) * philox_unit24(b.v[0]);
}
// Box-Muller on two uniforms in (0, 1]; computed in double for both float types.
TGC_HD inline double sample_normal(const RngState& s, uint64_t i, double mean, double std) {
  PhiloxBlock b = philox4x32_10(s, i);
  double u1 = 1.0 - philox_unit53(b.v[0], b.v[1]);
  double u2 = philox_unit53(b.v[2], b.v[3]);
  return mean + std * (std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}
// Binomial(n, p) as the count of n Bernoulli trials; each block gives two
// trials, so sample i spans `blocks` = ceil(n_max / 2) blocks.
TGC_HD inline int64_t sample_binomial(const RngState& s, uint64_t i, uint64_t blocks, int64_t n, double p) {
  int64_t k = 0;
  for (int64_t t = 0; t < n; t += 2) {
    PhiloxBlock b = philox4x32_10(s, i * blocks + uint64_t(t / 2));
    if (philox_unit53(b.v[0], b.v[1]) < p) ++k;
    if (t + 1 < n && philox_unit53(b.v[2], b.v[3]) < p) ++k;
  }
  return k;
}
TGC_HD inline uint64_t binomial_blocks(int64_t n_max) { return n_max <= 0 ? 1 : uint64_t((n_max + 1) / 2); }

}  // namespace tgc
