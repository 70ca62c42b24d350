# SPDX-License-Identifier: BSD-3-Clause
"""The torch.nn.init functions, in place on NumPy arrays and CPU torch tensors (being written)."""

__all__: list = []
