"""The Markdown table of bench/results.json (run by `make bench`; no Odoo import: plain Python)."""
import json
import sys

TARGET = 1.25
# A scheduled action and the record of Odoo's native equivalent (TestBillingCronScale) it is compared with.
NATIVE_CRONS = {"apply scheduled payments": "native: Register Payment, one payment per invoice"}


def per_record(entry):
    """Milliseconds per record of a scheduled action's record (0 when it handled none)."""
    return entry["seconds"] * 1000 / entry["count"] if entry["count"] else 0


def render(results):
    sizes = [str(size) for size in results.get("sizes", [])]
    operations = results.get("operations", {})
    lines = []
    if operations and sizes:
        big = sizes[-1]
        lines += [
            f"Operations against Odoo's native equivalent, client with {big} earlier documents: median and p95 "
            f"wall time of {results.get('repeat')} runs (ms), SQL queries, ratio ours / native; then our queries "
            f"and median time at {' / '.join(sizes)} earlier documents (growth: from the smallest to the largest).",
            "",
            "| Operation | ours ms (p95) | native ms (p95) | time ratio | ours q | native q | q ratio "
            f"| ours q at {' / '.join(sizes)} | ours ms at {' / '.join(sizes)} | growth | load |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for key, by_size in operations.items():
            entry = by_size[big]
            ours, native = entry["ours"], entry["native"]
            queries = " / ".join(str(by_size[s]["ours"]["queries"]) for s in sizes if s in by_size)
            times = " / ".join(f"{by_size[s]['ours']['median_ms']:.0f}" for s in sizes if s in by_size)
            growth = by_size[big]["ours"]["median_ms"] / by_size[sizes[0]]["ours"]["median_ms"] - 1
            missed = entry["ratio_time"] > TARGET or entry["ratio_queries"] > TARGET
            lines.append(
                f"| {key}{' (missed)' if missed else ''} | {ours['median_ms']:.0f} ({ours['p95_ms']:.0f}) "
                f"| {native['median_ms']:.0f} ({native['p95_ms']:.0f}) | {entry['ratio_time']:.2f} "
                f"| {ours['queries']} | {native['queries']} | {entry['ratio_queries']:.2f} | {queries} | {times} "
                f"| {growth:+.0%} | {entry.get('load', '-')} |")
    for section, title in (("billing_tab", "Billing tab"), ("statement", "Statement")):
        if not results.get(section):
            continue
        lines += ["", f"{title} (server time; median / p95 ms, queries, 1-minute load average of the machine):", "",
                  "| Read | median ms | p95 ms | queries | rows | load |", "|---|---|---|---|---|---|"]
        for key, entry in results[section].items():
            lines.append(f"| {key} | {entry['median_ms']:.1f} | {entry['p95_ms']:.1f} | {entry['queries']} "
                         f"| {entry.get('rows', '-')} | {entry.get('load', '-')} |")
    for key, entry in results.get("flat_differences", {}).items():
        lines += ["", f"Not flat: {key}, queries by size {entry['counts']}; the queries that differ:", "```",
                  *entry["diff"], "```"]
    if results.get("crons"):
        crons = results["crons"]
        lines += ["", "Scheduled actions (committed data, as the cron worker runs them); ratio: ours / Odoo's "
                  "native equivalent in seconds per record, same database, same run:", "",
                  "| Action | records | seconds | ms / record | runs | fixture s | ratio to native | load |",
                  "|---|---|---|---|---|---|---|---|"]
        for key, entry in crons.items():
            native = crons.get(NATIVE_CRONS.get(key))
            ratio = f"{per_record(entry) / per_record(native):.2f}" if native and per_record(native) else "-"
            per = f"{per_record(entry):.1f}" if entry["count"] else "-"
            lines.append(f"| {key} | {entry['count']} | {entry['seconds']} | {per} | {entry['runs']} "
                         f"| {entry['fixture_seconds']} | {ratio} | {entry.get('load', '-')} |")
    if results.get("fixtures"):
        lines += ["", "Fixtures: " + ", ".join(f"{key}: {value}" for key, value in results["fixtures"].items())]
    for key, plan in results.get("plans", {}).items():
        lines += ["", f"Plan: {key}", "```", *plan, "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        sys.stdout.write(render(json.load(file)))
