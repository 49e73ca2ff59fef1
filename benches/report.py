#!/usr/bin/env python3
"""Markdown tables of criterion medians, and ratios between them, for BENCHMARKS.md.

Usage: python3 benches/report.py DIR [GROUP...]

DIR is a criterion output directory (`target/criterion` for `cargo bench --bench jose`,
`benches/compare/target/criterion` for `cargo bench --bench peers`). Each benchmark id ends in
its algorithm (`jose_ring/HS256`, `floor_HS256`, `borrowed_HS256`, `HS256`); what comes before
it names who ran it (nothing means jose-ring). One table per group: the median of each, then
jose-ring's median divided by each other's, so that a ratio below 1 means jose-ring is faster.
"""

import json
import re
import sys
from pathlib import Path

ALGS = ["HS256", "HS384", "HS512", "RS256", "PS256", "ES256", "ES384", "EdDSA"]
ORDER = ["jose_ring", "borrowed", "jose_ring_borrowed", "floor", "jsonwebtoken9",
         "jsonwebtoken11", "jwt_simple"]
NAMES = {
    "jose_ring": "jose-ring",
    "borrowed": "jose-ring `decode_borrowed`",
    "jose_ring_borrowed": "jose-ring `decode_borrowed`",
    "floor": "floor",
    "jsonwebtoken9": "jsonwebtoken 9 (ring)",
    "jsonwebtoken11": "jsonwebtoken 11 (aws-lc-rs)",
    "jwt_simple": "jwt-simple (pure Rust)",
}
SHORT = {
    "jose_ring": "jose-ring",
    "borrowed": "borrowed",
    "jose_ring_borrowed": "borrowed",
    "jsonwebtoken9": "jwt 9",
    "jsonwebtoken11": "jwt 11",
    "jwt_simple": "jwt-simple",
}
SUFFIX = re.compile(r"^(?:(.*)_)?(" + "|".join(ALGS) + r")$")


def duration(ns):
    """A time in the unit that gives three significant digits or so."""
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            value = ns / scale
            break
    else:
        unit, value = "ns", ns
    return f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}"


def medians(group_dir):
    """{(who, alg): median ns} for one group."""
    found = {}
    for estimates in group_dir.glob("*/new/estimates.json"):
        match = SUFFIX.match(estimates.parent.parent.name)
        if not match:
            continue
        who = match.group(1) or "jose_ring"
        median = json.loads(estimates.read_text())["median"]["point_estimate"]
        found[(who, match.group(2))] = median
    return found


def table(group, found):
    whos = sorted({w for w, _ in found}, key=lambda w: (ORDER.index(w) if w in ORDER else 99, w))
    mine = [w for w in whos if w in ("jose_ring", "borrowed", "jose_ring_borrowed")]
    others = [w for w in whos if w not in mine]
    ratios = [(m, o) for m in mine for o in others]
    name = lambda w: NAMES.get(w, w.replace("_", " "))
    short = lambda w: SHORT.get(w, name(w))
    head = ["alg"] + [name(w) for w in whos] + [f"{short(m)} / {short(o)}" for m, o in ratios]
    lines = [f"#### `{group}`", "", "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for alg in ALGS:
        if not any(a == alg for _, a in found):
            continue
        cells = [alg] + [duration(found[(w, alg)]) if (w, alg) in found else "" for w in whos]
        for m, o in ratios:
            if (m, alg) in found and (o, alg) in found:
                cells.append(f"{found[(m, alg)] / found[(o, alg)]:.2f}x")
            else:
                cells.append("")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = Path(sys.argv[1])
    groups = sys.argv[2:] or sorted(p.name for p in root.iterdir() if p.is_dir()
                                    and p.name != "report")
    for group in groups:
        found = medians(root / group)
        if found:
            print(table(group, found))
            print()


if __name__ == "__main__":
    main()
