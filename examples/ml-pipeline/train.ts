// Step 3: train on the GPU pool. A command task: the worker hands the inputs over as files
// (Arrow IPC + CSV + inputs.json) and reads outputs.json back, so any language can train.
import { t, task } from "weir";
import { Metrics, ModelFile, TrainingSet } from "./schemas.ts";

export const train = task.command({
  name: "train",
  command: ["python3", "train.py"],
  cwd: ".",
  inputs: { data: TrainingSet, epochs: t.int(), learningRate: t.float() },
  outputs: { model: ModelFile, metrics: Metrics },
  resources: { pool: "gpu", gpu: 1, cpu: 2, memory: "4Gi" },
  retries: 2,
  timeout: "2h",
  interruptible: true,
  cache: { version: "logreg-v1" },
});
