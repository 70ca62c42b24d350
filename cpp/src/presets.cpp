// SPDX-License-Identifier: BSD-3-Clause
// The VarianceScaling presets (presets.hpp): the one table of glorot / he / lecun.

#include "weightinit/presets.hpp"

namespace weightinit::laws {

const std::vector<Preset>& presets() {
  // Glorot & Bengio (2010): Var = 2 / (fan_in + fan_out); He et al. (2015): 2 / fan_in;
  // LeCun et al. (1998): 1 / fan_in. TF1, Keras and JAX all draw their *_normal truncated.
  static const std::vector<Preset> kPresets = {
      {"glorot_uniform", 1.0, Mode::kFanAvg, Scaling::kUniform},
      {"glorot_normal", 1.0, Mode::kFanAvg, Scaling::kTruncatedNormal},
      {"he_uniform", 2.0, Mode::kFanIn, Scaling::kUniform},
      {"he_normal", 2.0, Mode::kFanIn, Scaling::kTruncatedNormal},
      {"lecun_uniform", 1.0, Mode::kFanIn, Scaling::kUniform},
      {"lecun_normal", 1.0, Mode::kFanIn, Scaling::kTruncatedNormal},
  };
  return kPresets;
}

const Preset& preset(const std::string& name) {
  std::string known;
  for (const Preset& p : presets()) {
    if (name == p.name) return p;
    known += (known.empty() ? "" : ", ") + std::string(p.name);
  }
  throw ValueError("preset: unknown name '" + name + "' (expected one of " + known + ")");
}

const char* mode_name(Mode mode) noexcept {
  switch (mode) {
    case Mode::kFanIn: return "fan_in";
    case Mode::kFanOut: return "fan_out";
    case Mode::kFanAvg: break;
  }
  return "fan_avg";
}

const char* scaling_name(Scaling distribution) noexcept {
  switch (distribution) {
    case Scaling::kTruncatedNormal: return "truncated_normal";
    case Scaling::kUntruncatedNormal: return "untruncated_normal";
    case Scaling::kUniform: break;
  }
  return "uniform";
}

}  // namespace weightinit::laws
