# SPDX-License-Identifier: BSD-3-Clause
"""TF1 initialization code running on weightinit: only the import line differs from TensorFlow."""

import numpy as np

import weightinit.tf1 as tf  # was: import tensorflow as tf  (TF 1.x)
# or: import weightinit.tf1.compat.v1 as tf   (was: import tensorflow.compat.v1 as tf)

tf.disable_v2_behavior()  # accepted and ignored: weightinit always follows TF1 graph mode
tf.set_random_seed(1234)

# The usual TF1 spellings: module-level aliases, tf.initializers, tf.keras.initializers.
dense = tf.glorot_uniform_initializer(seed=1)([784, 256], dtype=tf.float32)
bias = tf.zeros_initializer()([256], dtype=tf.float32)
conv = tf.initializers.he_normal(seed=2)([3, 3, 64, 128])
embed = tf.random_normal_initializer(stddev=0.02, seed=3)([1000, 64], dtype=tf.bfloat16)
lstm = tf.orthogonal_initializer(gain=1.0, seed=4)([128, 512])
head = tf.keras.initializers.TruncatedNormal(seed=5)([256, 10])  # Keras default stddev 0.05
table = tf.constant_initializer([1, 2, 3])([2, 3], dtype=tf.int32)  # [[1 2 3] [3 3 3]]
ids = tf.random_uniform_initializer(0, 100, seed=6)([8], dtype=tf.int64)
unseeded = tf.compat.v1.variance_scaling_initializer(2.0, "fan_out")([64, 32])

# A seeded initializer gives the same values on every call (TF graph mode) ...
assert np.array_equal(tf.glorot_uniform_initializer(seed=1)([784, 256]), dense)
# ... and an automatic op seed follows from the graph seed: re-running after
# set_random_seed(1234) reproduces the unseeded draws too.

# A partitioned variable (get_variable with a partitioner): each partition is exactly its
# slice of the unpartitioned tensor, and the fans come from the full shape.
init = tf.variance_scaling_initializer(scale=2.0, seed=7)
full = init([1000, 64])
parts = [init([500, 64], partition_info=tf.PartitionInfo([1000, 64], [offset, 0]))
         for offset in (0, 500)]
assert np.array_equal(np.concatenate(parts), full)

# Configs are JSON-serializable and round-trip.
config = tf.glorot_uniform_initializer(seed=1).get_config()  # {'seed': 1, 'dtype': 'float32'}
assert np.array_equal(tf.GlorotUniform.from_config(config)([784, 256]), dense)

for name, value in [("dense", dense), ("bias", bias), ("conv", conv), ("embed", embed),
                    ("lstm", lstm), ("head", head), ("table", table), ("ids", ids),
                    ("unseeded", unseeded)]:
    print(f"{name:9s} {str(value.shape):16s} {value.dtype}  std={np.std(value.astype('f8')):.4f}")
print("lstm kernel rows orthonormal:", np.allclose(lstm @ lstm.T, np.eye(128), atol=1e-5))
