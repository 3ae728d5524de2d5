// A host program that embeds the code tgc generates for
// graphs/logreg_predict/graph.json: p_1 = 1 / (1 + exp(-(x . w) - b)) and
// prediction = p_1 > 0.5, with w and b shared variables owned by the model.
//
// It shows the whole life of a model: create it, call `predict` on rows built
// here, read the outputs, read and write a shared variable, and get an error
// back through tgc_status. Exits 0 when every result is as expected.
#include <cmath>
#include <cstdio>

#include "logreg_predict.h"  // generated at build time (see samples/CMakeLists.txt)

namespace {

constexpr int kRows = 4;
constexpr int kFeatures = 5;

// Describes a C-order float64 matrix; the model only reads it.
tgc_tensor matrix(double* data, int64_t rows, int64_t cols) {
  tgc_tensor t{};
  t.dtype = TGC_FLOAT64;
  t.ndim = 2;
  t.shape[0] = rows;
  t.shape[1] = cols;
  t.data = data;
  return t;
}

// The same model written by hand, to check the generated code against.
double expected_p1(const double* row, const double* w, double b) {
  double z = b;
  for (int j = 0; j < kFeatures; ++j) z += row[j] * w[j];
  return 1.0 / (1.0 + std::exp(-z));
}

// Calls predict on `x`, prints one line per row and checks against the hand
// written formula with the model's current w and b. Returns false on failure.
bool predict_and_print(tgc_logreg_predict::Model& model, double (&x)[kRows][kFeatures]) {
  tgc_status st{};
  tgc_tensor w{}, b{};
  if (model.get_shared("w", &w, &st) != TGC_OK || model.get_shared("b", &b, &st) != TGC_OK) {
    std::printf("get_shared failed: %s\n", st.message);
    return false;
  }
  const double* wv = static_cast<const double*>(w.data);
  const double bv = *static_cast<const double*>(b.data);

  tgc_tensor in = matrix(&x[0][0], kRows, kFeatures);
  tgc_tensor out[2];  // p_1, prediction; owned by the model until its next call
  int rc = model.predict(&in, 1, out, 2, &st);
  if (rc != TGC_OK) {
    std::printf("predict failed (code %d): %s\n", rc, st.message);
    return false;
  }
  const double* p1 = static_cast<const double*>(out[0].data);
  const bool* prediction = static_cast<const bool*>(out[1].data);
  bool ok = out[0].ndim == 1 && out[0].shape[0] == kRows && out[1].dtype == TGC_BOOL;
  std::printf("  row  p_1        prediction  (by hand)\n");
  for (int i = 0; i < kRows; ++i) {
    double want = expected_p1(x[i], wv, bv);
    bool good = std::fabs(p1[i] - want) <= 1e-12 && prediction[i] == (want > 0.5);
    ok = ok && good;
    std::printf("  %3d  %.6f   %d           %.6f%s\n", i, p1[i], int(prediction[i]), want, good ? "" : "  MISMATCH");
  }
  return ok;
}

}  // namespace

int main() {
  tgc_logreg_predict::Model model;
  if (!model.ok()) {
    std::printf("cannot create the model\n");
    return 1;
  }
  bool ok = true;

  // Four rows of five features, built in code (C order).
  double x[kRows][kFeatures] = {
      {0.0, 0.0, 0.0, 0.0, 0.0},
      {1.0, -1.0, 0.5, 0.25, 0.0},
      {-1.0, 1.0, -0.5, -0.5, 1.0},
      {0.2, 0.4, -0.3, 1.5, -2.0},
  };

  // Reading a shared variable: the tensor points into the model's storage.
  tgc_status st{};
  tgc_tensor w{};
  if (model.get_shared("w", &w, &st) != TGC_OK) {
    std::printf("get_shared(w) failed: %s\n", st.message);
    return 1;
  }
  std::printf("shared w (float64, shape [%lld]):", (long long)w.shape[0]);
  for (int64_t j = 0; j < w.shape[0]; ++j) std::printf(" %g", static_cast<const double*>(w.data)[j]);
  std::printf("\n");

  std::printf("predict with the initial w and b:\n");
  ok = predict_and_print(model, x) && ok;

  // Writing a shared variable: the model copies the value.
  double new_b = -1.0;
  tgc_tensor b{};
  b.dtype = TGC_FLOAT64;
  b.ndim = 0;
  b.data = &new_b;
  if (model.set_shared("b", &b, &st) != TGC_OK) {
    std::printf("set_shared(b) failed: %s\n", st.message);
    return 1;
  }
  std::printf("predict after set_shared(b = -1):\n");
  ok = predict_and_print(model, x) && ok;

  // Errors come back as a tgc_code and one line in tgc_status: here x has 4
  // columns where the graph declares 5.
  double bad[2][4] = {{1, 2, 3, 4}, {5, 6, 7, 8}};
  tgc_tensor bad_in = matrix(&bad[0][0], 2, 4);
  tgc_tensor out[2];
  int rc = model.predict(&bad_in, 1, out, 2, &st);
  std::printf("predict with x of shape [2, 4]: code %d (%s), message: %s\n", rc,
              rc == TGC_RUNTIME ? "TGC_RUNTIME" : "unexpected", st.message);
  ok = ok && rc == TGC_RUNTIME && st.code == TGC_RUNTIME && st.message[0] != 0;

  std::printf(ok ? "ok\n" : "FAILED\n");
  return ok ? 0 : 1;
}
