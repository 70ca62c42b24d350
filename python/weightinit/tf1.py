# SPDX-License-Identifier: BSD-3-Clause
"""The tf.compat.v1 initializer API on NumPy (being written)."""

__all__: list = []
