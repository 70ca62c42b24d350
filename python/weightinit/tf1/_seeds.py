# SPDX-License-Identifier: BSD-3-Clause
"""TF1 seeding: the graph-level seed, op seeds, and their mapping onto the Philox key and stream.

TF's ``get_seed`` rules are kept exactly for an explicit op seed; the automatic op seed (graph
seed set, op seed ``None``) is a documented counter, as in TF 2.x graph mode. The pair
``(seed, seed2)`` that TF would hand to its random op becomes (Philox key, stream id).
"""

from __future__ import annotations

import operator
import secrets
import threading

import numpy as np

# TF's constants (random_seed.py): the graph seed used when only an op seed is given, and the
# modulus both seeds are reduced by (they are int32-sized op attributes in TF).
DEFAULT_GRAPH_SEED = 87654321
MAXINT32 = 2**31 - 1

_lock = threading.Lock()
_graph_seed = None
_counter = 0


def check_seed(seed, argname: str = "seed"):
    """``None`` or a Python int (any sign: TF reduces seeds with ``%``), else TypeError."""
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"{argname}: expected an integer or None, got bool")
    try:
        return operator.index(seed)
    except TypeError:
        raise TypeError(
            f"{argname}: expected an integer or None, got {type(seed).__name__}") from None


def set_random_seed(seed):
    """Set the graph-level random seed, as ``tf.compat.v1.set_random_seed``.

    Later calls of every TF1 initializer take their Philox key from it (see :func:`get_seed`).
    It also restarts the counter of automatic op seeds at 0, so that re-running the same
    initialization code after ``set_random_seed(s)`` gives the same values (what TF gives in a
    fresh graph, or in eager mode, where ``set_random_seed`` re-creates the op-seed
    generator).

    Parameters
    ----------
    seed : int or None
        Any integer (it is reduced modulo ``2**31 - 1`` when used, as in TF); ``None`` clears it.

    Raises
    ------
    TypeError
        If `seed` is not an integer or ``None``.
    """
    global _graph_seed, _counter
    seed = check_seed(seed)
    with _lock:
        _graph_seed = seed
        _counter = 0


def reset_default_graph():
    """Forget the graph-level seed and restart automatic op seeds at 0.

    The seed part of ``tf.compat.v1.reset_default_graph``: weightinit has no graph, so this is
    all it does.
    """
    set_random_seed(None)


def get_seed(op_seed):
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
    """
    global _counter
    op_seed = check_seed(op_seed, "op_seed")
    with _lock:
        graph_seed = _graph_seed
        if graph_seed is not None and op_seed is None:
            op_seed = _counter
            _counter += 1
    if graph_seed is not None:
        seeds = (graph_seed % MAXINT32, op_seed % MAXINT32)
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, op_seed % MAXINT32)
    else:
        return None, None
    if seeds == (0, 0):
        seeds = (0, MAXINT32)
    return seeds


def fresh_key_stream():
    """A (key, stream id) pair from the OS entropy source: TF's unseeded ops."""
    return secrets.randbits(64), secrets.randbits(64)


def key_stream(op_seed):
    """(Philox key, stream id) for one TF1 random op with `op_seed`: :func:`get_seed`'s pair,
    or a fresh pair from the OS when both seeds are ``None``."""
    seed, seed2 = get_seed(op_seed)
    if seed is None:
        return fresh_key_stream()
    return seed, seed2
