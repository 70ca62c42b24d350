# SPDX-License-Identifier: BSD-3-Clause
"""The libraries the benchmark times, each behind one adapter.

Each adapter's ``prepare(dist, shape, dtype)`` returns a function that makes one fresh, fully
computed tensor (raising :class:`Skip` when the library has no such initializer). The laws
that weightinit, NumPy and torch draw come from weightinit's C++ law table (:func:`law`):
this module computes no fan, limit or scale of its own. TensorFlow and JAX run their own
named initializers.
"""

from __future__ import annotations

import numpy as np

PEERS = ("numpy", "torch", "tensorflow", "jax")
DISTS = ("uniform", "normal", "truncated_normal", "glorot_uniform", "he_normal")
DTYPES = ("float32", "bfloat16")


class Skip(Exception):
    """A case this library cannot run; the message goes into the notes."""


def np_dtype(name: str):
    """The NumPy dtype of `name`; bfloat16 needs ml_dtypes (ImportError without it)."""
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def row_blocks(n_rows: int, parts: int) -> list:
    """`parts` contiguous [start, stop) row ranges covering n_rows (empty ones dropped)."""
    parts = max(1, min(parts, n_rows))
    edges = [n_rows * i // parts for i in range(parts + 1)]
    return [(edges[i], edges[i + 1]) for i in range(parts) if edges[i] < edges[i + 1]]


def law(dist: str, shape):
    """The :class:`weightinit.Law` of a benchmark initializer on `shape`, from the law table.

    glorot_uniform and he_normal are TF's ``variance_scaling`` laws (fans in the TF layout
    ``(..., in, out)``; he_normal truncated at ±2σ with TF's stddev correction), as
    TF/Keras/JAX define them.
    """
    import weightinit
    from weightinit import _core
    if dist == "uniform":
        return weightinit.Law.uniform(0.0, 1.0)
    if dist == "normal":
        return weightinit.Law.normal(0.0, 1.0)
    if dist == "truncated_normal":
        return _core.laws.tf_truncated_normal(0.0, 1.0)
    if dist in ("glorot_uniform", "he_normal"):
        return _core.laws.variance_scaling(list(shape), "tf", *_core.laws.preset(dist))
    raise Skip(f"unknown initializer {dist}")


class Floor:
    """np.empty + fill(0.5), in row blocks over the worker's threads (NumPy drops the GIL)."""

    name = "floor"

    def __init__(self, threads: int, pool):
        self.threads, self.pool = threads, pool

    def prepare(self, shape, dtype):
        dt = np_dtype(dtype)
        blocks = row_blocks(shape[0], self.threads)
        # bfloat16 0.5 is the bit pattern 0x3F00: fill through a uint16 view, same bytes.
        view_dt, value = (np.uint16, 0x3F00) if dtype == "bfloat16" else (dt, 0.5)

        def run():
            out = np.empty(shape, dt)
            flat = out.view(view_dt)
            if len(blocks) == 1:
                flat.fill(value)
            else:
                list(self.pool.map(lambda b: flat[b[0]:b[1]].fill(value), blocks))
            return out
        return run


class WeightInit:
    """``weightinit.new`` with the law from the law table (the public fill layer)."""

    name = "weightinit"

    def __init__(self, threads: int):
        import weightinit as wi
        self.wi = wi
        wi.set_num_threads(threads)
        self.version = wi.__version__
        self.target = wi.cpu_targets()["active"]
        self.seed = 0

    def prepare(self, dist, shape, dtype):
        the_law = law(dist, shape)
        kind, params = the_law.kind, the_law.params
        wi = self.wi

        def run():
            self.seed += 1
            return wi.new(shape, dtype, kind, params, seed=self.seed)
        return run


class NumPyPeer:
    """NumPy's Generator (PCG64). With n threads: NumPy's documented multithreaded recipe,
    one generator per row block from SeedSequence.spawn, filled in a thread pool."""

    name = "numpy"

    def __init__(self, threads: int, pool):
        self.threads, self.pool = threads, pool
        self.version = np.__version__
        self.seq = np.random.SeedSequence(0)

    def prepare(self, dist, shape, dtype):
        the_law = law(dist, shape)
        if the_law.kind not in ("uniform", "normal"):
            raise Skip("NumPy has no truncated normal")
        out_dt = np_dtype(dtype)
        f32 = np.float32
        normal = the_law.kind == "normal"
        # uniform (low, high) or normal (mean, stddev): x * scale + shift of the unit draw.
        a, b = the_law.params
        scale, shift = (b, a) if normal else (b - a, a)
        affine = (scale, shift) != (1.0, 0.0)
        blocks = row_blocks(shape[0], self.threads)

        def draw(gen, view):
            """Fill the float32 array `view` with the distribution."""
            if normal:
                gen.standard_normal(dtype=f32, out=view)
            else:
                gen.random(dtype=f32, out=view)
            if affine:
                view *= scale
                view += shift

        def block(args):
            gen, (lo, hi), out = args
            if out.dtype == f32:
                draw(gen, out[lo:hi])
            else:  # float32 draw, then the ml_dtypes cast into the bfloat16 output
                tmp = np.empty((hi - lo,) + tuple(shape[1:]), f32)
                draw(gen, tmp)
                out[lo:hi] = tmp

        def run():
            gens = [np.random.Generator(np.random.PCG64(s)) for s in self.seq.spawn(len(blocks))]
            out = np.empty(shape, out_dt)
            work = [(g, b, out) for g, b in zip(gens, blocks)]
            if len(work) == 1:
                block(work[0])
            else:
                list(self.pool.map(block, work))
            return out
        return run


class TorchPeer:
    """torch's tensor methods and torch.nn.init, under ``torch.no_grad()``."""

    name = "torch"

    def __init__(self, threads: int):
        import torch
        self.torch = torch
        torch.set_num_threads(threads)
        if threads == 1:
            try:
                torch.set_num_interop_threads(1)
            except RuntimeError:
                pass
        torch.manual_seed(0)
        self.version = torch.__version__

    def prepare(self, dist, shape, dtype):
        torch = self.torch
        tdt = {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]
        init = torch.nn.init
        if dist == "glorot_uniform":
            op = init.xavier_uniform_  # torch's own named initializer
        else:
            the_law = law(dist, shape)
            p = the_law.params
            if the_law.kind == "uniform":
                op = lambda t: t.uniform_(p[0], p[1])  # noqa: E731
            elif the_law.kind == "normal":
                op = lambda t: t.normal_(p[0], p[1])  # noqa: E731
            elif the_law.kind == "truncated_normal":
                # (mean, stddev, a, b) with a, b in stddevs; torch's bounds are absolute.
                # torch's kaiming_normal_ is not truncated: he_normal is this trunc_normal_.
                mean, std = p[0], p[1]
                lo, hi = mean + p[2] * std, mean + p[3] * std
                op = lambda t: init.trunc_normal_(t, mean, std, lo, hi)  # noqa: E731
            else:
                raise Skip(f"{dist}: law {the_law.kind}")

        def run():
            with torch.no_grad():
                t = torch.empty(shape, dtype=tdt)
                op(t)
            return t
        return run


class TensorFlowPeer:
    """tf.random and tf.keras.initializers."""

    name = "tensorflow"

    def __init__(self, threads: int):
        import tensorflow as tf
        self.tf = tf
        # Must happen before TF runs any op: this is why each thread setting is a subprocess.
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        if threads == 1:
            tf.config.threading.set_inter_op_parallelism_threads(1)
        tf.random.set_seed(0)
        self.version = tf.__version__
        self.keras = tf.keras
        self.keras_version = getattr(tf.keras, "__version__", None) or getattr(
            tf.keras, "version", lambda: "?")()

    def prepare(self, dist, shape, dtype):
        tf = self.tf
        tdt = {"float32": tf.float32, "bfloat16": tf.bfloat16}[dtype]
        if dist == "uniform":
            return lambda: tf.random.uniform(shape, dtype=tdt)
        if dist == "normal":
            return lambda: tf.random.normal(shape, dtype=tdt)
        if dist == "truncated_normal":
            return lambda: tf.random.truncated_normal(shape, dtype=tdt)
        if dist == "glorot_uniform":
            ini = self.keras.initializers.GlorotUniform()
            return lambda: ini(shape, dtype=dtype)
        if dist == "he_normal":
            ini = self.keras.initializers.HeNormal()
            return lambda: ini(shape, dtype=dtype)
        raise Skip(dist)


class JaxPeer:
    """jax.random / jax.nn.initializers, jit-compiled ahead of time (compilation not timed)."""

    name = "jax"

    def __init__(self, threads: int):
        import jax
        import jax.numpy as jnp
        self.jax, self.jnp = jax, jnp
        self.version = jax.__version__
        self.key = jax.random.key(0)
        self.prng = str(jax.config.jax_default_prng_impl)

    def prepare(self, dist, shape, dtype):
        jax, jnp = self.jax, self.jnp
        jdt = {"float32": jnp.float32, "bfloat16": jnp.bfloat16}[dtype]
        inits = jax.nn.initializers
        if dist == "uniform":
            fn = lambda k: jax.random.uniform(k, shape, jdt)  # noqa: E731
        elif dist == "normal":
            fn = lambda k: jax.random.normal(k, shape, jdt)  # noqa: E731
        elif dist == "truncated_normal":
            fn = lambda k: jax.random.truncated_normal(k, -2.0, 2.0, shape, jdt)  # noqa: E731
        elif dist == "glorot_uniform":
            ini = inits.glorot_uniform()
            fn = lambda k: ini(k, shape, jdt)  # noqa: E731
        elif dist == "he_normal":
            ini = inits.he_normal()
            fn = lambda k: ini(k, shape, jdt)  # noqa: E731
        else:
            raise Skip(dist)
        compiled = jax.jit(fn).lower(self.key).compile()
        key = self.key
        return lambda: compiled(key).block_until_ready()


def load_peer(name: str, threads: int, pool):
    """The adapter of peer `name` (ImportError when the library is not installed)."""
    if name == "numpy":
        return NumPyPeer(threads, pool)
    if name == "torch":
        return TorchPeer(threads)
    if name == "tensorflow":
        return TensorFlowPeer(threads)
    if name == "jax":
        return JaxPeer(threads)
    raise ValueError(name)
