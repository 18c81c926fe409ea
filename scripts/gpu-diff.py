"""Compare two gradcheck JSON reports of the same claims and settings, claim
by claim: the CPU backend's (the reference) and the GPU backend's.

  python3 scripts/gpu-diff.py registry-cpu.json registry-gpu.json

The inputs are bit-identical (Philox), so the verdicts must agree. The
numbers are identical where every operation a claim uses is bit-identical
on both backends; elsewhere (LU above n = 64, inverses, reductions in
another order, fused multiply-adds, OpenBLAS) each backend's error is within
a tenth of the verifier's tolerance of the exact value, so the two maximal
errors may differ by a fifth of the tolerance at most (gpu/verify_test.go,
TestVerifyParity). Prints one line per claim that is not identical and a
summary line; exit status 1 when a verdict differs, a claim is missing on
one side, or the numbers differ by more than that bound.
"""

import json
import sys


def load(path):
    with open(path) as f:
        rep = json.load(f)
    return rep.get("backend", path), {r["name"]: r for r in rep["results"]}


def num(v):
    return "-" if v is None else f"{v:.4g}"


def main():
    if len(sys.argv) != 3:
        print("usage: gpu-diff.py CPU.json GPU.json", file=sys.stderr)
        return 2
    (na, a), (nb, b) = load(sys.argv[1]), load(sys.argv[2])
    bad = identical = close = 0
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            print(f"{name}: only in the {na if name in a else nb} report")
            bad += 1
            continue
        x, y = a[name], b[name]
        if x["verdict"] != y["verdict"]:
            print(f"{name}: verdict {na} {x['verdict']}, {nb} {y['verdict']} "
                  f"({y.get('diagnosis') or x.get('diagnosis') or ''})")
            bad += 1
            continue
        ex, ey, tol = x["max_rel_err"], y["max_rel_err"], x["tolerance"]
        if ex == ey and x["tolerance"] == y["tolerance"] and x.get("worst") == y.get("worst"):
            identical += 1
            continue
        d = abs(ex - ey) if ex is not None and ey is not None else float("inf")
        within = tol is not None and d <= 0.2 * tol
        print(f"{name}: {x['verdict']} on both; max rel err {na} {num(ex)}, {nb} {num(ey)}, "
              f"differ by {d:.3g} = {d / tol if tol else float('inf'):.3g} of the tolerance {num(tol)}"
              f"{'' if within else ' (more than a fifth: MISMATCH)'}")
        if within:
            close += 1
        else:
            bad += 1
    total = len(set(a) | set(b))
    print(f"{total} claims: {identical} identical, {close} same verdict with numbers within a fifth of the "
          f"tolerance, {bad} mismatched")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
