#!/usr/bin/env python3
"""Compares what a camera published with a generated clip's passes (anpr-synth video's CSV).

Usage: scripts/score-passes.py CLIP.csv READS
  READS: one plate per line, or JSON lines with a "plate" field (anpr-edge bench --reads).
A read belongs to the pass whose text is closest, at most two characters off (a misread plate
counts as published, not as lost); anything further from every pass is "other text" (a caption,
a sign, a parked car). Prints one line; exits 0 only when every pass was published exactly once
and nothing else was.
"""
import csv
import json
import sys


def distance(a, b):
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
    return row[len(b)]


def plates(path):
    out = []
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        out.append(json.loads(line)["plate"] if line.startswith("{") else line)
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    passes = [row["text"] for row in csv.DictReader(open(sys.argv[1]))]
    stored = plates(sys.argv[2])
    per = {p: 0 for p in passes}
    other, exact = [], 0
    for s in stored:
        best = min(passes, key=lambda p: distance(p, s))
        if distance(best, s) <= 2:
            per[best] += 1
            exact += best == s
        else:
            other.append(s)
    once = sum(1 for v in per.values() if v == 1)
    print(f"passes {len(passes)}; stored reads {len(stored)}; published once {once}, "
          f"twice or more {sum(1 for v in per.values() if v > 1)}, never {sum(1 for v in per.values() if v == 0)}; "
          f"read exactly right {exact}; other texts {other}")
    return 0 if once == len(passes) and not other else 1


if __name__ == "__main__":
    sys.exit(main())
