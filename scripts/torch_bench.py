#!/usr/bin/env python3
"""torch_bench.py: the PyTorch peer of `logitlab bench --against-torch`.

Runs one workload with the same layer shapes, batch and optimizer as logitlab's, on synthetic
random float32 inputs (one fixed batch, as on our side), and prints one JSON line:

    {"samples_per_sec", "steps", "seconds", "peak_rss_mb", "threads", "torch_version",
     "openblas_core", "workload", "python"}

Timing: --warmup untimed steps, then timed steps (time.perf_counter) until at least --steps steps
and at least --seconds seconds have passed. peak_rss_mb is resource.getrusage's ru_maxrss (KiB on
Linux). The harness runs it with OPENBLAS_NUM_THREADS=1 (OpenMP and OpenBLAS threads otherwise
fight over the cores) at --threads 1 and 2 and keeps the faster.

Workloads (batch B = --batch, default 128; Adam lr 1e-3; cross-entropy on 10 classes):
  mlp      784-256-256-10, ReLU; one training step.
  cnn      1×28×28 → conv3×3(32, pad 1) → ReLU → maxpool2 → conv3×3(64, pad 1) → ReLU → maxpool2
           → fc 3136→128 → ReLU → fc 128→10; one training step.
  pgd-cnn  the cnn, one L∞ PGD step on the input: g = ∂loss/∂x only (no weight gradients),
           x ← clip(x + α·sign(g), x0 ± ε) ∩ [0, 1], with ε = 0.3, α = 0.01.
"""

import argparse
import ctypes
import json
import os
import resource
import sys
import time


def openblas_core():
    """The kernel family of the OpenBLAS this process loaded ("SkylakeX", "Prescott", ...), or ""."""
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line and "/" in line})
    except OSError:
        return ""
    for path in libs:
        try:
            fn = ctypes.CDLL(path).openblas_get_corename
        except (OSError, AttributeError):
            continue
        fn.restype = ctypes.c_char_p
        return fn().decode()
    return ""


def wavenet(torch, channels, blocks, dilations, classes):
    """logitlab's models.WaveNet: 1x1 in; per layer causal dilated K=2 filter and gate convs,
    tanh*sigmoid, 1x1 residual (not after the last layer) and skip; relu, 1x1, relu; mean+max
    pool over time; batch norm of the 2C features (no affine); linear head."""
    nn, F = torch.nn, torch.nn.functional

    class WaveNet(nn.Module):
        def __init__(self):
            super().__init__()
            c = channels
            self.inp = nn.Conv1d(1, c, 1)
            self.dil = [d for _ in range(blocks) for d in dilations]
            self.f = nn.ModuleList(nn.Conv1d(c, c, 2, dilation=d) for d in self.dil)
            self.g = nn.ModuleList(nn.Conv1d(c, c, 2, dilation=d) for d in self.dil)
            self.r = nn.ModuleList(nn.Conv1d(c, c, 1) for _ in self.dil[:-1])
            self.s = nn.ModuleList(nn.Conv1d(c, c, 1) for _ in self.dil)
            self.post = nn.Conv1d(c, c, 1)
            self.bn = nn.BatchNorm1d(2 * c, affine=False)
            self.head = nn.Linear(2 * c, classes)

        def forward(self, x):
            h = self.inp(x)
            skip = 0
            for i, d in enumerate(self.dil):
                hp = F.pad(h, (d, 0))
                z = torch.tanh(self.f[i](hp)) * torch.sigmoid(self.g[i](hp))
                skip = skip + self.s[i](z)
                if i < len(self.r):
                    h = h + self.r[i](z)
            e = F.relu(self.post(F.relu(skip)))
            feat = torch.cat([e.mean(dim=2), e.amax(dim=2)], dim=1)
            return self.head(self.bn(feat))

    return WaveNet()


def build(torch, name, batch):
    """Returns step(), a closure over the model, optimizer and one fixed batch."""
    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(0)
    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
        x = torch.rand(batch, 784)
    elif name in ("cnn", "pgd-cnn"):
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
        x = torch.rand(batch, 1, 28, 28)
    elif name == "wavenet":
        model = wavenet(torch, channels=32, blocks=2, dilations=[1, 2, 4, 8, 16, 32, 64], classes=10)
        x = torch.rand(batch, 1, 8000) * 2 - 1
    else:
        raise SystemExit(f"torch_bench: unknown workload {name!r}; known: mlp, cnn, pgd-cnn, wavenet")
    y = torch.randint(0, 10, (batch,))

    if name == "pgd-cnn":
        eps, alpha = 0.3, 0.01
        x0 = x.clone()
        state = {"x": x.clone()}

        def step():
            xa = state["x"].detach().requires_grad_(True)
            loss = F.cross_entropy(model(xa), y)
            (g,) = torch.autograd.grad(loss, xa)
            with torch.no_grad():
                xn = xa + alpha * g.sign()
                xn = torch.max(torch.min(xn, x0 + eps), x0 - eps).clamp_(0, 1)
            state["x"] = xn
            return loss.item()

        return step

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", required=True, help="mlp, cnn, pgd-cnn or wavenet")
    ap.add_argument("--steps", type=int, default=20, help="timed steps, at least (default 20)")
    ap.add_argument("--seconds", type=float, default=0.0, help="timed seconds, at least (default 0)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first (default 3)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--batch", type=int, default=128, help="batch size (default 128)")
    a = ap.parse_args()
    if a.steps < 1 or a.warmup < 0 or a.threads < 1 or a.batch < 1 or a.seconds < 0:
        ap.error("need --steps ≥ 1, --warmup ≥ 0, --threads ≥ 1, --batch ≥ 1, --seconds ≥ 0")
    try:
        import torch
    except ImportError as e:
        sys.exit(f"torch_bench: {sys.executable} cannot import torch ({e}); run scripts/install-torch")

    torch.set_num_threads(a.threads)
    step = build(torch, a.workload, a.batch)
    for _ in range(a.warmup):
        step()
    steps, start = 0, time.perf_counter()
    elapsed = 0.0
    while steps < a.steps or elapsed < a.seconds:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "workload": a.workload,
        "samples_per_sec": steps * a.batch / elapsed,
        "steps": steps,
        "seconds": elapsed,
        "peak_rss_mb": rss_kib / 1024,
        "threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "openblas_core": openblas_core(),
        "python": sys.executable,
    }), flush=True)


if __name__ == "__main__":
    main()
