// `weir demo` itself, end to end: the ML pipeline on an embedded runtime and a real worker, the
// sensor waiting for a partition that lands later, train on the gpu pool, and a clean exit 0.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { REPO, runCli, TEST_STORE, tempDir } from "./harness.ts";

// A day no one else uses, so the demo's data and deployment can be removed afterwards.
const DAY = "2000-01-01";
const PROJECT = join(REPO, "examples", "ml-pipeline");

afterAll(() => {
  rmSync(join(PROJECT, "data", "incoming", DAY), { recursive: true, force: true });
  rmSync(join(PROJECT, "deployments", DAY), { recursive: true, force: true });
});

test("weir demo runs the ML pipeline to success and says where every output landed", async (ctx) => {
  // Its embedded runtime is on its own SQLite file whatever the suite's store; ml-pipeline.test.ts runs the pipeline on PostgreSQL.
  ctx.skip(TEST_STORE !== "sqlite", "weir demo always stores in SQLite");
  const cwd = tempDir("weir-e2e-demo-");
  const result = await runCli(["demo", "--day", DAY, "--rows", "800"], cwd);
  const out = result.stdout;
  expect(result.code, `${out}\n${result.stderr}`).toBe(0);
  expect(out).toContain(`waiting for data/incoming/${DAY}/data.csv`);
  expect(out).toMatch(/landed \(800 rows\)/);
  for (const step of ["sensor", "ingest", "clean", "train", "validate"]) expect(out).toMatch(new RegExp(`✓ ${step}\\s+succeeded`));
  expect(out).toMatch(/ml_pipeline \S+\s+succeeded/);
  expect(out).toMatch(/accuracy\s+0\.\d+/);
  expect(out).toContain("where the outputs landed");
  expect(out).toMatch(/train\.model\s+\S+ \(/);
  // The demo's own state lives under the directory it ran in.
  expect(out).toContain("store .weir/weir.db");
}, 300_000);
