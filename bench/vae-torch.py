#!/usr/bin/env python3
"""PyTorch (CPU) reference for bench/ts/vae-train.ts: the genome VAE of src/ml/vae.ts with the same
architecture, loss, optimizer and batch, timed the same way.

Input: one JSON object on argv[1] or stdin, {"runs": [config, ...]} or a single config:
  {"inputDim": 2772, "hiddenDims": [512, 256], "latentDim": 32, "batchSize": 64, "threads": 1,
   "warmupSteps": 5, "windows": 5, "stepsPerWindow": 10, "maxSeconds": 8, "encodeBatch": 512,
   "encodeWindows": 5,
   "beta": 0.05, "leakyAlpha": 0.2, "learningRate": 0.001, "seed": 42, "label": "default"}
Output: one JSON object on stdout, {"torch": ..., "defaultThreads": ..., "results": [...]}.
For one real thread also set OMP_NUM_THREADS=1: torch.set_num_threads(1) alone still let the
backward pass use every core here (bench/ts/vae-train.ts does so).

Model (as vae.ts): [Linear -> BatchNorm1d(eps 1e-3, Keras momentum 0.99 = torch 0.01) ->
LeakyReLU(0.2)] per hidden layer, mean and log-variance heads (log-variance clipped to +-10),
z = mean + exp(logVar/2)*eps, mirrored decoder, Linear output. Loss: MSE over all features +
beta * KL / latentDim (KL summed over latent dimensions, averaged over the batch).
Adam(lr, betas 0.9/0.999, eps 1e-7 = tfjs's float32 epsilon). Inputs: normal(0, 1) "CLR-like"
rows, a pool of 8 batches.
"""
import json
import os
import statistics
import sys
import time

import torch
from torch import nn

LOG_VAR_CLIP = 10.0


class GenomeVae(nn.Module):
    def __init__(self, input_dim, hidden_dims, latent_dim, leaky_alpha):
        super().__init__()

        def block(i, o):
            return [nn.Linear(i, o), nn.BatchNorm1d(o, eps=1e-3, momentum=0.01), nn.LeakyReLU(leaky_alpha)]

        enc, prev = [], input_dim
        for w in hidden_dims:
            enc += block(prev, w)
            prev = w
        self.encoder = nn.Sequential(*enc)
        self.mean = nn.Linear(prev, latent_dim)
        self.log_var = nn.Linear(prev, latent_dim)
        dec, prev = [], latent_dim
        for w in reversed(hidden_dims):
            dec += block(prev, w)
            prev = w
        self.decoder = nn.Sequential(*dec, nn.Linear(prev, input_dim))
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def encode(self, x):
        h = self.encoder(x)
        return self.mean(h), torch.clamp(self.log_var(h), -LOG_VAR_CLIP, LOG_VAR_CLIP)

    def loss(self, x, eps, kl_weight):
        mean, log_var = self.encode(x)
        z = mean + torch.exp(0.5 * log_var) * eps
        x_hat = self.decoder(z)
        recon = torch.mean((x - x_hat) ** 2)
        kl = 0.5 * torch.mean(torch.sum(torch.exp(log_var) + mean**2 - log_var - 1, dim=1))
        return recon + kl_weight * kl / mean.shape[1]


def run(cfg):
    threads = int(cfg.get("threads", 1))
    torch.set_num_threads(threads)
    torch.manual_seed(int(cfg.get("seed", 42)))
    d, b, latent = int(cfg.get("inputDim", 2772)), int(cfg["batchSize"]), int(cfg["latentDim"])
    model = GenomeVae(d, cfg["hiddenDims"], latent, float(cfg.get("leakyAlpha", 0.2)))
    opt = torch.optim.Adam(model.parameters(), lr=float(cfg.get("learningRate", 1e-3)), betas=(0.9, 0.999), eps=1e-7)
    pool = torch.randn(8 * b, d)
    beta = float(cfg.get("beta", 0.05))
    state = {"i": 0}

    def step():
        i = state["i"] % 8
        state["i"] += 1
        x = pool[i * b : (i + 1) * b]
        eps = torch.randn(b, latent)
        opt.zero_grad(set_to_none=True)
        loss = model.loss(x, eps, beta)
        loss.backward()
        opt.step()
        return loss.item()

    model.train()
    for _ in range(int(cfg.get("warmupSteps", 5))):
        step()
    windows = []
    steps = int(cfg.get("stepsPerWindow", 10))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(int(cfg.get("windows", 5))):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        windows.append(steps * b / (time.perf_counter() - t0))
        if time.perf_counter() - wall0 > float(cfg.get("maxSeconds", 1e9)):
            break
    cpu_utilization = (time.process_time() - cpu0) / (time.perf_counter() - wall0)

    eb = int(cfg.get("encodeBatch", 512))
    xe = torch.randn(eb, d)
    model.eval()
    enc = []
    with torch.inference_mode():
        model.encode(xe)
        for _ in range(int(cfg.get("encodeWindows", 5))):
            t0 = time.perf_counter()
            model.encode(xe)[0].sum().item()
            enc.append(eb / (time.perf_counter() - t0))
    return {
        "label": cfg.get("label"),
        "batchSize": b,
        "threads": torch.get_num_threads(),
        "trainSamplesPerSec": statistics.median(windows),
        "trainWindows": windows,
        "cpuUtilization": cpu_utilization,
        "encodeSamplesPerSec": statistics.median(enc),
    }


def main():
    raw = sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read()
    spec = json.loads(raw)
    default_threads = torch.get_num_threads()
    runs = spec["runs"] if "runs" in spec else [spec]
    results = [run(c) for c in runs]
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "defaultThreads": default_threads,
                "ompNumThreads": os.environ.get("OMP_NUM_THREADS"),
                "mkldnn": torch.backends.mkldnn.is_available(),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
