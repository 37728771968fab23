// Resource matching: how many GPU devices a task asks for and which devices its `gpuType` takes.
// The scheduler dispatches with it and `weir status` explains queued tasks with it, so both read a
// task's resources and a device name the same way.
import type { Resources } from "../proto/messages.ts";

/** The devices a task asks for: its `gpu`, or one where it names only a gpuType. */
export function gpusWanted(r: Resources | undefined): number {
  return r?.gpu || (r?.gpuType ? 1 : 0);
}

/**
 * Whether a device named by nvidia-smi ("NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB") is of a
 * task's gpuType ("h100", "A100", "nvidia-tesla-a100"): ignoring case, spaces, dashes and a leading
 * vendor word, the type is part of the name and not the start of a longer model number ("a10" is
 * not an A100).
 */
export function gpuTypeMatches(deviceName: string, gpuType: string): boolean {
  const norm = (s: string) =>
    s
      .toLowerCase()
      .replace(/[\s_-]+/g, " ")
      .trim()
      .replace(/^(nvidia )?(tesla )?/, "");
  const name = norm(deviceName),
    type = norm(gpuType);
  if (!type) return false;
  for (let at = name.indexOf(type); at >= 0; at = name.indexOf(type, at + 1)) {
    if (!/\d/.test(name.charAt(at + type.length)) || !/\d$/.test(type)) return true;
  }
  return false;
}
