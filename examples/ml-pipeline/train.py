"""Trains a small logistic-regression churn model with the standard library only.

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

print(f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '')!r}", flush=True)

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
