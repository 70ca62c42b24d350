// SPDX-License-Identifier: BSD-3-Clause
// Umbrella header of the weightinit C++ API.
#pragma once

#include "weightinit/cpu.hpp"
#include "weightinit/fans.hpp"
#include "weightinit/fill.hpp"
#include "weightinit/float16.hpp"
#include "weightinit/generator.hpp"
#include "weightinit/initializers.hpp"
#include "weightinit/laws.hpp"
#include "weightinit/orthogonal.hpp"
#include "weightinit/philox.hpp"
#include "weightinit/presets.hpp"
#include "weightinit/stream.hpp"
#include "weightinit/version.hpp"
