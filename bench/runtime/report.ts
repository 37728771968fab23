// Prints the runtime bench as one table: each system's figure per shape, with the target beside it.
import { TARGETS, type SystemResult } from "./shapes.ts";

const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - s.length));

export function renderReport(results: SystemResult[]): string {
  // With two systems, how many times faster the first (weir) is than the second (the peer).
  const ratio = results.length === 2;
  const rows: string[][] = [["measure", "target", ...results.map((r) => r.system), ...(ratio ? ["peer ÷ weir"] : [])]];
  for (const shape of ["fan-out 1,000", "chain 100, first run", "chain 100", "fan-out 10,000", "fan-out 10,000, live follower"] as const) {
    const target = TARGETS[shape];
    rows.push([
      `${shape} (s)`,
      target?.text ?? "",
      ...results.map((r) => {
        const s = r.shapes.find((x) => x.shape === shape);
        if (!s) return "n/a";
        return target ? mark(s.seconds.toFixed(3), s.seconds < target.value) : s.seconds.toFixed(3);
      }),
      ...(ratio ? [speedup(results, shape)] : []),
    ]);
  }
  rows.push(["chain p50 ready→started (ms)", "", ...results.map((r) => r.p50ReadyToStartMs.toFixed(2))]);
  rows.push([
    "chain p99 ready→started (ms)",
    TARGETS.p99!.text,
    ...results.map((r) => mark(r.p99ReadyToStartMs.toFixed(2), r.p99ReadyToStartMs < TARGETS.p99!.value)),
  ]);
  rows.push(["fan-out 10,000 wait p50/p99 (ms)", "", ...results.map((r) => `${r.fanOutWait.p50Ms.toFixed(0)} / ${r.fanOutWait.p99Ms.toFixed(0)}`)]);
  rows.push(["RSS after 10,000 (MB)", TARGETS.rss!.text, ...results.map((r) => mark(r.rssMb.toFixed(0), r.rssMb < TARGETS.rss!.value))]);
  for (const r of rows) while (r.length < rows[0]!.length) r.push("");
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => pad(c, widths[i]!))
      .join("  ")
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const notes = results.flatMap((r) => r.notes.map((n) => `  - ${n}`));
  return [...lines, "", "notes:", ...notes].join("\n");
}

function speedup(results: SystemResult[], shape: string): string {
  const [a, b] = results.map((r) => r.shapes.find((x) => x.shape === shape)?.seconds);
  return a && b ? `${(b / a).toFixed(1)}×` : "";
}

function mark(text: string, ok: boolean): string {
  return `${text} ${ok ? "ok" : "MISS"}`;
}
