# SPDX-License-Identifier: BSD-3-Clause
"""Fail unless a pytest run (its --junitxml report) passed at least FLOOR tests with no
failure and no error: a run that collected nothing, or skipped what it should have run,
does not pass.

    python .ci/check_junit.py REPORT.xml FLOOR NAME
"""

import sys
import xml.etree.ElementTree as ElementTree


def main() -> int:
    path, floor, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    count = {k: sum(int(s.get(k, 0)) for s in suites)
             for k in ("tests", "failures", "errors", "skipped")}
    passed = count["tests"] - count["failures"] - count["errors"] - count["skipped"]
    print(f"{name}: {passed} passed, {count['failures']} failed, {count['errors']} errors, "
          f"{count['skipped']} skipped (at least {floor} must pass)")
    if count["failures"] or count["errors"] or passed < floor:
        print(f"{name}: FAILED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
