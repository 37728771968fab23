// The chaos suite's short form inside `npm test` (the long form is `npm run chaos`): real runtime
// and worker processes killed, stopped and fuzzed; every figure must meet its target. About 70-80 s
// on two busy cores when the runtime behaves; the timeout only bounds a runtime that stalls.
import { afterAll, expect, test } from "vitest";
import { stopAll } from "./cluster.ts";
import { CHAOS_PROFILES } from "./profiles.ts";
import { failures, formatReport } from "./report.ts";
import { runChaos } from "./suite.ts";

afterAll(stopAll);

test("chaos, short form: nothing lost, nothing run again, workers back within 2 s, SIGTERM exits 0, fuzz answered", async () => {
  const report = await runChaos(CHAOS_PROFILES.short, { say: (line) => process.stderr.write(`[chaos] ${line}\n`) });
  process.stdout.write(`${formatReport(report)}\n`);
  expect(failures(report)).toEqual([]);
}, 480_000);
