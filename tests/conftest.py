# SPDX-License-Identifier: BSD-3-Clause
"""Shared fixtures: every test leaves the kernel target and thread count as it found them."""

import pytest

import weightinit as wi


@pytest.fixture(autouse=True)
def _restore_target_and_threads():
    target = wi.cpu_targets()["active"]
    threads = wi.get_num_threads()
    yield
    wi.set_target(target)
    wi.set_num_threads(threads)


def pytest_report_header(config):
    t = wi.cpu_targets()
    return f"weightinit {wi.__version__}: targets {t['available']}, active {t['active']}, threads {wi.get_num_threads()}"
