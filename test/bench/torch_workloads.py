"""The benchmark's training workloads in PyTorch, for the "our time / torch time" column of `npm run bench`.

Same models, batch sizes and optimiser (Adam, lr 1e-3 unless the TS workload says otherwise) as
test/bench/workloads.ts, on random data of the same shapes. One thread by default (the TS side runs on one
core: single-threaded wasm, one genlab-heavy slot); `--threads N` changes it. Prints one line
`TORCH_RESULT {json}` with `--json`, else a table. Run by test/bench/run.ts with the Python it finds (GENLAB_TORCH_PYTHON, /opt/torch-venv, else Debian's python3), once
with --threads 1 and once with all cores.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def stat(xs):
    s = sorted(xs)
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return {"median": med, "min": s[0], "max": s[-1], "runs": xs}


class Batches:
    """Minibatches from a shuffled permutation, like the TS Trainer (index_select per step)."""

    def __init__(self, tensors, batch):
        self.tensors, self.batch = tensors, batch
        self.n = tensors[0].shape[0]
        self.order, self.pos = torch.randperm(self.n), 0

    def next(self):
        if self.pos + self.batch > self.n:
            self.order, self.pos = torch.randperm(self.n), 0
        idx = self.order[self.pos:self.pos + self.batch]
        self.pos += self.batch
        return [t.index_select(0, idx) for t in self.tensors]


def binary_images(n, d=784):
    return (torch.rand(n, d) < 0.13).float()


def labels(n, k=10):
    return torch.randint(0, k, (n,))


def mlp(sizes, act=nn.ReLU):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(act())
    return nn.Sequential(*layers)


def adam_step(opt, loss):
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


# --- workloads: each returns a step() closure ------------------------------------------------------

def w_mlp():
    net = mlp([784, 512, 256, 10])
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    data = Batches([binary_images(8000), labels(8000)], 128)

    def step():
        x, y = data.next()
        adam_step(opt, F.cross_entropy(net(x), y))
    return step


class BayesLinear(nn.Module):
    """Mean-field Gaussian weights, K samples drawn at once: [K, in, out]."""

    def __init__(self, i, o):
        super().__init__()
        self.mu = nn.Parameter(torch.randn(i, o) * math.sqrt(2 / i))
        self.rho = nn.Parameter(torch.full((i, o), math.log(math.expm1(1e-3))))
        self.bmu = nn.Parameter(torch.zeros(o))
        self.brho = nn.Parameter(torch.full((o,), math.log(math.expm1(1e-3))))

    def forward(self, h, K):
        s, bs = F.softplus(self.rho), F.softplus(self.brho)
        w = self.mu + s * torch.randn(K, *self.mu.shape)
        b = self.bmu + bs * torch.randn(K, 1, *self.bmu.shape)
        kl = (0.5 * (s ** 2 + self.mu ** 2 - 1) - torch.log(s)).sum() + (0.5 * (bs ** 2 + self.bmu ** 2 - 1) - torch.log(bs)).sum()
        return torch.bmm(h, w) + b, kl


def w_bnn():
    K, N = 8, 4898
    layers = nn.ModuleList([BayesLinear(11, 32), BayesLinear(32, 32), BayesLinear(32, 2)])
    opt = torch.optim.Adam(layers.parameters(), 1e-2)
    data = Batches([torch.randn(N, 11), torch.randn(N, 1)], 256)

    def step():
        x, y = data.next()
        h, kl = x.unsqueeze(0).expand(K, -1, -1), 0
        for i, layer in enumerate(layers):
            h, k = layer(h, K)
            kl = kl + k
            if i < 2:
                h = F.relu(h)
        mean, scale = h[..., :1], F.softplus(h[..., 1:]) + 1e-3
        nll = -torch.distributions.Normal(mean, scale).log_prob(y).mean()
        adam_step(opt, nll + kl / N)
    return step


def w_vae(hidden, latent):
    def make():
        enc = nn.Sequential(nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent))
        dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784))
        opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), 1e-3)
        data = Batches([binary_images(8000)], 128)

        def step():
            (x,) = data.next()
            mu, logvar = enc(x).chunk(2, dim=1)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            recon = F.binary_cross_entropy_with_logits(dec(z), x, reduction="none").sum(1)
            kl = 0.5 * (torch.exp(logvar) + mu ** 2 - 1 - logvar).sum(1)
            adam_step(opt, (recon + kl).mean())
        return step
    return make


def w_flows():
    K, D = 8, 2
    nets = nn.ModuleList([mlp([D, 64, 64, 2 * D]) for _ in range(K)])
    masks = [torch.tensor([1.0, 0.0]) if k % 2 == 0 else torch.tensor([0.0, 1.0]) for k in range(K)]
    opt = torch.optim.Adam(nets.parameters(), 1e-3)
    data = Batches([torch.randn(8192, D)], 256)

    def step():
        (x,) = data.next()
        logdet = torch.zeros(x.shape[0])
        for net, b in zip(nets, masks):
            s, t = net(x * b).chunk(2, dim=1)
            s = 2 * torch.tanh(s / 2) * (1 - b)
            x = b * x + (1 - b) * (x * torch.exp(s) + t)
            logdet = logdet + s.sum(1)
        logp = -0.5 * (x ** 2).sum(1) - D * 0.5 * math.log(2 * math.pi) + logdet
        adam_step(opt, -logp.mean())
    return step


def w_rbm():
    nv, nh, lr = 784, 64, 0.05
    W, b, c = torch.randn(nv, nh) * 0.01, torch.zeros(nv), torch.zeros(nh)
    data = Batches([binary_images(8000)], 100)

    def step():
        nonlocal W, b, c
        (v0,) = data.next()
        ph0 = torch.sigmoid(v0 @ W + c)
        h0 = torch.bernoulli(ph0)
        pv1 = torch.sigmoid(h0 @ W.t() + b)
        v1 = torch.bernoulli(pv1)
        ph1 = torch.sigmoid(v1 @ W + c)
        n = v0.shape[0]
        W = W + lr * (v0.t() @ ph0 - v1.t() @ ph1) / n
        b = b + lr * (v0 - v1).mean(0)
        c = c + lr * (ph0 - ph1).mean(0)
        float(((v0 - pv1) ** 2).sum(1).mean())  # the TS model reports reconstruction error; it syncs rarely
    return step


def w_diffusion():
    T, D, E = 1000, 2, 32
    betas = torch.linspace(1e-4, 0.02, T)
    abar = torch.cumprod(1 - betas, 0)
    net = mlp([D + E, 128, 128, 128, D], act=nn.SiLU)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    data = Batches([torch.randn(8192, D)], 512)
    freqs = torch.exp(-math.log(10000) * torch.arange(E // 2) / (E // 2))

    def step():
        (x,) = data.next()
        t = torch.randint(0, T, (x.shape[0],))
        eps = torch.randn_like(x)
        a = abar[t].unsqueeze(1)
        z = a.sqrt() * x + (1 - a).sqrt() * eps
        ang = t.float().unsqueeze(1) * freqs
        emb = torch.cat([torch.sin(ang), torch.cos(ang)], 1)
        loss = ((net(torch.cat([z, emb], 1)) - eps) ** 2).sum(1).mean()
        adam_step(opt, loss)
    return step


def w_cnn():
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(), nn.Flatten(), nn.Linear(7 * 7 * 32, 10))
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    data = Batches([binary_images(8000).view(-1, 1, 28, 28), labels(8000)], 64)

    def step():
        x, y = data.next()
        adam_step(opt, F.cross_entropy(net(x), y))
    return step


def conv3(i, o, stride=1, bias=True):
    return nn.Conv2d(i, o, 3, stride, 1, bias=bias)


class PreActBlock(nn.Module):
    """src/nn/residual-block.ts with batch norm: x + conv(relu(bn(conv(relu(bn(x))))))."""

    def __init__(self, c):
        super().__init__()
        self.n1, self.c1, self.n2, self.c2 = nn.BatchNorm2d(c), conv3(c, c, bias=False), nn.BatchNorm2d(c), conv3(c, c, bias=False)

    def forward(self, x):
        return x + self.c2(F.relu(self.n2(self.c1(F.relu(self.n1(x))))))


def w_rescnn():
    """cnn.DeepCNN({ blocks: 2, residual: true }): batch norm, channels [16, 32], flatten head."""
    net = nn.Sequential(conv3(1, 16, 2, bias=False), PreActBlock(16), nn.BatchNorm2d(16), nn.ReLU(), conv3(16, 32, 2, bias=False),
                        PreActBlock(32), nn.BatchNorm2d(32), nn.ReLU(), nn.Flatten(), nn.Linear(7 * 7 * 32, 10))
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    data = Batches([binary_images(8000).view(-1, 1, 28, 28), labels(8000)], 128)

    def step():
        x, y = data.next()
        adam_step(opt, F.cross_entropy(net(x), y))
    return step


def groups(c):
    """src/nn/group-norm.ts defaultGroups."""
    return next((g for g in (8, 4, 2) if c % g == 0 and c // g >= 4), 1)


class UResBlock(nn.Module):
    """src/models/unet/residual-block.ts: GN-SiLU-conv, + time bias, GN-SiLU-conv, 1x1 shortcut if widths differ."""

    def __init__(self, i, o, tdim):
        super().__init__()
        self.n1, self.c1 = nn.GroupNorm(groups(i), i), conv3(i, o)
        self.n2, self.c2 = nn.GroupNorm(groups(o), o), conv3(o, o)
        self.short = nn.Conv2d(i, o, 1) if i != o else None
        self.time = nn.Linear(tdim, o)

    def forward(self, x, temb):
        h = self.c1(F.silu(self.n1(x))) + self.time(F.silu(temb))[:, :, None, None]
        return (x if self.short is None else self.short(x)) + self.c2(F.silu(self.n2(h)))


class UNet(nn.Module):
    """src/models/unet/unet.ts with channels [16, 32, 32], one block per level, skips, conv downsampling, time 32."""

    def __init__(self, c=(16, 32, 32), emb=32):
        super().__init__()
        self.emb, td = emb, 4 * c[0]
        self.t1, self.t2 = nn.Linear(emb, td), nn.Linear(td, td)
        self.stem = conv3(1, c[0])
        L = len(c)
        self.down = nn.ModuleList([UResBlock(c[0] if l == 0 else c[l - 1], c[l], td) for l in range(L)])
        self.pool = nn.ModuleList([conv3(c[l], c[l], 2) for l in range(L - 1)])
        self.upconv = nn.ModuleList([conv3(c[l + 1], c[l]) for l in range(L - 1)])
        self.up = nn.ModuleList([UResBlock(2 * c[l], c[l], td) for l in range(L - 1)])
        self.hn, self.head = nn.GroupNorm(groups(c[0]), c[0]), conv3(c[0], 1)
        self.register_buffer("freqs", torch.pow(10000.0, -torch.arange(emb // 2) / (emb // 2)))

    def forward(self, x, t):
        ang = t.float()[:, None] * self.freqs
        temb = self.t2(F.silu(self.t1(torch.cat([torch.sin(ang), torch.cos(ang)], 1))))
        h, saved = self.stem(x), []
        for l, block in enumerate(self.down):
            h = block(h, temb)
            saved.append(h)
            if l < len(self.pool):
                h = self.pool[l](h)
        for l in range(len(self.up) - 1, -1, -1):
            h = self.upconv[l](F.interpolate(h, scale_factor=2, mode="nearest"))
            h = self.up[l](torch.cat([h, saved[l]], 1), temb)
        return self.head(F.silu(self.hn(h)))


def w_unet():
    """diffusion.DDPM with a NoiseUNet: eps-prediction loss, per-image sum of squares, batch mean."""
    T = 1000
    abar = torch.cumprod(1 - torch.linspace(1e-4, 0.02, T), 0)
    net = UNet()
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    data = Batches([binary_images(8000).view(-1, 1, 28, 28)], 32)

    def step():
        (x,) = data.next()
        t = torch.randint(1, T + 1, (x.shape[0],))
        eps = torch.randn_like(x)
        a = abar[t - 1].view(-1, 1, 1, 1)
        loss = ((net(a.sqrt() * x + (1 - a).sqrt() * eps, t) - eps) ** 2).sum((1, 2, 3)).mean()
        adam_step(opt, loss)
    return step


def w_gan():
    G = nn.Sequential(nn.Linear(64, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2), nn.Linear(512, 784), nn.Tanh())
    D = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
    optG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    data = Batches([binary_images(8000) * 2 - 1], 64)

    def step():
        (x,) = data.next()
        # discriminator: cross-entropy + R1 = gamma/2 E ||grad_x D(x)||^2 (gamma = 1), double backprop
        x = x.requires_grad_(True)
        dr = D(x)
        (gx,) = torch.autograd.grad(dr.sum(), x, create_graph=True)
        fake = G(torch.randn(x.shape[0], 64)).detach()
        lossD = F.softplus(-dr).mean() + F.softplus(D(fake)).mean() + 0.5 * (gx ** 2).sum(1).mean()
        adam_step(optD, lossD)
        # generator: non-saturating loss against the updated D
        adam_step(optG, F.softplus(-D(G(torch.randn(x.shape[0], 64)))).mean())
    return step


class Block(nn.Module):
    """src/models/transformer/block.ts: pre-LN, separate q/k/v/out projections with biases, ReLU MLP."""

    def __init__(self, d, h, ff):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, ff), nn.Linear(ff, d)

    def forward(self, x, mask):
        B, L, D = x.shape
        a = self.ln1(x)
        split = lambda t: t.view(B, L, self.h, D // self.h).transpose(1, 2)
        q, k, v = split(self.q(a)), split(self.k(a)), split(self.v(a))
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // self.h) + mask, -1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(B, L, D))
        return x + self.fc2(F.relu(self.fc1(self.ln2(x))))


def w_transformer():
    """transformer.CausalLanguageModel over the transformers notebook's decoder (vocabulary 768, context 32,
    width 64, 4 heads, 2 blocks, learned positions). Embedding by lookup (nn.Embedding), as the kit's
    workload and notebook do (gather)."""
    V, L, D, H = 768, 32, 64, 4
    tok, pos = nn.Embedding(V, D), nn.Parameter(torch.randn(L, D) * 0.02)
    blocks = nn.ModuleList([Block(D, H, 4 * D) for _ in range(2)])
    lnf, head = nn.LayerNorm(D), nn.Linear(D, V)
    params = list(tok.parameters()) + [pos] + list(blocks.parameters()) + list(lnf.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, 1e-3)
    mask = torch.triu(torch.full((L, L), -1e9), 1)
    data = Batches([torch.randint(0, V, (4096, L + 1))], 32)

    def step():
        (ids,) = data.next()
        h = tok(ids[:, :-1]) + pos
        for b in blocks:
            h = b(h, mask)
        adam_step(opt, F.cross_entropy(head(lnf(h)).reshape(-1, V), ids[:, 1:].reshape(-1)))
    return step


WORKLOADS = {
    "mlp": w_mlp, "bnn": w_bnn, "vae": w_vae(512, 16), "vae2d": w_vae(256, 2), "flows": w_flows,
    "rbm": w_rbm, "diffusion": w_diffusion, "cnn": w_cnn,
    "rescnn": w_rescnn, "unet": w_unet, "gan": w_gan, "transformer": w_transformer,
}

# (use, batch, m, k, n) as in run.ts
MATMUL_SHAPES = [
    ("mlp/vae encoder", 1, 128, 784, 512), ("vae decoder", 1, 128, 512, 784), ("rbm", 1, 100, 784, 64),
    ("diffusion", 1, 512, 128, 128), ("flows", 1, 256, 64, 64), ("bnn (K=8 samples)", 8, 256, 32, 32),
]


def timed(fn, runs, run_seconds, max_units=1000):
    fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-6)
    units = max(1, min(max_units, round(run_seconds / one)))
    rates = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(units):
            fn()
        rates.append(units / (time.perf_counter() - t0))
    return rates


def serve():
    """A persistent worker for interleaved timing (run.ts): JSON commands on stdin, one JSON line out each.
    {"cmd": "info"}; {"cmd": "build", "id": ..., "name": ..., "threads": n} (builds and runs one warm-up
    step); {"cmd": "run", "id": ..., "units": n} -> {"seconds": s} for n steps at the build's thread count;
    {"cmd": "drop", "id": ...}. Errors come back as {"error": "..."}."""
    import sys
    steps = {}
    blas = next((line.split("BLAS_INFO=")[1].split(",")[0] for line in torch.__config__.show().splitlines() if "BLAS_INFO=" in line), "?")
    debian = torch.__file__.startswith("/usr/lib/python3/dist-packages")
    origin = "Debian python3-torch (old release, system BLAS)" if debian else "PyPI wheel"
    for line in sys.stdin:
        try:
            msg = json.loads(line)
            cmd = msg["cmd"]
            if cmd == "info":
                out = {"version": torch.__version__, "blas": blas, "origin": origin}
            elif cmd == "build":
                torch.set_num_threads(msg["threads"])
                torch.manual_seed(0)
                step = WORKLOADS[msg["name"]]()
                step()
                steps[msg["id"]] = (step, msg["threads"])
                out = {"ok": True}
            elif cmd == "run":
                step, threads = steps[msg["id"]]
                torch.set_num_threads(threads)
                t0 = time.perf_counter()
                for _ in range(msg["units"]):
                    step()
                out = {"seconds": time.perf_counter() - t0}
            elif cmd == "drop":
                steps.pop(msg["id"], None)
                out = {"ok": True}
            else:
                out = {"error": f"unknown command {cmd}"}
        except Exception as e:  # reported to the caller, which labels the column
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--serve", action="store_true")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--only", default="")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    if args.serve:
        return serve()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    runs, run_seconds = (3, 0.4) if args.quick else (5, 1.0)
    only = [o for o in args.only.split(",") if o]
    blas = next((line.split("BLAS_INFO=")[1].split(",")[0] for line in torch.__config__.show().splitlines() if "BLAS_INFO=" in line), "?")
    debian = torch.__file__.startswith("/usr/lib/python3/dist-packages")
    if debian:
        # Debian's python3-torch links the system libblas.so.3: name the implementation it resolves to.
        blas = f"{blas} ({os.path.realpath('/usr/lib/x86_64-linux-gnu/libblas.so.3')})"
    origin = "Debian python3-torch (old release, system BLAS)" if debian else "PyPI wheel"
    out = {"version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas, "origin": origin,
           "workloads": {}, "matmul": []}
    for name, make in WORKLOADS.items():
        if only and name not in only:
            continue
        step = make()
        out["workloads"][name] = stat(timed(step, runs, run_seconds, 200))
    if not only or "matmul" in only:
        for use, batch, m, k, n in MATMUL_SHAPES:
            lead = (batch,) if batch > 1 else ()
            x, W, dy = torch.randn(*lead, m, k), torch.randn(*lead, k, n), torch.randn(*lead, m, n)
            flops = 2 * batch * m * k * n
            for product, fn in (
                ("fwd x·W", lambda: torch.matmul(x, W)),
                ("dW xᵀ·dy", lambda: torch.matmul(x.transpose(-1, -2), dy)),
                ("dx dy·Wᵀ", lambda: torch.matmul(dy, W.transpose(-1, -2))),
            ):
                rates = timed(fn, runs, run_seconds / 3)
                out["matmul"].append({"use": use, "product": product, "gflops": stat([r * flops / 1e9 for r in rates])})
    if args.json:
        print("TORCH_RESULT " + json.dumps(out))
    else:
        print(f"torch {out['version']}, {out['threads']} thread(s), BLAS {out['blas']}")
        for name, s in out["workloads"].items():
            print(f"{name:10s} {s['median']:8.1f} steps/s [{s['min']:.1f}-{s['max']:.1f}]")
        for r in out["matmul"]:
            print(f"{r['use']:20s} {r['product']:10s} {r['gflops']['median']:7.2f} GFLOP/s")


if __name__ == "__main__":
    main()
