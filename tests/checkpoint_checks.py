# SPDX-License-Identifier: BSD-3-Clause
"""What the checkpoint tests share: a run killed in the middle of its writes."""

import os

import pytest

from weightinit import checkpoint


class Crash(BaseException):
    """Stands for kill -9: raised where the run dies, with every cleanup disabled."""


def crash_when_writing(ending, folder, monkeypatch, model, *, before=None, **kwargs):
    """Leave what a run of :func:`weightinit.checkpoint.write` killed as it writes (atomically)
    a file whose path ends with `ending` leaves; ``before(path, data)`` runs first."""
    real = checkpoint.folder._write_atomically

    def dies(path, data):
        if path.endswith(ending):
            if before is not None:
                before(path, data)
            raise Crash
        return real(path, data)

    with monkeypatch.context() as m:
        m.setattr(checkpoint.folder, "_write_atomically", dies)
        m.setattr(os, "unlink", lambda path: None)
        m.setattr(os, "rmdir", lambda path: None)
        with pytest.raises(Crash):
            checkpoint.write(model, folder, **kwargs)
