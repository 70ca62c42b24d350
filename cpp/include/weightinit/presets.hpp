// SPDX-License-Identifier: BSD-3-Clause
// The named VarianceScaling presets (glorot, he, lecun): one table for every surface.
#pragma once

#include <string>
#include <vector>

#include "weightinit/laws.hpp"

namespace weightinit::laws {

/// One named preset: VarianceScaling(scale, mode, distribution), the same in TF1
/// (`glorot_uniform_initializer`, `he_normal`, ...), Keras 3 (`GlorotUniform`, `HeNormal`,
/// ...), JAX (`jax.nn.initializers.glorot_uniform`, ...) and the box registry. Only the fans
/// differ by surface (TF's max(1, n) guard, JAX's axes); the table does not.
struct Preset {
  const char* name;          ///< snake_case, as TF1, Keras and JAX spell the function
  double scale;              ///< 1 (Glorot, LeCun) or 2 (He)
  Mode mode;                 ///< fan_avg (Glorot) or fan_in (He, LeCun)
  Scaling distribution;      ///< truncated normal (*_normal) or uniform (*_uniform)
};

/// The presets, in the order glorot_uniform, glorot_normal, he_uniform, he_normal,
/// lecun_uniform, lecun_normal. "*_normal" is the normal truncated at 2 standard deviations in
/// every framework that has these names (Glorot & Bengio 2010; He et al. 2015; LeCun et al.
/// 1998 "Efficient BackProp").
const std::vector<Preset>& presets();

/// The preset called `name` (exact, case-sensitive). Throws ValueError
/// ("preset: unknown name 'x' (expected one of glorot_uniform, ...)").
const Preset& preset(const std::string& name);

/// The framework string of a mode: "fan_in", "fan_out" or "fan_avg".
const char* mode_name(Mode mode) noexcept;
/// The framework string of a distribution: "truncated_normal", "untruncated_normal" or
/// "uniform" (the spelling TF1, Keras and JAX share for the presets' two).
const char* scaling_name(Scaling distribution) noexcept;

}  // namespace weightinit::laws
