# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.keras in a Keras 3 model: save, load_model and clone_model keep weightinit's
initializers and values.

Run: KERAS_BACKEND=jax python examples/keras_example.py   (or KERAS_BACKEND=torch)
"""

import os
import sys
import tempfile

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "jax")  # Keras's default backend, TensorFlow, also works
try:
    import keras
except ImportError:
    sys.exit("this example needs Keras 3 and a backend: pip install keras jax")

from weightinit.keras import initializers as wi  # noqa: E402

model = keras.Sequential([
    keras.Input((784,)),
    keras.layers.Dense(256, activation="relu", kernel_initializer=wi.HeNormal(seed=1)),
    keras.layers.Dense(10, kernel_initializer=wi.GlorotUniform(seed=keras.random.SeedGenerator(2)),
                       bias_initializer=wi.Constant(0.01)),
])
kernel = keras.ops.convert_to_numpy(model.layers[0].kernel.value)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "mlp.keras")
    model.save(path)
    loaded = keras.models.load_model(path)

init = loaded.layers[0].kernel_initializer
print(keras.backend.backend(), type(init).__module__, type(init).__name__, init.get_config(),
      keras.saving.get_registered_name(type(init)))
clone = keras.models.clone_model(loaded)  # re-initialized by the same weightinit initializers
same = np.array_equal(keras.ops.convert_to_numpy(clone.layers[0].kernel.value), kernel)
print("clone_model re-initializes to the same kernel:", same, "std", round(float(kernel.std()), 4),
      "= sqrt(2 / 784) =", round((2 / 784) ** 0.5, 4))
assert same
