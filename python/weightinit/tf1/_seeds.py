# SPDX-License-Identifier: BSD-3-Clause
"""TF1 seeding: the graph-level seed and op seeds (the C++ state, weightinit._core.tf1).

TF's ``get_seed`` rules are kept exactly for an explicit op seed; the automatic op seed (graph
seed set, op seed ``None``) is a documented counter, as in TF 2.x graph mode. The pair
``(seed, seed2)`` that TF would hand to its random op becomes (Philox key, stream id): the C++
``weightinit::Stream::tf1`` (``weightinit._core.Stream.tf1``), the one place that rule is
written. One process-wide state serves the C++ API and this module.
"""

from __future__ import annotations

from ..core import door

#: TF's graph seed when only an op seed is given.
DEFAULT_GRAPH_SEED = door.tf1.DEFAULT_GRAPH_SEED
#: TF's modulus of both seeds (they are int32-sized op attributes in TF).
MAXINT32 = door.tf1.MAXINT32


def set_random_seed(seed: int | None) -> None:
    """Set the graph-level random seed, as ``tf.compat.v1.set_random_seed``.

    Later calls of every TF1 initializer take their Philox key from it (see :func:`get_seed`).
    It also restarts the counter of automatic op seeds at 0, so that re-running the same
    initialization code after ``set_random_seed(s)`` gives the same values (what TF gives in a
    fresh graph, or in eager mode, where ``set_random_seed`` re-creates the op-seed
    generator). The C++ API's ``weightinit::set_random_seed`` sets the same state.

    Parameters
    ----------
    seed : int or None
        Any integer (it is reduced modulo ``2**31 - 1`` when used, as in TF); ``None`` clears it.

    Raises
    ------
    TypeError
        If `seed` is not an integer or ``None``.
    """
    door.tf1.set_random_seed(seed)


def reset_default_graph() -> None:
    """Forget the graph-level seed and restart automatic op seeds at 0.

    The seed part of ``tf.compat.v1.reset_default_graph``: weightinit has no graph, so this is
    all it does.
    """
    door.tf1.reset_default_graph()


def get_seed(op_seed: int | None) -> tuple[int | None, int | None]:
    """The pair ``(seed, seed2)`` TF derives from the graph-level seed and `op_seed`.

    ======================  ===========  ====================================================
    graph-level seed ``g``  op seed      result
    ======================  ===========  ====================================================
    set                     ``s``        ``(g % M, s % M)``
    set                     ``None``     ``(g % M, a % M)``, ``a`` = next automatic op seed
    ``None``                ``s``        ``(87654321, s % M)``
    ``None``                ``None``     ``(None, None)``
    ======================  ===========  ====================================================

    with ``M = 2**31 - 1``; a result of exactly ``(0, 0)`` becomes ``(0, 2**31 - 1)`` (TF's
    kernels read ``(0, 0)`` as "unseeded"). The automatic op seed ``a`` counts 0, 1, 2, ...
    over the calls that need one since the last :func:`set_random_seed` (TF 2.x graph-mode
    rule; TF 1.15 used the graph's operation count, which weightinit has no equivalent of).

    Parameters
    ----------
    op_seed : int or None

    Returns
    -------
    tuple of (int or None, int or None)

    Raises
    ------
    TypeError
        If `op_seed` is not an integer or ``None``.
    """
    return door.tf1.get_seed(op_seed) or (None, None)


def set_stream(stream: str) -> None:
    """Choose the random stream of every TF1 random initializer without its own `stream`.

    * ``"weightinit"`` (the default): weightinit's own stream (docs/streams.md, stream v2).
    * ``"tensorflow"``: TensorFlow's own CPU stream. ``RandomUniform`` (float and integer),
      ``RandomNormal``, ``TruncatedNormal``, ``UniformUnitScaling``, ``VarianceScaling``
      (every distribution), ``glorot_*``, ``he_*`` and ``lecun_*`` then return the values
      TensorFlow 2.21's ``tf.compat.v1`` initializers give in graph mode for the same graph
      seed (:func:`set_random_seed`) and op seed, on the first run of the op (float32,
      float16 and bfloat16 bit for bit; float64 uniforms bit for bit, float64 normals to
      the last bit but for rare cases, see docs/streams.md). A partition
      (``partition_info``) gets the same box of the whole tensor. ``Orthogonal`` and the
      convolution-orthogonal initializers refuse it (ValueError at call time).

    Process-wide (one setting shared by every thread and by the C++ API's
    ``weightinit::set_tf1_stream``); an initializer's own ``stream=`` argument wins.

    Parameters
    ----------
    stream : {"weightinit", "tensorflow"}

    Raises
    ------
    ValueError
        For another name.
    TypeError
        If `stream` is not a string.
    """
    door.tf1.set_stream(stream)


def get_stream() -> str:
    """The process-wide stream of TF1 random initializers: ``"weightinit"`` or
    ``"tensorflow"`` (see :func:`set_stream`)."""
    return door.tf1.get_stream()
