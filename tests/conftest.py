# SPDX-License-Identifier: BSD-3-Clause
"""Shared fixtures: every test leaves the kernel target and thread count as it found them, and
starts and ends without a TF1 graph-level seed."""

import importlib.util
import os

import pytest

# Keras 3 needs a backend before its first import (its default, TensorFlow, is not a test
# dependency): an installed one, unless the environment chose.
if "KERAS_BACKEND" not in os.environ:
    for _backend in ("jax", "torch"):
        if importlib.util.find_spec(_backend) is not None:
            os.environ["KERAS_BACKEND"] = _backend
            break

import weightinit as wi
import weightinit.tf1 as tf

import optional


class _BrokenDependency(pytest.Item):
    """Stands for a test module whose import stopped on an installed but broken package."""

    def __init__(self, *, message, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def runtest(self):
        pytest.fail(self.message, pytrace=False)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: its dependencies"


class _Module(pytest.Module):
    def collect(self):
        try:
            return super().collect()
        except self.CollectError:
            message = optional.BROKEN.get(str(self.path))
            if message is None:
                raise
            return [_BrokenDependency.from_parent(self, name="dependencies", message=message)]


def pytest_pycollect_makemodule(module_path, parent):
    """A broken optional dependency fails its module's one test instead of stopping the run
    at collection (tests/optional.py)."""
    if module_path.name != "__init__.py":
        return _Module.from_parent(parent, path=module_path)
    return None


@pytest.fixture(autouse=True)
def _restore_target_and_threads():
    target = wi.cpu_targets()["active"]
    threads = wi.get_num_threads()
    yield
    wi.set_target(target)
    wi.set_num_threads(threads)


@pytest.fixture(autouse=True)
def _no_graph_seed():
    """No graph seed (and automatic op seeds from 0) before and after every test."""
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def pytest_report_header(config):
    t = wi.cpu_targets()
    return f"weightinit {wi.__version__}: targets {t['available']}, active {t['active']}, threads {wi.get_num_threads()}"
