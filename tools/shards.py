"""Split the module's test classes into two shards that `make test` runs side by side.

Usage: python tools/shards.py MODULE TESTS_DIR
Prints two lines of Odoo --test-tags: shard A (an explicit list of classes) and shard B (the module
minus shard A), so that a class nobody listed still runs in B: no test is ever left out.

The weight of a class is the seconds it took in a recorded run (tools/shard_seconds.json); a class
with no record (a new one) is estimated from the length of its test methods plus a fixed cost for
its set-up. The classes that need a browser or an HTTP server (HttpCase) all go to shard A, which
pays once for the generation of the web assets; the rest is balanced greedily. Classes tagged
"-standard" (benchmarks, deep runs) are not part of `make test` and are left out of both.

Record the seconds of a run (after `make test`): python tools/shards.py --record .local/test-a.log .local/test-b.log
"""
import ast
import datetime
import json
import pathlib
import re
import sys

RECORD = pathlib.Path(__file__).with_name("shard_seconds.json")

SETUP_COST = 60  # a class's set-up (a company with a chart of accounts), in "lines"
ASSETS_COST = 400  # the web assets generated once by the shard that has an HttpCase
BROWSER_COST = 120  # each test of an HttpCase (a browser or a server round trip: ~20 s for a tour)
SECONDS_PER_LINE = 0.08  # a line of estimate in seconds, for mixing estimates with recorded seconds


def _tags(node):
    tags = set()
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "tagged":
            tags |= {arg.value for arg in decorator.args if isinstance(arg, ast.Constant)}
    return tags


def _bases(node):
    return [base.id if isinstance(base, ast.Name) else getattr(base, "attr", "") for base in node.bases]


def classes(tests_dir):
    """{name: (weight, needs_http, standard)} for every class of the test files with test methods."""
    found = {}
    for path in sorted(pathlib.Path(tests_dir).glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                methods = [item for item in node.body
                           if isinstance(item, ast.FunctionDef) and item.name.startswith("test_")]
                found[node.name] = {
                    "weight": sum(item.end_lineno - item.lineno + 1 for item in methods),
                    "count": len(methods),
                    "tests": bool(methods), "bases": _bases(node), "tags": _tags(node),
                }
    result = {}

    def inherited(name, key, seen=()):
        info = found.get(name)
        if not info or name in seen:
            return name == "HttpCase" if key == "http" else False
        if key == "http":
            return any(inherited(base, key, (*seen, name)) for base in info["bases"])
        return info["tests"] or any(inherited(base, key, (*seen, name)) for base in info["bases"])

    def tags(name, seen=()):
        info = found.get(name)
        if not info or name in seen:
            return set()
        own = set(info["tags"])
        for base in info["bases"]:
            own |= tags(base, (*seen, name))
        return own

    recorded = json.loads(RECORD.read_text(encoding="utf-8"))["seconds"] if RECORD.exists() else {}
    for name, info in found.items():
        if not inherited(name, "tests"):
            continue
        weight = info["weight"] or sum(found.get(base, {}).get("weight", 0) for base in info["bases"])
        http = inherited(name, "http")
        weight += SETUP_COST + (BROWSER_COST * info["count"] if http else 0)
        seconds = recorded.get(name, weight * SECONDS_PER_LINE)
        result[name] = (seconds, http, "-standard" not in tags(name))
    return result


def split(found):
    shard_a, shard_b, load_a, load_b = [], [], 0, 0
    for name, (weight, http, _standard) in found.items():
        if http:
            shard_a.append(name)
            load_a += weight
    if shard_a:
        load_a += (json.loads(RECORD.read_text(encoding="utf-8"))["assets"] if RECORD.exists()
                   else ASSETS_COST * SECONDS_PER_LINE)
    rest = sorted(((weight, name) for name, (weight, http, standard) in found.items() if standard and not http),
                  reverse=True)
    for weight, name in rest:
        if load_a <= load_b:
            shard_a.append(name)
            load_a += weight
        else:
            shard_b.append(name)
            load_b += weight
    return sorted(shard_a), sorted(shard_b)


_STARTING = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) .*? (?:Starting (\w+)\.test_\w+ \.\.\.|"
                       r"(\d+) post-tests in |Starting post tests)")


def record(logs):
    """Seconds per class in the shards' logs: from a class's first "Starting" line to the next class's
    (a class's set-up is thus counted on the class before it: close enough to balance two shards)."""
    seconds, starts = {}, []
    for log in logs:
        previous = None
        for line in pathlib.Path(log).read_text(encoding="utf-8", errors="replace").splitlines():
            match = _STARTING.match(line)
            if not match:
                continue
            moment = datetime.datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S").timestamp() + int(match[2]) / 1000
            if previous and previous[1]:
                seconds[previous[1]] = seconds.get(previous[1], 0.0) + moment - previous[0]
            elif previous:  # from "Starting post tests" to the first test: the web assets, if any
                starts.append(moment - previous[0])
            previous = (moment, match[3]) if match[3] or "Starting post tests" in line else None
    if not seconds:
        raise SystemExit("no test found in the logs: give the logs of a `make test` run (.local/test-a.log ...)")
    # The shard that generates the web assets starts later than the other by that much.
    assets = round(max(starts) - min(starts), 1) if len(starts) > 1 else ASSETS_COST * SECONDS_PER_LINE
    RECORD.write_text(json.dumps({"assets": assets, "seconds": {
        name: round(value, 1) for name, value in sorted(seconds.items())}}, indent=1) + "\n", encoding="utf-8")
    print(f"{RECORD}: {len(seconds)} classes, {sum(seconds.values()):.0f} s")
    return 0


def main(module, tests_dir):
    shard_a, _shard_b = split(classes(tests_dir))
    print(",".join(f"/{module}:{name}" for name in shard_a))
    print(",".join([f"/{module}"] + [f"-/{module}:{name}" for name in shard_a]))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--record"]:
        sys.exit(record(sys.argv[2:]))
    sys.exit(main(*sys.argv[1:3]))
