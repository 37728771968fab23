// GPU discovery: `--gpus auto` asks nvidia-smi; `--gpus N` declares devices 0..N-1 without probing.
import { execFile } from "node:child_process";
import { create } from "@bufbuild/protobuf";
import { GpuDeviceSchema } from "../../proto/index.ts";
import type { GpuDevice } from "../../proto/index.ts";

const QUERY = ["--query-gpu=index,uuid,name,memory.total", "--format=csv,noheader,nounits"];

/** Parses nvidia-smi's CSV (memory in MiB) into GpuDevices. */
export function parseNvidiaSmi(text: string): GpuDevice[] {
  const devices: GpuDevice[] = [];
  for (const line of text.split("\n")) {
    const parts = line.split(",").map((p) => p.trim());
    if (parts.length < 4 || !/^\d+$/.test(parts[0])) continue;
    const mib = Number.parseInt(parts[3], 10);
    devices.push(
      create(GpuDeviceSchema, {
        index: Number(parts[0]),
        uuid: parts[1],
        name: parts[2],
        memoryBytes: BigInt(Number.isFinite(mib) ? mib : 0) * 1024n * 1024n,
      }),
    );
  }
  return devices;
}

export interface GpuDiscovery {
  devices: GpuDevice[];
  /** What happened, for the worker's log ("found 2 GPUs", "nvidia-smi not found: 0 GPUs"). */
  note: string;
}

/**
 * `declaredName` names the devices `--gpus N` declares (`--gpu-name`): a task's gpuType matches
 * against it as against nvidia-smi's names; without it they are "declared" and match no gpuType.
 */
export async function discoverGpus(spec: "auto" | number, options: { nvidiaSmi?: string; declaredName?: string } = {}): Promise<GpuDiscovery> {
  const nvidiaSmi = options.nvidiaSmi ?? "nvidia-smi";
  if (spec !== "auto") {
    const name = options.declaredName || "declared";
    const devices = Array.from({ length: spec }, (_, index) => create(GpuDeviceSchema, { index, name }));
    return { devices, note: `declared ${spec} GPU(s) (--gpus ${spec}${options.declaredName ? ` --gpu-name "${name}"` : ""}), not probed` };
  }
  return new Promise((resolve) => {
    execFile(nvidiaSmi, QUERY, { timeout: 10_000 }, (err, stdout) => {
      if (err) {
        resolve({ devices: [], note: `no GPUs: ${nvidiaSmi} failed (${err.message.split("\n")[0]}); this worker offers 0 GPUs` });
        return;
      }
      const devices = parseNvidiaSmi(stdout);
      resolve({
        devices,
        note: devices.length
          ? `found ${devices.length} GPU(s): ${devices.map((d) => `${d.index} ${d.name}`).join(", ")}`
          : "nvidia-smi listed no GPUs; this worker offers 0 GPUs",
      });
    });
  });
}

/**
 * The environment that gives a task process exactly its devices. nvidia-smi numbers devices in PCI
 * bus order and CUDA, by default, fastest first: PCI_BUS_ID makes the indexes mean the same device.
 * An attempt given none gets an empty list, which hides every GPU from it.
 */
export function gpuEnv(gpus: readonly number[]): { CUDA_VISIBLE_DEVICES: string; CUDA_DEVICE_ORDER: string } {
  return { CUDA_VISIBLE_DEVICES: gpus.join(","), CUDA_DEVICE_ORDER: "PCI_BUS_ID" };
}
