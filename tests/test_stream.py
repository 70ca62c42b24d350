# SPDX-License-Identifier: BSD-3-Clause
"""weightinit._core.Stream: the seed policies of every API, computed once in C++
(docs/streams.md §2), against their definitions written out here."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest

from weightinit import _core, shard
from weightinit.core.streams import stream_for, sub_stream

Stream = _core.Stream
M = 2**31 - 1


def _names() -> list[str]:
    """Names of every length around BLAKE2b's 128-byte block, multi-block, and non-ASCII."""
    rng = random.Random(20240607)
    names = ["", "a", "h.0.attn.c_attn.weight", "é", "модель.слой.0.вес", "层.权重🙂", "\x00"]
    names += ["x" * n for n in (1, 63, 64, 127, 128, 129, 255, 256, 257, 1000)]
    alphabet = "abcdefghij.0123456789_éß€层🙂"
    for _ in range(300):
        names.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 300))))
    return names


def test_name_id_is_blake2b_64_of_the_utf8_name() -> None:
    for name in _names():
        want = int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(),
                              "little")
        assert Stream.name_id(name) == want, (len(name.encode()), name[:20])
        assert stream_for(name) == want
        assert Stream.named(5, name) == Stream(5, want, 0)


def test_named_errors() -> None:
    with pytest.raises(TypeError, match="expected a str"):
        stream_for(b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^name: expected a string, got bytes"):
        Stream.named(1, b"x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^seed: must be an integer in \[0, 2\*\*64\)"):
        Stream.named(-1, "x")
    with pytest.raises(UnicodeEncodeError):
        Stream.name_id("\ud800")  # a lone surrogate has no UTF-8 form, as in str.encode


def test_stream_value_type() -> None:
    s = Stream(1, 2, 3)
    assert (s.key, s.stream_id, s.offset, s.family) == (1, 2, 3, "weightinit")
    assert Stream(7).stream_id == 0 and Stream(7).offset == 0
    assert s == Stream(key=1, stream_id=2, offset=3) and s != Stream(1, 2, 4)
    assert s != Stream(1, 2, 3, "tensorflow") and s != (1, 2, 3)
    assert hash(s) == hash(Stream(1, 2, 3))
    assert repr(s) == "Stream(key=1, stream_id=2, offset=3, family='weightinit')"
    assert s.at(9) == Stream(1, 2, 9)
    with pytest.raises(AttributeError):
        s.key = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match=r"^stream_id: must be an integer in \[0, 2\*\*64\)"):
        Stream(0, 2**64)
    with pytest.raises(TypeError, match="^offset: expected an integer, got float"):
        Stream(0, 0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match='^family: expected "weightinit" or "tensorflow", got "tf"'):
        Stream(0, 0, 0, "tf")


def test_sub_stream() -> None:
    for s in (0, 1, 0x1234, 2**64 - 1, stream_for("w")):
        for k in (0, 1, 2, 255):
            assert sub_stream(k, s) == s ^ (k << 56)
            assert Stream(3, s, 7).sub_stream(k) == Stream(3, s ^ (k << 56), 7)
    with pytest.raises(ValueError, match=r"^k: a sub-stream index is in \[0, 256\), got 256"):
        sub_stream(256)
    with pytest.raises(ValueError, match="^k: must be an integer"):
        Stream(0).sub_stream(-1)


def test_tf1() -> None:
    cases = [(42, 7, (42, 7)), (None, 7, (87654321, 7)), (0, 0, (0, M)), (M, 2 * M, (0, M)),
             (-1, -2, (M - 1, M - 2)), (2**70, 2**70 + 1, (2**70 % M, (2**70 + 1) % M))]
    for g, s, (seed, seed2) in cases:
        assert Stream.tf1(g, s) == Stream(seed, seed2)
    assert Stream.tf1(1, 2, "tensorflow").family == "tensorflow"
    from weightinit import tf1
    try:
        for g, s in [(42, 7), (0, 0), (-5, 2**40)]:
            tf1.set_random_seed(g)
            assert Stream.tf1(g, s) == Stream(*tf1.get_seed(s))
    finally:
        tf1.reset_default_graph()
    with pytest.raises(TypeError, match="^op_seed: expected an integer"):
        Stream.tf1(1, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^graph_seed: expected an integer or None, got str"):
        Stream.tf1("1", 2)  # type: ignore[arg-type]
    a, b = Stream.entropy(), Stream.entropy("tensorflow")
    assert a != b and b.family == "tensorflow" and a.offset == 0


def test_tf1_initializer_takes_a_stream() -> None:
    init = _core.tf1.RandomNormal(0.0, 1.0, 3, _core.tf1.ElementType.float32)
    got = init([5], None, None, Stream(11, 4))
    want = np.empty(5, np.float32)
    _core.fill(want, _core.Law.normal(0.0, 1.0), Stream(11, 4))
    assert np.array_equal(got, want)
    # A TF1 op reads its stream from block 0: a stream's offset does not move it.
    assert np.array_equal(init([5], None, None, Stream(11, 4, 99)), want)
    with pytest.raises(TypeError, match="^stream: expected a weightinit._core.Stream or None, got tuple"):
        init([5], None, None, (11, 4))


def test_keras() -> None:
    for seed in (0, 5, 2**64 - 1, 2**64, -1, -(2**70) - 3, 2**100 + 7):
        assert Stream.keras(seed) == Stream(seed % 2**64)
    with pytest.raises(TypeError, match="^seed: expected an integer, got float"):
        Stream.keras(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^seed: expected an integer, got bool"):
        Stream.keras(True)
    for dtype in ("int32", "uint32", "int64", "uint64", "int16", "uint8"):
        bits = 8 * np.dtype(dtype).itemsize
        for a, b in [(0, 1), (5, 7), (-1, -2), (2**31 - 1, 2**31)]:
            state = np.array([a, b]).astype(dtype)
            want = [int(v) % 2**bits for v in state]
            assert Stream.keras_state(state) == Stream(*want), (dtype, a, b)
    assert Stream.keras_state(np.array([[3, 4]], np.uint32)) == Stream(3, 4)
    with pytest.raises(TypeError, match="^state: expected a SeedGenerator state of integers, got float32"):
        Stream.keras_state(np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="^state: a SeedGenerator state holds 2 integers, got 1"):
        Stream.keras_state(np.zeros(1, np.uint32))


def test_jax() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        w = [int(x) for x in rng.integers(0, 2**32, 4, dtype=np.uint64)]
        assert Stream.jax(w[:2]) == Stream((w[0] << 32) | w[1])
        assert Stream.jax(w) == Stream((w[0] << 32) | w[1], (w[2] << 32) | w[3])
        assert Stream.jax(np.array(w, np.uint32)) == Stream.jax(w)
    with pytest.raises(TypeError, match="^key: key data of 3 words"):
        Stream.jax([1, 2, 3])
    with pytest.raises(ValueError, match="^words: must be uint32 words, got 4294967296"):
        Stream.jax([2**32, 0])
    with pytest.raises(TypeError, match="^words: expected a sequence of uint32 words, got int"):
        Stream.jax(5)  # type: ignore[arg-type]


def test_checkpoint_parameter_streams_are_named_streams() -> None:
    assert shard.stream_for("embed.weight") == Stream.named(0, "embed.weight").stream_id
