# SPDX-License-Identifier: BSD-3-Clause
"""The STFT kernel of Keras 3's ``STFT`` initializer: a windowed Fourier basis, a fixed
function of its arguments (nothing is drawn from a stream).

This is the one implementation of that constant in weightinit. It is NumPy, not the C++ law
table, because it is not a draw: no counter, key or kernel target is involved, and Keras
computes it the same way (``keras/src/initializers/constant_initializers.py``: backend array
ops, with the window from ``scipy.signal.get_window``).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

SIDES = ("real", "imag")
SCALINGS = ("density", "spectrum")


def window_values(window: Any, frame_length: int, periodic: Any,
                  shown: Callable[[np.ndarray], Any] = np.shape) -> np.ndarray:
    """The window's float64 values: ``scipy.signal.get_window(window, frame_length,
    periodic)`` for a name, else the values given (any array-like of numbers); `shown` gives
    the shape a message prints (Keras prints its backend tensor's).

    Raises
    ------
    ImportError
        For a window name without SciPy installed.
    ValueError
        SciPy's errors for an unknown name; Keras's message for values that are not
        ``frame_length`` numbers in one dimension.
    """
    if isinstance(window, str):
        try:
            import scipy.signal
        except ImportError as e:
            raise ImportError(f"window: the window {window!r} is computed by "
                              "scipy.signal.get_window: install scipy (pip install scipy), or "
                              "pass the window's values") from e
        return np.asarray(scipy.signal.get_window(window, frame_length, periodic),
                          dtype=np.float64)
    try:
        values = np.asarray(window, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"window: expected a scipy.signal window name, an array of numbers or "
                        f"None, got {window!r}") from None
    if values.ndim != 1 or values.shape[-1] != frame_length:
        raise ValueError("The shape of `window` must be equal to [frame_length]."
                         f"Received: window shape={shown(values)}")
    return values


def stft_kernel(frame_length: int, bins: int, side: str, window: Any, scaling: str | None,
                periodic: Any, dtype: np.dtype,
                shown: Callable[[np.ndarray], Any] = np.shape) -> np.ndarray:
    """The ``(frame_length, 1, bins)`` STFT kernel in `dtype` (a float dtype).

    With ``n = 2 (bins - 1)`` (the FFT length), ``t`` the sample index and ``k`` the bin::

        a[t, k] = ((-2 t) (k / n)) pi
        kernel[t, 0, k] = cos(a[t, k])            (side "real")
                        = sin(a[t, k])            (side "imag")

    times ``w[t] * (1 / s)`` when there is a window ``w`` (``s = sqrt(sum(w**2))`` for
    ``"density"``, ``sum(|w|)`` for ``"spectrum"``, 1 for None). Each step is rounded to
    `dtype` in Keras's order (so ``a`` is the `dtype` argument Keras's backend takes the
    cosine of); the sums are accumulated in float64 and ``cos`` / ``sin`` are NumPy's float64
    ones, each rounded once to `dtype`. Keras's own values (jax backend) use the backend's
    ``cos`` / ``sin`` and summation order instead, so the two agree to about one unit in the
    last place of `dtype` at the kernel's scale (tests/test_keras3.py).

    Raises
    ------
    ValueError
        ``bins == 1`` (an FFT length of 0: Keras's kernel is NaN), or a window whose scaling is
        0 (Keras's kernel is NaN or infinite); the errors of :func:`window_values`.
    """
    if bins == 1:
        raise ValueError("shape: the last dimension (fft_length // 2 + 1) must not be 1: the "
                         "FFT length 2 * (shape[-1] - 1) would be 0")
    dt = np.dtype(dtype)
    n = 2 * (bins - 1)
    # The indices as `dtype` rounds them (as an iota of that dtype does).
    time = np.arange(frame_length, dtype=np.float64).astype(dt).reshape(frame_length, 1, 1)
    freq = (np.arange(bins, dtype=np.float64).astype(dt) / np.asarray(n).astype(dt))
    freq = freq.reshape(1, 1, bins)
    pi = np.asarray(math.pi).astype(dt)
    args = ((np.asarray(-2, dtype=dt) * time) * freq) * pi
    wave = np.cos if side == "real" else np.sin
    kernel: np.ndarray = wave(args.astype(np.float64)).astype(dt)
    if window is None:
        return kernel
    values = window_values(window, frame_length, periodic, shown)
    win = values.astype(dt)
    kernel = kernel * win.reshape(frame_length, 1, 1)
    if scaling is None:
        return kernel
    if scaling == "density":
        total = np.sum(np.square(win).astype(np.float64)).astype(dt)
        scale = np.sqrt(total.astype(np.float64)).astype(dt)
    else:
        scale = np.sum(np.abs(win).astype(np.float64)).astype(dt)
    if scale == 0 and kernel.size:
        raise ValueError(f"window: the {scaling!r} scaling of this window is 0 (every value "
                         "is 0), and the kernel is divided by it")
    kernel = kernel * (np.asarray(1, dtype=dt) / scale)
    return kernel
