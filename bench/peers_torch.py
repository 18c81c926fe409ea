"""Time torch.autograd.gradcheck and gradcheck side by side (bench/peers.sh).

Each claim is a function of one n×n matrix X, with the same input
distributions as gradcheck's registry claim of that name. For each check
and size it times, per verified instance (one random X):

  full      torch.autograd.gradcheck(f, X) in its default slow mode, which
            forms the whole numerical Jacobian by central differences
            (2 evaluations of f per entry of X) and the analytical one by
            backward passes; against gradcheck --mode entrywise, which forms
            the whole finite-difference Jacobian with Richardson
            extrapolation over the steps h, h/2 and h/4 (6 evaluations of f
            per entry of X; 2 along an entry where f is affine to rounding
            level, as det and tr(AXB) are, 4 where it is quadratic, and one
            at the base point) and compares it with the claimed derivative
            entry by entry.
  single    torch.autograd.gradcheck(f, X, fast_mode=True) called three
            times (2 evaluations of f per call: a central difference along
            one random direction, compared with one backward pass); against
            gradcheck --dirs 1 (6 evaluations of f: Richardson along one
            random direction, compared with the claim). Both sides thus
            evaluate f 6 times per verified instance.

The torch side runs in this process, after a warm-up call, with its inputs
drawn outside the timed region; it counts the fastest of its repetitions
(at least 2, and at least --min-time seconds in all). The gradcheck side
is timed twice: "cli", the fastest of --repeat `gradcheck run` processes
(wall time: start-up, input generation, report, and the first touch of
all the memory it uses included), and "in-process", the fastest of several
gradcheck.Verify calls in one process (`gradcheck bench --runs 5`, 2 above
n = 256), warm like the torch side but with input generation included;
each is divided by its batch of instances (--full-batch, --single-batch).

The two comparisons on equal terms are thus in-process against torch in
this process (both warm), and, for the single rows, "cli" against "torch
cli": the fastest of --torch-repeat fresh Python processes (this file
with --child) that import torch, start its device, draw the same batch
of inputs and verify each as above (both cold: wall time from the
process's start to its exit). cli against torch in this process, the
ratio printed as "cli ratio", counts start-up on gradcheck's side only.
The full rows have no torch cli: their time is the Jacobian's, and fresh
processes there would outrun scripts/gpu-check.sh's time box.
Prints one table and, with --json, writes the rows. With --device cuda
--backend gpu both sides run on the GPU (scripts/gpu-check.sh); torch's
calls return a Python bool, so each timed call ends synchronized.
"""

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

import torch

torch.set_default_dtype(torch.float64)


def gauss(n, gen):
    return torch.randn(n, n, generator=gen) / math.sqrt(n)


def wellcond(n, gen):
    return torch.eye(n) + torch.randn(n, n, generator=gen) / (3 * math.sqrt(n))


def spd(n, gen):
    g = torch.randn(n, n, generator=gen)
    s = torch.eye(n) + g @ g.T / n
    return s * torch.exp(-torch.logdet(s) / n)


def claim(name, n, gen):
    """Returns f and X for the registry claim name at size n."""
    if name == "diff-product":  # f(X) = X*W
        w = gauss(n, gen)
        return (lambda x: x @ w), gauss(n, gen)
    if name == "tr-axb":  # f(X) = tr(A*X*B)
        a, b = gauss(n, gen), gauss(n, gen)
        return (lambda x: torch.trace(a @ x @ b)), gauss(n, gen)
    if name == "det":
        return torch.linalg.det, wellcond(n, gen)
    if name == "logdet-spd":
        return torch.logdet, spd(n, gen)
    if name == "diff-inv":  # f(X) = inv(X)
        return torch.linalg.inv, wellcond(n, gen)
    raise ValueError(name)


def verify_batch(name, n, fast, calls, batch, gen):
    """Whether torch.autograd.gradcheck passes on batch fresh instances."""
    ok = True
    for _ in range(batch):
        f, x = claim(name, n, gen)
        x.requires_grad_(True)
        for _ in range(calls):
            ok &= torch.autograd.gradcheck(f, (x,), fast_mode=fast, raise_exception=False)
    return ok


def time_torch_cli(name, n, calls, batch, repeat, device, threads):
    """Seconds per verified instance of the fastest of repeat fresh
    processes that verify batch instances in torch's fast mode (this file
    with --child), and whether all passed; None and False when a process
    failed otherwise."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "--device", device, "--threads", str(threads),
           "--claims", name, "--single-sizes", str(n), "--single-batch", str(batch), "--calls", str(calls)]
    best, ok = math.inf, True
    for _ in range(repeat):
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - t)
        if out.returncode not in (0, 1):
            print(f"torch cli: exit {out.returncode}: {out.stderr.strip()[-300:]}", file=sys.stderr)
            return None, False
        ok &= out.returncode == 0
    return best / batch, ok


def time_torch(name, n, fast, calls, min_time, gen):
    """Seconds per verified instance (the fastest), CPU seconds of the
    process per instance (the fewest), instances timed, and whether all
    passed."""
    def one():
        f, x = claim(name, n, gen)
        x.requires_grad_(True)
        t, c = time.perf_counter(), time.process_time()
        ok = True
        for _ in range(calls):
            ok &= torch.autograd.gradcheck(f, (x,), fast_mode=fast, raise_exception=False)
        return time.perf_counter() - t, time.process_time() - c, ok

    one()  # warm-up
    total, count, passed, best, best_cpu = 0.0, 0, True, math.inf, math.inf
    while count < 2 or total < min_time:
        dt, cpu, ok = one()
        total, count, passed = total + dt, count + 1, passed and ok
        best, best_cpu = min(best, dt), min(best_cpu, cpu)
    return best, best_cpu, count, passed


# GRADCHECK_EVALS is how many times gradcheck evaluates f per random
# direction: f(X ± hH), f(X ± hH/2), f(X ± hH/4). (Per entry it is 2, 4 or
# 6, which its report counts; see time_cli.)
GRADCHECK_EVALS = 6

SIZE_SYMBOLS = {"diff-product": "mnk", "tr-axb": "mnk"}


def time_cli(binary, backend, name, n, mode, dirs, batch, repeat):
    """Seconds per verified instance of the fastest of repeat gradcheck run
    processes, their fewest CPU seconds (user + system) per instance, the
    verdict, and the evaluations of f per instance that the report counts;
    the times and evaluations are None and the verdict says why when
    gradcheck itself failed (exit status 2 or 3)."""
    sizes = ",".join(f"{s}={n}" for s in SIZE_SYMBOLS.get(name, "n"))
    cmd = [binary, "run", name, "--backend", backend, "--size", sizes,
           "--mode", mode, "--dirs", str(dirs), "--batch", str(batch),
           "--format", "json", "--progress", "never"]
    best, best_cpu = math.inf, math.inf
    for _ in range(repeat):
        t, r = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(cmd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - t)
        r2 = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, r2.ru_utime - r.ru_utime + r2.ru_stime - r.ru_stime)
        if out.returncode not in (0, 1):
            last = out.stderr.strip().splitlines()[-1:] or ["?"]
            return None, None, f"error (exit {out.returncode}: {last[0]})", None
    result = json.loads(out.stdout)["results"][0]
    return best / batch, best_cpu / batch, result["verdict"], result["evaluations"] // batch


def time_inprocess(binary, backend, name, n, mode, dirs, batch):
    """Seconds per verified instance and the verdict of the fastest of
    several verifications in one process (gradcheck bench: 5 up to n = 256,
    where one takes milliseconds, else 2); None and the reason when
    gradcheck itself failed."""
    runs = 5 if n <= 256 else 2
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        cmd = [binary, "bench", name, "--backend", backend, "--sizes", str(n), "--mode", mode,
               "--dirs", str(dirs), "--batch", str(batch), "--runs", str(runs), "--format", "json", "--out", f.name]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode not in (0, 1):
            last = out.stderr.strip().splitlines()[-1:] or ["?"]
            return None, f"error (exit {out.returncode}: {last[0]})"
        r = json.load(f)["results"][0]
        return r["seconds_per_instance"], r["verdict"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--gradcheck", default="bin/gradcheck")
    p.add_argument("--backend", default="cpu", help="gradcheck's backend: cpu or gpu")
    p.add_argument("--device", default="cpu", help="torch's device: cpu or cuda")
    p.add_argument("--claims", default="det,tr-axb,diff-inv")
    p.add_argument("--full-sizes", default="32,64")
    p.add_argument("--single-sizes", default="512,1024")
    p.add_argument("--full-batch", type=int, default=1, help="gradcheck instances per run, full Jacobian")
    p.add_argument("--single-batch", type=int, default=4, help="gradcheck instances per run, one direction")
    p.add_argument("--repeat", type=int, default=3, help="gradcheck processes per row; the fastest counts")
    p.add_argument("--min-time", type=float, default=2.0, help="torch: seconds timed per row, at least")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--torch-repeat", type=int, default=2, help="fresh torch processes per single row; the fastest counts")
    p.add_argument("--json")
    p.add_argument("--child", action="store_true",
                   help="verify --single-batch instances of the one claim and size in torch's fast mode, --calls "
                        "times each, and exit 0 when all pass (the torch cli of the single rows)")
    p.add_argument("--calls", type=int, default=GRADCHECK_EVALS // 2, help=argparse.SUPPRESS)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.device != "cpu":
        # torch >= 2.0; the CPU run also works with Debian's torch 1.13.
        torch.set_default_device(args.device)
    gen = torch.Generator(device=args.device).manual_seed(1)
    if args.child:
        ok = verify_batch(args.claims, int(args.single_sizes), True, args.calls, args.single_batch, gen)
        if args.device == "cuda":
            torch.cuda.synchronize()
        sys.exit(0 if ok else 1)

    sizes = lambda s: [int(v) for v in s.split(",")] if s else []
    plan = [("full", n) for n in sizes(args.full_sizes)] + [("single", n) for n in sizes(args.single_sizes)]
    where = torch.cuda.get_device_name(0) if args.device == "cuda" else f"{torch.get_num_threads()} threads"
    print(f"torch {torch.__version__} on {where}; gradcheck on {args.backend}, batch {args.full_batch} "
          f"(full), {args.single_batch} (single); load {os.getloadavg()[0]:.2f}", flush=True)
    print(f"{'check':7} {'claim':13} {'n':>5} {'evals t/g':>11} {'torch':>10} {'gc cli':>10} {'ratio':>7} "
          f"{'gc in-proc':>10} {'ratio':>7} {'cpu ratio':>9} {'torch cli':>10} {'ratio':>7}  "
          "verdicts torch, cli, in-process, torch cli  (seconds per verified instance; ratio: torch / gradcheck, "
          "cli ratio against torch in process; cpu ratio: CPU seconds of torch / of the gradcheck process; "
          "torch cli ratio: both as fresh processes)")
    fmt = lambda v, spec: format(v, spec) if v is not None else "-"
    ratio = lambda v: f"{v:6.1f}x" if v is not None else "-"
    rows = []
    for check, n in plan:
        for name in args.claims.split(","):
            if check == "full":
                t_torch, c_torch, reps, ok = time_torch(name, n, False, 1, args.min_time, gen)
                mode, dirs, torch_evals, batch = "entrywise", 3, 2 * n * n, args.full_batch
            else:
                calls = GRADCHECK_EVALS // 2  # torch's fast mode evaluates f twice per call
                t_torch, c_torch, reps, ok = time_torch(name, n, True, calls, args.min_time, gen)
                mode, dirs, torch_evals, batch = "directional", 1, 2 * calls, args.single_batch
            t_cli, c_cli, v_cli, gc_evals = time_cli(args.gradcheck, args.backend, name, n, mode, dirs, batch, args.repeat)
            t_in, v_in = time_inprocess(args.gradcheck, args.backend, name, n, mode, dirs, batch)
            t_tcli, ok_tcli = None, False
            if check == "single":
                t_tcli, ok_tcli = time_torch_cli(name, n, calls, batch, args.torch_repeat, args.device, args.threads)
            row = dict(check=check, claim=name, n=n, batch=batch, torch_evals=torch_evals, gradcheck_evals=gc_evals,
                       torch_seconds=t_torch, torch_cpu_seconds=c_torch, torch_instances=reps, torch_pass=bool(ok),
                       cli_seconds=t_cli, cli_cpu_seconds=c_cli, cli_verdict=v_cli,
                       cli_ratio=t_torch / t_cli if t_cli else None,
                       cli_cpu_ratio=c_torch / c_cli if c_cli else None,
                       inprocess_seconds=t_in, inprocess_verdict=v_in,
                       inprocess_ratio=t_torch / t_in if t_in else None,
                       torch_cli_seconds=t_tcli, torch_cli_pass=ok_tcli,
                       torch_cli_ratio=t_tcli / t_cli if t_tcli and t_cli else None, load=os.getloadavg()[0])
            rows.append(row)
            tcli = f"{'pass' if ok_tcli else 'FAIL'}" if t_tcli else "-"
            print(f"{check:7} {name:13} {n:5} {torch_evals:>5}/{fmt(gc_evals, 'd'):<5} {t_torch:10.4g} {fmt(t_cli, '10.4g'):>10} "
                  f"{ratio(row['cli_ratio']):>7} {fmt(t_in, '10.4g'):>10} {ratio(row['inprocess_ratio']):>7} "
                  f"{ratio(row['cli_cpu_ratio']):>9} {fmt(t_tcli, '10.4g'):>10} {ratio(row['torch_cli_ratio']):>7}  "
                  f"{'pass' if ok else 'FAIL'}, {v_cli}, {v_in}, {tcli}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(torch=torch.__version__, device=where, backend=args.backend, threads=torch.get_num_threads(), rows=rows),
                      f, indent=2)


if __name__ == "__main__":
    main()
