# SPDX-License-Identifier: BSD-3-Clause
"""Philox4x32 against Random123's published known answers, and the stream-v1 key/counter."""

import pathlib

import numpy as np
import pytest

import weightinit as wi
from weightinit import _core

KAT = pathlib.Path(__file__).parent / "data" / "philox_kat.txt"


def kat_lines():
    for line in KAT.read_text().splitlines():
        if line and not line.startswith("#"):
            yield line


def test_kat_file_has_every_vector():
    assert len(list(kat_lines())) == 4


@pytest.mark.parametrize("line", list(kat_lines()))
def test_known_answer(line):
    name, rounds, *words = line.split()
    assert name == "philox4x32"
    words = [int(w, 16) for w in words]
    ctr, key, want = words[0:4], words[4:6], words[6:10]
    assert list(_core.philox4x32(ctr, key, int(rounds))) == want


def test_stream_words_are_philox_blocks():
    """Element 16k + j of a 32-bit group reads word k of block offset + 16 g + j, under key
    (seed low, seed high) and counter (position low, high, stream low, high)."""
    seed, stream, offset = 0x0123456789ABCDEF, 0xFEDCBA9876543210, 5
    words = np.empty(128, np.uint32)
    wi.fill(words, "bits", (), seed=seed, stream=stream, offset=offset)
    key = [seed & 0xFFFFFFFF, seed >> 32]
    for i in (0, 1, 15, 16, 17, 63, 64, 100, 127):
        g, e = divmod(i, 64)
        k, j = divmod(e, 16)
        pos = offset + 16 * g + j
        ctr = [pos & 0xFFFFFFFF, pos >> 32, stream & 0xFFFFFFFF, stream >> 32]
        assert words[i] == _core.philox4x32(ctr, key)[k]


def test_float64_words_are_low_then_high():
    words = np.empty(64, np.uint64)
    wi.fill(words, "bits", (), seed=9)
    for i in (0, 5, 16, 31, 32, 63):
        g, e = divmod(i, 32)
        k, j = divmod(e, 16)
        block = _core.philox4x32([16 * g + j, 0, 0, 0], [9, 0])
        assert int(words[i]) == block[2 * k] | (block[2 * k + 1] << 32)


def test_position_wraps_modulo_2_64():
    top = np.empty(16, np.uint32)
    wi.fill(top, "bits", (), seed=1, offset=2**64 - 1)
    assert top[0] == _core.philox4x32([0xFFFFFFFF, 0xFFFFFFFF, 0, 0], [1, 0])[0]
    assert top[1] == _core.philox4x32([0, 0, 0, 0], [1, 0])[0]


def test_rounds_is_a_parameter():
    assert _core.philox4x32([0, 0, 0, 0], [0, 0], 0) == [0, 0, 0, 0]
    with pytest.raises(ValueError, match="rounds"):
        _core.philox4x32([0, 0, 0, 0], [0, 0], -1)
