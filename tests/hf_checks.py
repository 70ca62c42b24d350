# SPDX-License-Identifier: BSD-3-Clause
"""What the transformers tests share: quiet logging, a checkpoint loaded with its Auto class
and checked to load cleanly, the zero rows of a tensor. Imported after the tests'
require("torch") and require("transformers")."""

import io
import logging

import pytest
import torch
import transformers


@pytest.fixture(autouse=True)
def quiet_transformers():
    level = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    yield
    transformers.logging.set_verbosity(level)


def load(folder, auto="AutoModelForCausalLM"):
    """from_pretrained of the Auto class named `auto`, with its loading info and every warning
    it logged."""
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    logger = transformers.logging.get_logger()
    transformers.logging.set_verbosity_warning()
    logger.addHandler(handler)
    try:
        model, info = getattr(transformers, auto).from_pretrained(str(folder),
                                                                  output_loading_info=True)
    finally:
        logger.removeHandler(handler)
        transformers.logging.set_verbosity_error()
    return model, info, log.getvalue()


def assert_loads_cleanly(folder, auto="AutoModelForCausalLM"):
    model, info, log = load(folder, auto)
    assert not any(info.values()), info  # missing, unexpected, mismatched keys, errors
    assert "newly initialized" not in log and "not initialized" not in log, log
    return model


def zero_rows(t):
    """The indices of the all-zero rows (axis 0) of `t`."""
    return torch.nonzero((t == 0).flatten(1).all(1)).flatten().tolist() if t.dim() > 1 else []
