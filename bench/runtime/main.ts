// `npm run bench:runtime`: weir's runtime against BullMQ on the same shapes, in one run. Not a test.
import { benchBullmq } from "./bullmq.ts";
import { renderReport } from "./report.ts";
import type { SystemResult } from "./shapes.ts";

const only = process.argv[2];
const results: SystemResult[] = [];
if (only !== "bullmq") {
  const { benchWeir } = await import("./weir.ts");
  results.push(await benchWeir());
}
if (only !== "weir") results.push(await benchBullmq());
process.stdout.write(`${renderReport(results)}\n`);
