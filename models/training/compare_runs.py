"""Compares two training runs (two output folders, each with manifest.json and its ONNX files).

Every number in the two manifests' model entries (metrics, scalers, thresholds…) must agree within
--tolerance (default 1e-3); the ONNX files' sha256 are compared and reported (equal when training
is bit-for-bit deterministic). Exit code 0 when the runs agree, 1 otherwise.

Usage: python models/training/compare_runs.py RUN_A RUN_B [--tolerance 1e-3] [--require-equal-sha256]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

IGNORED_KEYS = {"created_at"}


def numbers(value, path: str = ""):
    """Yields (path, leaf) for every leaf of a JSON value, except timestamps."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in IGNORED_KEYS:
                yield from numbers(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from numbers(v, f"{path}[{i}]")
    else:
        yield path, value


def compare(a: Path, b: Path, tolerance: float) -> tuple[list[str], list[str], float]:
    ma, mb = (json.loads((d / "manifest.json").read_text())["models"] for d in (a, b))
    problems, sha_diffs, worst = [], [], 0.0
    for name in sorted(set(ma) | set(mb)):
        if name not in ma or name not in mb:
            problems.append(f"{name}: only in one run")
            continue
        la, lb = dict(numbers(ma[name])), dict(numbers(mb[name]))
        for key in sorted(set(la) | set(lb)):
            x, y = la.get(key), lb.get(key)
            if key == "sha256":
                continue
            if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
                worst = max(worst, abs(x - y))
                if abs(x - y) > tolerance:
                    problems.append(f"{name}.{key}: {x} vs {y}")
            elif x != y:
                problems.append(f"{name}.{key}: {x!r} vs {y!r}")
        fa, fb = (hashlib.sha256((d / m[name]["file"]).read_bytes()).hexdigest() for d, m in ((a, ma), (b, mb)))
        if fa != fb:
            sha_diffs.append(f"{name}: {m_file(ma[name])} sha256 {fa[:12]}… vs {fb[:12]}…")
    return problems, sha_diffs, worst


def m_file(entry: dict) -> str:
    return entry.get("file", "?")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--tolerance", type=float, default=1e-3)
    parser.add_argument("--require-equal-sha256", action="store_true")
    args = parser.parse_args()
    problems, sha_diffs, worst = compare(args.a, args.b, args.tolerance)
    print(f"largest difference between the runs' numbers: {worst:.3g} (tolerance {args.tolerance:g})")
    for line in sha_diffs:
        print(f"different model file: {line}")
    if not sha_diffs:
        print("every model file has the same sha256 in both runs")
    for line in problems:
        print(f"DIFFERENT: {line}")
    failed = bool(problems) or (args.require_equal_sha256 and bool(sha_diffs))
    print("runs agree" if not failed else "runs DO NOT agree")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
