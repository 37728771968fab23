// The chaos suite's verdict and table: every figure issue 9 asks for, its target, and whether it
// holds. `failures()` lists what did not; the suite exits non-zero when the list is not empty.
import { percentile } from "../../bench/runtime/shapes.ts";
import { errorLine, type Exit } from "./cluster.ts";
import { CHAOS_LIMITS } from "./profiles.ts";
import type { ChaosReport } from "./suite.ts";

export interface Reconnects {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function reconnects(report: ChaosReport): Reconnects {
  const sorted = report.reconnects.map((r) => r.ms).sort((p, q) => p - q);
  return { samples: sorted.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? Number.NaN };
}

const exitText = (e: Exit | "no exit"): string => (e === "no exit" ? "no exit" : e.signal ? `signal ${e.signal}` : `exit ${e.code}`);
const exitedZero = (e: Exit | "no exit"): boolean => e !== "no exit" && e.code === 0;

/** What failed, one line each; empty when the run passes. */
export function failures(report: ChaosReport): string[] {
  const out: string[] = [];
  for (const i of report.incidents) out.push(`incident: ${i.split("\n")[0]}`);
  if (report.mode === "full") out.push(...clusterFailures(report));
  const z = report.fuzz;
  if (!z) out.push("the fuzz phase did not run");
  else {
    if (z.hangs) out.push(`${z.hangs} fuzz calls hung until their deadline`);
    if (z.internal || z.unknown) out.push(`fuzz: ${z.internal} INTERNAL, ${z.unknown} UNKNOWN`);
    if (z.runtimeDeaths) out.push(`the runtime died ${z.runtimeDeaths} times under fuzz`);
  }
  return out;
}

function clusterFailures(report: ChaosReport): string[] {
  const out: string[] = [];
  const f = report.findings;
  if (!f) out.push("no final state could be read");
  else {
    if (f.executionsLost.length) out.push(`${f.executionsLost.length} executions lost`);
    if (f.nodesLost.length) out.push(`${f.nodesLost.length} nodes lost`);
    if (f.rerunsAfterSuccess.length) out.push(`${f.rerunsAfterSuccess.length} task bodies run again after their success was recorded`);
    if (f.lostWhileLived.length) out.push(`${f.lostWhileLived.length} attempts marked LOST while their worker lived`);
  }
  if (report.crashes.length)
    out.push(`${report.crashes.length} processes crashed (${[...new Set(report.crashes.map((c) => c.name.split("#")[0]))].join(", ")})`);
  if (report.runtimeKills.survived < report.runtimeKills.attempted)
    out.push(`runtime kills survived ${report.runtimeKills.survived}/${report.runtimeKills.attempted}`);
  const r = reconnects(report);
  if (r.samples === 0) out.push("no worker reconnect was measured");
  else if (!(r.p99Ms < CHAOS_LIMITS.reconnectP99Ms)) out.push(`worker reconnect p99 ${r.p99Ms} ms ≥ ${CHAOS_LIMITS.reconnectP99Ms} ms`);
  if (report.runtimeSigterm.length === 0 || !report.runtimeSigterm.every(exitedZero))
    out.push(`runtime SIGTERM: ${report.runtimeSigterm.map(exitText).join(", ") || "never sent"}`);
  if (report.workerSigterm.length === 0 || !report.workerSigterm.every(exitedZero))
    out.push(`worker SIGTERM: ${report.workerSigterm.map(exitText).join(", ") || "never sent"}`);
  return out;
}

/** The table, then up to `examples` examples of each kind of failure. */
export function formatReport(report: ChaosReport, examples = 8): string {
  const f = report.findings;
  const z = report.fuzz;
  const r = reconnects(report);
  const mark = (ok: boolean): string => (ok ? "ok" : "FAIL");
  const n = (x: number | undefined): string => (x === undefined ? "?" : String(x));
  const rows: string[][] = [["measure", "value", "target", ""]];
  const row = (measure: string, value: string, target: string, ok?: boolean): void =>
    void rows.push([measure, value, target, ok === undefined ? "" : mark(ok)]);
  row(
    "runtime SIGKILLs survived",
    `${report.runtimeKills.survived}/${report.runtimeKills.attempted}`,
    "all",
    report.runtimeKills.survived === report.runtimeKills.attempted,
  );
  row("worker SIGKILLs / SIGSTOPs", `${report.workerKills} / ${report.workerStops}`, "");
  row("processes crashed (exited unasked)", String(report.crashes.length), "0", report.crashes.length === 0);
  row(
    "runtime restarts; longest time down (s)",
    report.outagesMs.length ? `${report.outagesMs.length}; ${(Math.max(...report.outagesMs) / 1000).toFixed(1)}` : "-",
    "",
  );
  row("executions lost (not SUCCEEDED)", f ? `${f.executionsLost.length} of ${report.executions}` : "?", "0", f && f.executionsLost.length === 0);
  row("nodes lost (item not SUCCEEDED/CACHED or output missing)", f ? `${f.nodesLost.length} of ${f.nodesChecked}` : "?", "0", f && f.nodesLost.length === 0);
  row(
    "task bodies run again after success recorded",
    f ? `${f.rerunsAfterSuccess.length} (of ${f.bodies} bodies)` : "?",
    "0",
    f && f.rerunsAfterSuccess.length === 0,
  );
  row("attempts LOST while their worker lived", f ? n(f.lostWhileLived.length) : "?", "0", f && f.lostWhileLived.length === 0);
  row("  of all LOST: explained by a worker fault / 'reconnected without'", f ? `${f.lostExplained} / ${f.reconnectedWithout}` : "?", "");
  row(
    "worker reconnect after runtime listens p50 / p99 (ms)",
    r.samples ? `${r.p50Ms} / ${r.p99Ms} (max ${r.maxMs}, n=${r.samples})` : "-",
    `p99 < ${CHAOS_LIMITS.reconnectP99Ms}`,
    r.samples > 0 && r.p99Ms < CHAOS_LIMITS.reconnectP99Ms,
  );
  const outage = report.reconnects.filter((x) => x.cause === "outage").map((x) => x.ms);
  if (outage.length) row("  after the outage (ms)", outage.join(", "), "");
  row(
    "runtime SIGTERM exit",
    report.runtimeSigterm.map(exitText).join(", ") || "-",
    "0",
    report.runtimeSigterm.length > 0 && report.runtimeSigterm.every(exitedZero),
  );
  row(
    "worker SIGTERM exit",
    report.workerSigterm.map(exitText).join(", ") || "-",
    "0",
    report.workerSigterm.length > 0 && report.workerSigterm.every(exitedZero),
  );
  if (z) {
    row("fuzz calls", `${z.calls}${z.stoppedEarly ? ` of ${report.profile.fuzzCalls} (stopped ${z.stoppedEarly})` : ""}`, "");
    row("RSS before / peak / after / after 5 s idle (MB)", [z.rssBeforeMb, z.rssPeakMb, z.rssAfterMb, z.rssSettledMb].map((x) => x.toFixed(0)).join(" / "), "");
    row(
      "fuzz status codes",
      Object.entries(z.byCode)
        .sort((p, q) => q[1] - p[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(", "),
      "",
    );
    row("fuzz hangs (deadline hit)", String(z.hangs), "0", z.hangs === 0);
    row("fuzz INTERNAL / UNKNOWN", `${z.internal} / ${z.unknown}`, "0", z.internal + z.unknown === 0);
    row("runtime deaths under fuzz", String(z.runtimeDeaths), "0", z.runtimeDeaths === 0);
    row("slowest fuzz call (ms)", z.slowest ? `${z.slowestMs} (${z.slowest.method}, ${z.slowest.mutation}, ${z.slowest.bytes} B, ${z.slowest.code})` : "-", "");
  } else row("fuzz", "did not run", "", false);
  row("duration (s)", (report.durationMs / 1000).toFixed(0), "");

  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((x) => x[i]!.length)));
  const lines = rows.map((x) =>
    x
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));

  const details: string[] = [];
  const some = <T>(title: string, list: readonly T[] | undefined, show: (x: T) => string): void => {
    if (!list?.length) return;
    details.push(`${title} (${list.length}):`);
    for (const x of list.slice(0, examples)) details.push(`  - ${show(x)}`);
    if (list.length > examples) details.push(`  … ${list.length - examples} more`);
  };
  const iso = (ms: number): string => new Date(ms).toISOString().slice(11, 23);
  some("incidents", report.incidents, (i) => i.split("\n").slice(0, 3).join(" | "));
  some("crashes", report.crashes, (c) => `${c.name} at ${iso(c.at)}: ${c.exit.signal ?? `exit ${c.exit.code}`}: ${errorLine(c.tail)}`);
  some("SIGTERMs that did not exit 0", report.sigtermNotes, (n) => n);
  some("executions lost", f?.executionsLost, (e) => `${e.id} (${e.phase}): ${e.state}${e.error ? ` — ${e.error}` : ""}`);
  some("nodes lost", f?.nodesLost, (x) => `${x.execution} ${x.node}: ${x.why}`);
  some(
    "bodies run again after their success was recorded",
    f?.rerunsAfterSuccess,
    (x) =>
      `${x.execution} ${x.node}: attempt ${x.attempt} completed at ${iso(x.at)} by ${x.ranBy}; attempt ${x.recordedAttempt} ${x.recordedBy} at ${iso(x.recordedAt)}`,
  );
  some(
    "attempts LOST while their worker lived",
    f?.lostWhileLived,
    (x) => `${x.execution} ${x.node} attempt ${x.attempt} on ${x.worker}: ${x.error} [${x.context}]`,
  );
  some("fuzz hangs, INTERNAL and UNKNOWN", z?.examples, (c) => `${c.method} ${c.mutation} ${c.bytes} B → ${c.code} after ${c.ms} ms: ${c.details}`);
  for (const [i, d] of (z?.deaths ?? []).entries()) {
    details.push(`fuzz runtime death #${i + 1} at ${iso(d.at)} (${d.exit.signal ?? `exit ${d.exit.code}`}); its last output:`);
    for (const line of d.lastOutput.split("\n")) details.push(`    ${line.slice(0, 300)}`);
    some(`  calls in flight then`, d.inFlight, (c) => `${c.method} ${c.mutation} ${c.bytes} B`);
  }

  const verdict = failures(report);
  return [
    `weir chaos, ${report.profile.name} form${report.mode === "fuzz-only" ? ", fuzz only" : ""} (seed ${report.seed}; ${report.profile.workers} workers × concurrency ${report.profile.workerConcurrency}):`,
    "",
    ...lines,
    ...(details.length ? ["", ...details] : []),
    "",
    verdict.length ? `FAILED: ${verdict.join("; ")}` : "PASSED",
    verdict.length ? `logs and SQLite files: ${report.dir}` : "",
  ]
    .join("\n")
    .trimEnd();
}
