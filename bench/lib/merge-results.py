#!/usr/bin/env python3
"""Merges a bench report (berth-bench report's markdown) into docs/benchmarks.md's results section.

    bench/lib/merge-results.py DOC REPORT

Between the `bench:results` markers the section holds one table and, under it, one block of facts
per run that produced some of its rows. A scenario the new report measured has its rows replaced
(in place; a new scenario's rows go at the end); other scenarios' rows stay, with the facts of the
run that measured them. A run whose scenarios have all been re-measured is dropped. So a partial
`bench/run.sh --only …` run updates its rows without wiping the others'.
"""
import os
import re
import sys

START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
HEADER = re.compile(r"^Run of (.+?) — (.+):$")


def parse(lines):
    """(table rows, [(date, [scenarios], fact lines)]) of a section or a fresh report."""
    rows, blocks, current = [], [], None
    for line in lines:
        if line.startswith("| ") and not line.startswith("| scenario |"):
            rows.append(line)
            continue
        m = HEADER.match(line)
        if m:
            current = (m.group(1), [s.strip() for s in m.group(2).split(",")], [])
            blocks.append(current)
        elif line.startswith("- ") or line.startswith("Failed runs"):
            if current is None:  # a fresh report, or a section written before run blocks existed
                current = ("", [], [])
                blocks.append(current)
            current[2].append(line)
    scenarios = ordered(scenario(r) for r in rows)
    for i, (date, names, facts) in enumerate(blocks):
        if not names:
            blocks[i] = (date or fact(facts, "date"), scenarios, facts)
    return rows, blocks


def scenario(row):
    return row.split("|")[1].strip()


def ordered(items):
    seen = []
    for i in items:
        if i not in seen:
            seen.append(i)
    return seen


def fact(facts, key):
    for line in facts:
        if line.startswith(f"- {key}: "):
            return line[len(key) + 4:]
    return "unknown date"


def merge(old_lines, report_lines):
    old_rows, old_blocks = parse(old_lines)
    new_rows, new_blocks = parse(report_lines)
    fresh = ordered(scenario(r) for r in new_rows)
    rows, placed = [], set()
    for r in old_rows:
        s = scenario(r)
        if s in fresh:
            if s not in placed:
                rows.extend(n for n in new_rows if scenario(n) == s)
                placed.add(s)
            continue
        rows.append(r)
    rows.extend(n for n in new_rows if scenario(n) not in placed)
    blocks = [(new_blocks[0][0], fresh, new_blocks[0][2])] if new_blocks else []
    for date, names, facts in old_blocks:
        kept = [n for n in names if n not in fresh]
        if kept:
            blocks.append((date, kept, facts))
    out = ["| scenario | metric | berthd median | dockerd median | berthd/dockerd | goal | pass |",
           "|---|---|---:|---:|---:|---|---|", *rows, "",
           "Cells: median (min–max, n runs). Each scenario's rows come from the latest run that measured it;",
           "the runs, newest first:"]
    for date, names, facts in blocks:
        out += ["", f"Run of {date} — {', '.join(names)}:", *facts]
    return out


def main(doc_path, report_path):
    with open(doc_path, encoding="utf-8") as f:
        doc = f.read().split("\n")
    with open(report_path, encoding="utf-8") as f:
        report = f.read().split("\n")
    start, end = doc.index(START), doc.index(END)
    merged = doc[:start + 1] + merge(doc[start + 1:end], report) + doc[end:]
    tmp = doc_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(merged))
    os.replace(tmp, doc_path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
