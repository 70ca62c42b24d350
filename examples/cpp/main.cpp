// SPDX-License-Identifier: BSD-3-Clause
// Initialize a small network with weightinit's TF1-style C++ classes (the Python API's bits).
#include <cmath>
#include <cstdio>
#include <vector>

#include "weightinit/weightinit.hpp"

int main() {
  using namespace weightinit;
  set_random_seed(11);  // tf.compat.v1.set_random_seed(11)

  // A conv kernel (kh, kw, in, out), a dense kernel and a recurrent kernel, as in TF1 code:
  // the same seeds give the same values as weightinit.tf1 in Python, on any machine.
  const std::vector<float> conv = he_normal(1).values<float>({3, 3, 64, 128});
  const Tensor dense = GlorotUniform(7)({784, 256});
  const Tensor recurrent = Orthogonal(1.0, 3)({256, 256}, ElementType::kFloat64);
  const std::vector<BFloat16> bias = Zeros().values<BFloat16>({256});

  // A partition (rows 728.. of the dense kernel) equals the same rows of the whole.
  const Tensor part = GlorotUniform(7)({56, 256}, std::nullopt, PartitionInfo({784, 256}, {728, 0}));
  const float* whole = dense.data<float>();
  bool same = true;
  for (std::size_t i = 0; i < part.size(); ++i) same = same && part.data<float>()[i] == whole[728 * 256 + i];

  // Orthogonal: columns 0 and 1 have unit norm and are orthogonal.
  const double* q = recurrent.data<double>();
  double n0 = 0, dot = 0;
  for (int r = 0; r < 256; ++r) {
    n0 += q[r * 256] * q[r * 256];
    dot += q[r * 256] * q[r * 256 + 1];
  }
  double sum = 0, sq = 0;
  for (float v : conv) {
    sum += v;
    sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(conv.size());
  std::printf("weightinit %s, target %s, %d threads\n", WEIGHTINIT_VERSION_STRING,
              target_name(active_target()), get_num_threads());
  std::printf("he_normal (3, 3, 64, 128): std %.6f (want %.6f)\n",
              std::sqrt(sq / n - (sum / n) * (sum / n)), std::sqrt(2.0 / (3 * 3 * 64)));
  std::printf("glorot_uniform (784, 256)[0, 0..3] = %.8f %.8f %.8f %.8f\n", whole[0], whole[1],
              whole[2], whole[3]);
  std::printf("orthogonal (256, 256): |q0| = %.15f, q0 . q1 = %+.1e\n", std::sqrt(n0), dot);
  std::printf("bias bfloat16 bits 0x%04x; partition equals slice: %s\n", bias[0].bits,
              same ? "yes" : "NO");
  return same ? 0 : 1;
}
