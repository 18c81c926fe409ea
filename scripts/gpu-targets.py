"""Judge the outputs of scripts/gpu-check.sh against the targets of the GPU
issue, and print them as Markdown: the tables that bench/README.md and
README take, made from the files rather than copied by hand.

  python3 scripts/gpu-targets.py OUTDIR [--tensor-peak TFLOPS]

It reads OUTDIR's summary.txt, env.log, registry-diff*.log, the bench
reports (bench-256.json, bench-{1024,2048}-{gpu,cpu}.json,
bench-1024-cores.json), torch.json, kernels.log (BenchmarkKernels) and
the sanitizers' logs, whichever exist, and prints

  - one row per target: what was measured, and met / missed / not measured;
  - the time per verified instance on the GPU and the CPU at each n, the
    GPU's GFLOP/s and its share of the FP64 tensor-core peak;
  - the rates of the kernels alone (BenchmarkKernels) and their share.

A target is met only on a measurement: a step that did not run or did not
finish leaves its target "not measured". The peaks are the data sheets'
(FP64 vector and tensor-core) for the GPU that env.log names; another GPU
needs --tensor-peak. The last line counts the targets; the exit status is
0 when OUTDIR could be read, whatever the verdicts, and 2 otherwise.
"""

import argparse
import json
import math
import os
import re
import sys

# FP64 peaks in TFLOP/s from NVIDIA's data sheets: (vector, tensor core).
PEAKS = [
    ("H200", (34.0, 67.0)),
    ("H100 PCIe", (25.6, 51.2)),
    ("H100", (34.0, 67.0)),
    ("A100", (9.7, 19.5)),
]

# The thresholds.
SPEEDUP_CPU = 10.0  # GPU against the OpenBLAS CPU backend, n = 1024
PRODUCTS_SHARE = 0.30  # product-heavy claims, of the tensor-core peak
LU_SHARE = 0.15  # LU-heavy claims, likewise

MET, MISSED, UNMEASURED = "met", "missed", "not measured"


def read(outdir, name):
    """The text of OUTDIR/name, or None."""
    try:
        with open(os.path.join(outdir, name)) as f:
            return f.read()
    except OSError:
        return None


def load(outdir, name):
    """The JSON object in OUTDIR/name, or {} when it is missing or cut
    short (a step killed while writing it)."""
    try:
        rep = json.loads(read(outdir, name) or "{}")
    except ValueError:
        return {}
    return rep if isinstance(rep, dict) else {}


def bench(outdir, name):
    """The results of a bench report, keyed by (claim, n, backend)."""
    # A report of an interrupted run may hold no results.
    return {(r["claim"], r["n"], r["backend"]): r for r in load(outdir, name).get("results") or []}


def steps(outdir):
    """The status of each step in summary.txt, by name."""
    out = {}
    for line in (read(outdir, "summary.txt") or "").splitlines():
        f = line.split()
        if len(f) >= 2:
            out[f[0]] = f[1]
    return out


def device(outdir):
    """The GPU's name, from env.log's nvidia-smi query or torch's line."""
    env = read(outdir, "env.log") or ""
    m = re.search(r"^name, driver_version.*\n([^,\n]+),", env, re.M)
    if m:
        return m.group(1).strip()
    m = re.search(r"^torch .* cuda \S+ (.+)$", env, re.M)
    return m.group(1).strip() if m else None


def peaks(name, tensor_override):
    """The FP64 vector and tensor-core peaks in GFLOP/s, each None when
    unknown; --tensor-peak gives the tensor-core one for another GPU."""
    for key, (vector, tensor) in PEAKS:
        if name and key in name:
            return vector * 1e3, (tensor_override or tensor) * 1e3
    return None, tensor_override * 1e3 if tensor_override else None


def span(values, fmt):
    """"a–b" of the values formatted, or "a" when they round alike."""
    lo, hi = fmt(min(values)), fmt(max(values))
    return lo if lo == hi else f"{lo}–{hi}"


def times(v):
    return f"{v:.2g}×" if v < 10 else f"{v:.0f}×"


def pct(v):
    return f"{100 * v:.1f} %"


def seconds(s):
    """s in the largest unit that keeps it ≥ 1, to three significant digits."""
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale or unit == "ns":
            v = s / scale
            digits = max(0, 2 - int(math.floor(math.log10(v)))) if v > 0 else 0
            return f"{v:.{digits}f} {unit}"


def kernel_rates(outdir):
    """BenchmarkKernels' GFLOP/s by (n, products, op)."""
    rates = {}
    pat = re.compile(
        r"^BenchmarkKernels/[^/]+/n=(\d+)/batch=\d+/([^/]+)/(\S+?)(?:-\d+)?\s+\d+\s+\S+ ns/op\s+(\S+) GFLOP/s", re.M
    )
    for m in pat.finditer(read(outdir, "kernels.log") or ""):
        rates[(int(m.group(1)), m.group(2), m.group(3))] = float(m.group(4))
    return rates


def targets(outdir, peak):
    """The rows (target, measured, verdict) of the issue's targets."""
    st = steps(outdir)
    rows = []

    # The GPU tests.
    s = st.get("gpu-tests")
    rows.append(("the GPU tests pass on the GPU", f"gpu-tests: {s or 'did not run'}",
                 MET if s == "ok" else MISSED if s == "FAIL" else UNMEASURED))

    # Parity: every registry-diff log's last line.
    diffs, verdict = [], MET
    for name in ("registry-diff", "registry-diff-dmma", "registry-diff-fma"):
        log = read(outdir, name + ".log")
        if log is None or not log.strip():
            verdict = UNMEASURED if verdict == MET else verdict
            diffs.append(f"{name}: not run")
            continue
        last = log.strip().splitlines()[-1]
        m = re.search(r"(\d+) claims:.* (\d+) mismatched", last)
        if not m:
            verdict = UNMEASURED if verdict == MET else verdict
            diffs.append(f"{name}: {last[:80]}")
            continue
        if int(m.group(2)) > 0:
            verdict = MISSED
        diffs.append(f"{name}: {m.group(1)} claims, {m.group(2)} mismatched")
    rows.append(("every registry claim: the same verdict on the GPU and the CPU", "; ".join(diffs), verdict))

    # The sanitizers.
    found, verdict = [], MET
    for tool in ("memcheck", "racecheck"):
        log = read(outdir, tool + ".log") or ""
        m = re.search(r"(ERROR|RACECHECK) SUMMARY: (\d+) (error|hazard)", log)
        if st.get(tool) == "ok" and m:
            found.append(f"{tool}: {m.group(2)} {m.group(3)}s")
            if int(m.group(2)) > 0:
                verdict = MISSED
        else:
            found.append(f"{tool}: {st.get(tool, 'did not run')}")
            if verdict == MET:
                verdict = UNMEASURED
    rows.append(("no sanitizer error", "; ".join(found), verdict))

    # GPU against CPU at n = 1024.
    gpu, cpu = bench(outdir, "bench-1024-gpu.json"), bench(outdir, "bench-1024-cpu.json")
    ratios = {c: cpu[(c, n, "cpu")]["seconds_per_instance"] / r["seconds_per_instance"]
              for (c, n, _), r in gpu.items() if (c, n, "cpu") in cpu}
    if ratios:
        text = ", ".join(f"{c} {times(v)}" for c, v in ratios.items())
        rows.append((f"n = 1024: the GPU ≥ {SPEEDUP_CPU:.0f}× the OpenBLAS CPU per verified instance",
                     text, MET if min(ratios.values()) >= SPEEDUP_CPU else MISSED))
    else:
        rows.append((f"n = 1024: the GPU ≥ {SPEEDUP_CPU:.0f}× the OpenBLAS CPU per verified instance",
                     "bench-1024-gpu or bench-1024-cpu missing", UNMEASURED))

    # torch.autograd.gradcheck on the same GPU, equal evaluations, n = 1024.
    torch = load(outdir, "torch.json").get("rows") or []
    single = [r for r in torch if r.get("check") == "single" and r.get("n") == 1024]
    what = "n = 1024: faster than torch.autograd.gradcheck on the same GPU at equal evaluations"
    if single:
        # Two comparisons on equal terms: in process (both warm), and as
        # fresh processes (both cold; torch_cli_ratio, from 12-07 on). The
        # command against torch in process (cli_ratio) counts start-up on
        # gradcheck's side only: shown, not judged.
        claims = ", ".join(r["claim"] for r in single)
        inproc = [r["inprocess_ratio"] for r in single if r.get("inprocess_ratio")]
        cold = [r["torch_cli_ratio"] for r in single if r.get("torch_cli_ratio")]
        parts = [f"in process {span(inproc, times)}" if inproc else "in process: not measured"]
        if cold:
            parts.append(f"as fresh processes {span(cold, times)}")
        else:
            cli = [r["cli_ratio"] for r in single if r.get("cli_ratio")]
            parts.append("as fresh processes: not measured" +
                         (f" (the command against torch in process: {span(cli, times)})" if cli else ""))
        ok_in, ok_cold = bool(inproc) and min(inproc) > 1, bool(cold) and min(cold) > 1
        if not inproc:
            verdict = UNMEASURED
        elif ok_in and (ok_cold or not cold):
            verdict = MET
        else:
            verdict = MISSED
            if ok_in or ok_cold:
                verdict += f" (met {'in process' if ok_in else 'as fresh processes'} only)"
        rows.append((what, "; ".join(parts) + f" ({claims})", verdict))
    else:
        rows.append((what, "torch.json missing or without n = 1024", UNMEASURED))

    # Shares of the tensor-core peak, claims at n = 1024.
    for kind, share, label in (("dgemm", PRODUCTS_SHARE, "product-heavy"), ("lu", LU_SHARE, "LU-heavy")):
        what = f"{label} claims ≥ {100 * share:.0f} % of the FP64 tensor-core peak"
        claims = {c: r["gflops"] for (c, n, _), r in gpu.items() if r.get("peak_kind") == kind}
        if not claims or peak is None:
            why = "no GPU bench at n = 1024" if not claims else "unknown GPU: give --tensor-peak"
            rows.append((what, why, UNMEASURED))
            continue
        text = ", ".join(f"{c} {pct(g / peak)}" for c, g in claims.items())
        rows.append((what, f"n = 1024: {text}", MET if min(claims.values()) / peak >= share else MISSED))
    return rows


def instance_table(outdir, peak):
    """Markdown rows: time per verified instance on each backend and n."""
    runs = {}
    for name in ("bench-256.json", "bench-1024-gpu.json", "bench-1024-cpu.json",
                 "bench-2048-gpu.json", "bench-2048-cpu.json"):
        runs.update(bench(outdir, name))
    claims = list(dict.fromkeys(c for c, _, _ in runs))
    sizes = sorted({n for _, n, _ in runs})
    if not claims:
        return []
    head = ["claim"]
    for n in sizes:
        head += [f"n = {n} GPU", "CPU", "GPU faster"]
    head += ["GPU GFLOP/s (n = 1024)", "of the FP64 tensor peak"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for c in claims:
        row = [c]
        for n in sizes:
            g, p = runs.get((c, n, "gpu")), runs.get((c, n, "cpu"))
            row.append(seconds(g["seconds_per_instance"]) if g else "-")
            row.append(seconds(p["seconds_per_instance"]) if p else "-")
            row.append(times(p["seconds_per_instance"] / g["seconds_per_instance"]) if g and p else "-")
        g = runs.get((c, 1024, "gpu"))
        row.append(f"{g['gflops']:,.0f}".replace(",", " ") if g else "-")
        row.append(pct(g["gflops"] / peak) if g and peak else "-")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def kernel_table(outdir, peak, vector_peak):
    """Markdown rows: BenchmarkKernels' GFLOP/s and share of the peak: the
    FP64 vector peak for the kernels on the CUDA cores (fma), the
    tensor-core peak for the others."""
    rates = kernel_rates(outdir)
    if not rates:
        return []
    cols = sorted({(n, p) for n, p, _ in rates}, key=lambda k: (k[0], k[1]))
    ops = list(dict.fromkeys(op for _, _, op in rates))
    head = ["operation"] + [f"n = {n} {p}" for n, p in cols]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for op in ops:
        row = [op]
        for n, p in cols:
            g, of = rates.get((n, p, op)), vector_peak if p == "fma" else peak
            row.append("-" if g is None else f"{g:,.0f}".replace(",", " ") + (f" ({pct(g / of)})" if of else ""))
        lines.append("| " + " | ".join(row) + " |")
    return lines


def main():
    ap = argparse.ArgumentParser(description="Judge scripts/gpu-check.sh's outputs against the GPU issue's targets.")
    ap.add_argument("outdir")
    ap.add_argument("--tensor-peak", type=float, help="FP64 tensor-core peak in TFLOP/s, for a GPU not in the table")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.outdir, "summary.txt")):
        print(f"gpu-targets: {args.outdir} has no summary.txt: not an output of scripts/gpu-check.sh", file=sys.stderr)
        return 2
    name = device(args.outdir)
    vector_peak, peak = peaks(name, args.tensor_peak)
    print(f"# {args.outdir}: {name or 'unknown GPU'}"
          + (f", FP64 tensor-core peak {peak / 1e3:g} TFLOP/s" if peak else ""))
    print()
    rows = targets(args.outdir, peak)
    print("| target | measured | verdict |")
    print("|---|---|---|")
    for what, measured, verdict in rows:
        print(f"| {what} | {measured} | {verdict} |")
    for title, table in (("Time per verified instance (gradcheck bench --dirs 1 --runs 2)", instance_table(args.outdir, peak)),
                         ("Kernels alone (BenchmarkKernels, GFLOP/s; share of the FP64 vector peak for fma, "
                          "of the tensor-core peak for the others)", kernel_table(args.outdir, peak, vector_peak))):
        if table:
            print()
            print(f"{title}:")
            print()
            print("\n".join(table))
    counts = {v: sum(1 for r in rows if r[2].startswith(v)) for v in (MET, MISSED, UNMEASURED)}
    print()
    print(f"targets: {counts[MET]} met, {counts[MISSED]} missed, {counts[UNMEASURED]} not measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
