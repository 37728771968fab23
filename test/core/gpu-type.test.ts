// Which GPU devices a task's gpuType takes (the scheduler's and `weir status`'s one rule).
import { expect, it } from "vitest";
import { gpuTypeMatches } from "../../core/index.ts";

it("matches a model inside nvidia-smi's name, never the start of a longer model number", () => {
  expect(gpuTypeMatches("NVIDIA H100 80GB HBM3", "h100")).toBe(true);
  expect(gpuTypeMatches("NVIDIA A100-SXM4-40GB", "A100")).toBe(true);
  expect(gpuTypeMatches("NVIDIA A100-SXM4-40GB", "nvidia-tesla-a100")).toBe(true);
  expect(gpuTypeMatches("NVIDIA A100-SXM4-40GB", "a10")).toBe(false);
  expect(gpuTypeMatches("NVIDIA A10", "a10")).toBe(true);
  expect(gpuTypeMatches("declared", "a100")).toBe(false);
  expect(gpuTypeMatches("NVIDIA A100", "")).toBe(false);
});
