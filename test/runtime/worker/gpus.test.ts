// GPU discovery: `--gpus auto` reads nvidia-smi (here a script standing in for it, printing what
// nvidia-smi prints on an H100 machine), `--gpus N` declares devices, named by `--gpu-name` so a
// task's gpuType can match them.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { gpuTypeMatches } from "../../../core/index.ts";
import { discoverGpus, gpuEnv } from "../../../runtime/worker/gpus.ts";

const REPO = resolve(fileURLToPath(import.meta.url), "../../../..");

describe("discoverGpus", () => {
  it("reads nvidia-smi's devices: index, uuid, name and memory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-gpus-"));
    const smi = join(dir, "nvidia-smi");
    writeFileSync(
      smi,
      "#!/bin/sh\necho '0, GPU-32927d81-ba2e-176b-0d3a-e5efb55fa6df, NVIDIA H100 80GB HBM3, 81559'\necho '1, GPU-00000000-0000-0000-0000-000000000001, NVIDIA A100-SXM4-40GB, 40960'\n",
    );
    chmodSync(smi, 0o755);
    const found = await discoverGpus("auto", { nvidiaSmi: smi });
    expect(found.devices.map((d) => [d.index, d.uuid, d.name, Number(d.memoryBytes / 1024n / 1024n)])).toEqual([
      [0, "GPU-32927d81-ba2e-176b-0d3a-e5efb55fa6df", "NVIDIA H100 80GB HBM3", 81559],
      [1, "GPU-00000000-0000-0000-0000-000000000001", "NVIDIA A100-SXM4-40GB", 40960],
    ]);
    expect(found.note).toBe("found 2 GPU(s): 0 NVIDIA H100 80GB HBM3, 1 NVIDIA A100-SXM4-40GB");
  });

  it("offers no GPU, and says why, where nvidia-smi cannot run", async () => {
    const found = await discoverGpus("auto", { nvidiaSmi: "/nonexistent/nvidia-smi" });
    expect(found.devices).toEqual([]);
    expect(found.note).toMatch(/^no GPUs: \/nonexistent\/nvidia-smi failed .*; this worker offers 0 GPUs$/);
  });

  it("declares N devices, named by --gpu-name so that a gpuType matches them", async () => {
    const unnamed = await discoverGpus(2);
    expect(unnamed.devices.map((d) => `${d.index} ${d.name}`)).toEqual(["0 declared", "1 declared"]);
    expect(gpuTypeMatches(unnamed.devices[0]!.name, "a100")).toBe(false);
    const named = await discoverGpus(2, { declaredName: "NVIDIA A100" });
    expect(named.devices.map((d) => d.name)).toEqual(["NVIDIA A100", "NVIDIA A100"]);
    expect(named.note).toBe('declared 2 GPU(s) (--gpus 2 --gpu-name "NVIDIA A100"), not probed');
    expect(gpuTypeMatches(named.devices[1]!.name, "a100")).toBe(true);
  });

  it("gives a task process exactly its devices, numbered as nvidia-smi numbers them", () => {
    expect(gpuEnv([1, 3])).toEqual({ CUDA_VISIBLE_DEVICES: "1,3", CUDA_DEVICE_ORDER: "PCI_BUS_ID" });
    expect(gpuEnv([]).CUDA_VISIBLE_DEVICES).toBe("");
  });
});

describe("weir worker --gpu-name", () => {
  it("is refused, saying why, where --gpus declares no devices", () => {
    const result = spawnSync(process.execPath, [join(REPO, "bin", "weir.js"), "worker", "--server", "127.0.0.1:1", "--gpus", "auto", "--gpu-name", "A100"], {
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--gpu-name names the devices --gpus N declares; with --gpus auto there are none to name (nvidia-smi names what it finds)");
  });
});
