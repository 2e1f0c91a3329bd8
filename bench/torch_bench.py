"""PyTorch side of `npm run bench`: the same sgemm shapes and MLP SGD step, one thread.

Reads a JSON request on argv[1] ({"gemm": [[M, K, N, transA, transB], ...], "mlp": {"sizes": [...], "batches": [...]},
"online": [[784, 2000, 10], ...], "networks": [["conv", 32], ...], "budget_ms": ...}) and prints one JSON object per line. Run with /usr/bin/python3 and
OPENBLAS_NUM_THREADS=1 (the bench runner does both).
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def median_ms(fn, warmup=3, min_repeats=5, budget_ms=400, max_repeats=200):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_repeats or ((time.perf_counter() - start) * 1e3 < budget_ms and len(times) < max_repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def bench_gemm(m, k, n, trans_a, trans_b, budget_ms):
    a = torch.rand(k, m).t() if trans_a else torch.rand(m, k)
    b = torch.rand(n, k).t() if trans_b else torch.rand(k, n)
    c = torch.empty(m, n)
    ms = median_ms(lambda: torch.mm(a, b, out=c), budget_ms=budget_ms)
    return {"kind": "gemm", "M": m, "K": k, "N": n, "transA": trans_a, "transB": trans_b, "ms": ms,
            "gflops": 2 * m * k * n / ms / 1e6}


def bench_mlp(sizes, batch, budget_ms):
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers.append(torch.nn.Linear(n_in, n_out))
    params = [p for layer in layers for p in layer.parameters()]
    opt = torch.optim.SGD(params, lr=0.1)
    x = torch.rand(batch, sizes[0])
    y = torch.randint(0, sizes[-1], (batch,))

    def step():
        h = x
        for i, layer in enumerate(layers):
            h = layer(h)
            if i < len(layers) - 1:
                h = torch.sigmoid(h)
        loss = F.cross_entropy(h, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    ms = median_ms(step, min_repeats=5, budget_ms=budget_ms)
    return {"kind": "mlp-step", "batch": batch, "ms": ms}


def bench_online(sizes, budget_ms):
    """Batch-1 online step: forward, argmax of the logits (the online error's prediction), backward, SGD."""
    layers = [torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    params = [p for layer in layers for p in layer.parameters()]
    opt = torch.optim.SGD(params, lr=0.1)
    x = torch.rand(1, sizes[0])
    y = torch.randint(0, sizes[-1], (1,))

    def step():
        h = x
        for i, layer in enumerate(layers):
            h = layer(h)
            if i < len(layers) - 1:
                h = torch.sigmoid(h)
        pred = int(h.detach().argmax(dim=1)[0])
        loss = F.cross_entropy(h, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return pred

    ms = median_ms(step, min_repeats=200, budget_ms=budget_ms, max_repeats=100000)
    # CPU time of this process per step (on a shared machine closer to the cost than wall time), fastest of 3 rounds.
    cpu_ms = float("inf")
    for _ in range(3):
        c0 = time.process_time()
        for _ in range(300):
            step()
        cpu_ms = min(cpu_ms, (time.process_time() - c0) * 1e3 / 300)
    return {"kind": "online-step", "sizes": sizes, "ms": ms, "cpu_ms": cpu_ms}


def build_network(spec, n_classes=10):
    """The modern benchmark networks: 'conv' (the issue's small conv net on 28x28x1), 'bn-mlp' / 'gn-mlp' (784-1000-1000-1000-10,
    each hidden layer linear, batch / group norm (8 groups), ReLU)."""
    nn = torch.nn
    if spec == "conv":
        return nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(1024, 256), nn.ReLU(), nn.Linear(256, n_classes)), (1, 28, 28)
    norm = (lambda n: nn.BatchNorm1d(n)) if spec == "bn-mlp" else (lambda n: nn.GroupNorm(8, n))
    layers, n_in = [], 784
    for n in (1000, 1000, 1000):
        layers += [nn.Linear(n_in, n), norm(n), nn.ReLU()]
        n_in = n
    layers.append(nn.Linear(n_in, n_classes))
    return nn.Sequential(*layers), (784,)


def bench_network(spec, batch, budget_ms):
    """One SGD step (forward, softmax cross-entropy, backward, update) of a modern benchmark network, training mode."""
    net, shape = build_network(spec)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    x = torch.rand(batch, *shape)
    y = torch.randint(0, 10, (batch,))

    def step():
        loss = F.cross_entropy(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    ms = median_ms(step, min_repeats=5 if batch > 1 else 50, budget_ms=budget_ms, max_repeats=2000)
    return {"kind": "network-step", "network": spec, "batch": batch, "ms": ms}


def main():
    req = json.loads(sys.argv[1])
    budget = req.get("budget_ms", 400)
    print(json.dumps({"kind": "torch-info", "version": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for m, k, n, trans_a, trans_b in req.get("gemm", []):
        print(json.dumps(bench_gemm(m, k, n, bool(trans_a), bool(trans_b), budget)), flush=True)
    mlp = req.get("mlp")
    if mlp:
        for batch in mlp["batches"]:
            print(json.dumps(bench_mlp(mlp["sizes"], batch, budget)), flush=True)
    for sizes in req.get("online", []):
        print(json.dumps(bench_online(sizes, budget)), flush=True)
    for spec, batch in req.get("networks", []):
        print(json.dumps(bench_network(spec, batch, budget)), flush=True)


if __name__ == "__main__":
    main()
