// `npm run bench:runtime [-- --store postgres [--replicas 1,3]] [-- weir|peer]`: weir's runtime
// against a peer on the same shapes, in one run. On SQLite (the default) the peer is BullMQ on the
// local Redis; with `--store postgres` weir runs on the local PostgreSQL (once per replica count)
// and the peer is Graphile Worker on the same server. Not a test.
import { parseArgs } from "node:util";
import { renderReport } from "./report.ts";
import type { SystemResult } from "./shapes.ts";

const { values, positionals } = parseArgs({
  options: { store: { type: "string", default: "sqlite" }, replicas: { type: "string", default: "1" } },
  allowPositionals: true,
});
const replicaCounts = values.replicas.split(",").map(Number);
if (replicaCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--replicas takes counts such as 1,3, not '${values.replicas}'`);
const store = values.store;
if (store !== "sqlite" && store !== "postgres") throw new Error(`--store must be sqlite or postgres, not '${store}'`);
const only = positionals[0];
if (only !== undefined && only !== "weir" && only !== "peer" && only !== "bullmq" && only !== "graphile") {
  throw new Error(`run 'weir' or 'peer' alone, or both with no argument; not '${only}'`);
}
const results: SystemResult[] = [];
if (only === undefined || only === "weir") {
  const { benchWeir } = await import("./weir.ts");
  for (const n of replicaCounts) results.push(await benchWeir(store, undefined, n));
}
if (only !== "weir") {
  if (store === "postgres") results.push(await (await import("./graphile.ts")).benchGraphile());
  else results.push(await (await import("./bullmq.ts")).benchBullmq());
}
process.stdout.write(`${renderReport(results)}\n`);
