"""Trains a small logistic-regression churn model: on the GPU this attempt was given where PyTorch
with CUDA is installed (mini-batches), else on the CPU with the standard library (per-row SGD).

Contract with the weir worker: $WEIR_MANIFEST (inputs.json) holds the scalar inputs and, for each
dataframe, {"path": <name>.arrow, "csv": <name>.csv}; outputs go to $WEIR_OUTPUTS_DIR
(outputs.json, plus files named in it). CUDA_VISIBLE_DEVICES names the GPU this attempt was given.
"""
import csv
import json
import math
import os
import sys

outputs_dir = os.environ["WEIR_OUTPUTS_DIR"]
with open(os.environ["WEIR_MANIFEST"]) as f:
    inputs = json.load(f)

visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
try:
    import torch
except ImportError:
    torch = None
on_gpu = torch is not None and visible != "" and torch.cuda.is_available()
if on_gpu:
    print(f"training on cuda:0 = {torch.cuda.get_device_name(0)} (CUDA_VISIBLE_DEVICES={visible!r}, PyTorch {torch.__version__})", flush=True)
else:
    why = "PyTorch is not installed" if torch is None else "no GPU was given" if visible == "" else "CUDA sees no device"
    print(f"training on the CPU ({why}; CUDA_VISIBLE_DEVICES={visible!r})", flush=True)

rows = []
with open(inputs["data"]["csv"]) as f:
    for r in csv.DictReader(f):
        rows.append(([float(r["age"]) / 100, float(r["sessions"]) / 50, float(r["spend"]) / 500],
                     1.0 if r["churned"] in ("true", "1", "True") else 0.0))
if not rows:
    print("no training rows", file=sys.stderr)
    sys.exit(3)

epochs = int(inputs["epochs"])
lr = float(inputs["learningRate"])
w = [0.0, 0.0, 0.0]
b = 0.0


def predict(x):
    z = b + sum(wi * xi for wi, xi in zip(w, x))
    return 1 / (1 + math.exp(-z))


if on_gpu:
    # Mini-batches of 64 rows, the mean gradient, a step of the per-row rate × √64 (the usual
    # square-root scaling): the same model family and about the same accuracy, in 1/64 of the steps.
    batch = 64
    f64 = dict(dtype=torch.float64, device="cuda:0")
    X = torch.tensor([x for x, _ in rows], **f64)
    Y = torch.tensor([y for _, y in rows], **f64)
    w_t = torch.zeros(3, **f64)
    b_t = torch.zeros((), **f64)
    step = lr * math.sqrt(batch)
    for epoch in range(epochs):
        loss_t = torch.zeros((), **f64)
        for i in range(0, len(rows), batch):
            x, y = X[i:i + batch], Y[i:i + batch]
            p = torch.sigmoid(x @ w_t + b_t)
            loss_t -= (y * torch.log(p.clamp(min=1e-9)) + (1 - y) * torch.log((1 - p).clamp(min=1e-9))).sum()
            g = (p - y) / len(y)
            w_t -= step * (x.T @ g)
            b_t -= step * g.sum()
        loss = float(loss_t)
        print(f"epoch {epoch + 1}/{epochs} loss {loss / len(rows):.4f}", flush=True)
    w, b = w_t.tolist(), float(b_t)
else:
    for epoch in range(epochs):
        loss = 0.0
        for x, y in rows:
            p = predict(x)
            loss -= y * math.log(max(p, 1e-9)) + (1 - y) * math.log(max(1 - p, 1e-9))
            g = p - y
            w = [wi - lr * g * xi for wi, xi in zip(w, x)]
            b -= lr * g
        print(f"epoch {epoch + 1}/{epochs} loss {loss / len(rows):.4f}", flush=True)

correct = sum(1 for x, y in rows if (predict(x) >= 0.5) == (y == 1.0))
metrics = {"accuracy": correct / len(rows), "loss": loss / len(rows), "rows": len(rows)}
with open(os.path.join(outputs_dir, "model.json"), "w") as f:
    json.dump({"weights": w, "bias": b, "features": ["age", "sessions", "spend"]}, f)
with open(os.path.join(outputs_dir, "outputs.json"), "w") as f:
    json.dump({"model": {"path": "model.json"}, "metrics": metrics}, f)
print(f"accuracy {metrics['accuracy']:.3f} on {len(rows)} rows", flush=True)
