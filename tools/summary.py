"""Turn Odoo test logs into one plain closing line: 'N passed, N failed, N skipped'.

Usage: python tools/summary.py LOG [LOG ...] (the logs of the shards of one run; their counts add up).
Exit status 1 when a test failed or errored, when no test ran, or when Odoo logged an ERROR/CRITICAL
outside the tests (a module that fails to install, for instance).
"""
import re
import sys

REPORT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
SKIP = re.compile(r" INFO \S+ \S+: skipped ")
ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
# tools/stress.py's closing line: its invariant checks count as one test, failed when one is breached.
STRESS = re.compile(r"^stress: (\d+) passed, (\d+) failed")


def read(path):
    """(failed, errors, run, skipped, logged errors) of one log: its last report line counts."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = handle.readlines()
    failed = errors = run = 0
    for line in lines:
        match = REPORT.search(line)
        if match:
            failed, errors, run = (int(g) for g in match.groups())
        match = STRESS.match(line)
        if match:
            failed, errors, run = int(int(match.group(2)) > 0), 0, 1
    skipped = sum(1 for line in lines if SKIP.search(line))
    logged_errors = sum(1 for line in lines if ERROR.search(line))
    return failed, errors, run, skipped, logged_errors


def main(paths):
    failed, errors, run, skipped, logged_errors = (sum(column) for column in zip(*map(read, paths), strict=True))
    bad = failed + errors
    passed = max(run - bad - skipped, 0)
    print(f"{passed} passed, {bad} failed, {skipped} skipped")
    if run == 0:
        print("no test ran", file=sys.stderr)
        return 1
    if bad or (logged_errors and not bad):
        if logged_errors and not bad:
            print(f"{logged_errors} ERROR/CRITICAL line(s) in the log", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
