// Step 5: publish the model (or keep the current one when validation failed).
import { copyFile, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { t, task } from "weir";
import { ModelFile } from "./schemas.ts";

export const deploy = task(
  {
    name: "deploy",
    inputs: { model: ModelFile, day: t.date() },
    outputs: { location: t.string() },
    retries: 2,
  },
  async ({ model, day }, ctx) => {
    const dir = resolve("deployments", day);
    await mkdir(dir, { recursive: true });
    const location = join(dir, "model.json");
    await copyFile(model.path, location);
    ctx.log(`deployed ${location}`);
    return { location };
  },
);

export const holdBack = task(
  {
    name: "hold_back",
    inputs: { report: t.string() },
    outputs: { location: t.string() },
  },
  ({ report }, ctx) => {
    ctx.log(`not deploying: ${report}`);
    return { location: `not deployed (${report})` };
  },
);
