// Human output of the CLI: state glyphs, durations, padded tables, literals, and the live
// progress of an execution (shared by `weir run --follow` and `weir demo`).
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import { createColors } from "picocolors";
import { formatDuration } from "../../core/index.ts";
import {
  ExecutionState,
  NodeState,
  type CompiledWorkflow,
  type Execution,
  type ExecutionEvent,
  type Literal,
  type LiteralSet,
  type Node,
  type NodeExecution,
} from "../../proto/index.ts";
import { executionStateName, nodeStateName, parseExecutionState } from "../../core/index.ts";

/** Colour only when a person is watching; pipes and CI logs get plain text. */
export const colors = createColors(Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);

export { executionStateName, nodeStateName, parseExecutionState };

export function isTerminalExecution(state: ExecutionState): boolean {
  return state === ExecutionState.SUCCEEDED || state === ExecutionState.FAILED || state === ExecutionState.TERMINATED;
}

/**
 * The attempt a node is on. A queued node whose last attempt has ended waits to retry: it is on the
 * next one. One whose last attempt is itself queued (waiting for a slot or a GPU) is on that one.
 */
function currentAttempt(node: NodeExecution): number {
  const last = node.attempts.at(-1);
  return node.state === NodeState.QUEUED && last && last.state !== NodeState.QUEUED ? node.attempts.length + 1 : node.attempts.length;
}

function isRetrying(node: NodeExecution, attempt: number): boolean {
  return node.state === NodeState.QUEUED && attempt > 1;
}

function glyph(state: NodeState, retrying: boolean): string {
  if (retrying) return colors.yellow("↻");
  switch (state) {
    case NodeState.SUCCEEDED:
      return colors.green("✓");
    case NodeState.CACHED:
      return colors.green("≡");
    case NodeState.FAILED:
    case NodeState.TIMED_OUT:
    case NodeState.LOST:
      return colors.red("✗");
    case NodeState.CANCELLED:
      return colors.red("⊘");
    case NodeState.SKIPPED:
      return colors.dim("–");
    case NodeState.WAITING:
      return colors.cyan("⧗");
    case NodeState.RUNNING:
      return colors.blue("▶");
    default:
      return colors.dim("·");
  }
}

export function toMs(ts: Timestamp | undefined): number | undefined {
  return ts && (ts.seconds !== 0n || ts.nanos !== 0) ? timestampMs(ts) : undefined;
}

/** How long from start to end, or to now while running ("850ms", "1.2s", "3m4s"); "" before it starts. */
export function formatSpan(start: Timestamp | undefined, end: Timestamp | undefined, now = Date.now()): string {
  const from = toMs(start);
  if (from === undefined) return "";
  const ms = (toMs(end) ?? now) - from;
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : "";
}

export function formatTime(ts: Timestamp | undefined): string {
  const ms = toMs(ts);
  return ms === undefined
    ? ""
    : new Date(ms)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z");
}

// Strips ANSI colour codes so padding counts visible characters only.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matches the ESC that starts an ANSI colour code.
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (s: string) => [...s.replace(ANSI, "")].length;

/** A left-aligned, space-padded table; the header is dimmed. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(widths[i]! - visibleLength(c))))
      .join("  ")
      .trimEnd();
  return [colors.dim(line(headers)), ...rows.map(line)].join("\n");
}

/** One value as a person reads it: scalars inline, dataframes and blobs as where they landed. */
export function formatLiteral(literal: Literal | undefined): string {
  const v = literal?.value;
  switch (v?.case) {
    case undefined:
      return "";
    case "none":
      return "none";
    case "scalar": {
      const s = v.value.value;
      switch (s.case) {
        case "integer":
          return s.value.toString();
        case "float":
          return Number.isInteger(s.value) ? s.value.toFixed(1) : String(Number(s.value.toPrecision(6)));
        case "boolean":
          return String(s.value);
        case "string":
          return JSON.stringify(s.value);
        case "date":
        case "enumValue":
        case "json":
          return s.value;
        case "datetime":
          return formatTime(s.value);
        case "duration":
          return formatDuration(Number(s.value.seconds) * 1_000 + s.value.nanos / 1e6);
        default:
          return "";
      }
    }
    case "collection":
      return `[${v.value.items.map(formatLiteral).join(", ")}]`;
    case "map":
      return `{${Object.entries(v.value.entries)
        .map(([k, item]) => `${k}: ${formatLiteral(item)}`)
        .join(", ")}}`;
    case "blob":
      return `${v.value.uri} (${formatBytes(Number(v.value.size))})`;
    case "dataframe":
      return `${v.value.uri} (${v.value.rows} rows)`;
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function renderLiteralSet(set: LiteralSet | undefined, indent = "  "): string[] {
  const entries = Object.entries(set?.literals ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(0, ...entries.map(([k]) => k.length));
  return entries.map(([name, lit]) => `${indent}${name.padEnd(width)}  ${formatLiteral(lit)}`);
}

/** Counts of nodes per state, e.g. "5 succeeded, 1 skipped". */
export function stateCounts(nodes: NodeExecution[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(nodeStateName(n.state), (counts.get(nodeStateName(n.state)) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${count} ${name}`).join(", ");
}

function colourExecutionState(state: ExecutionState): string {
  const name = executionStateName(state);
  if (state === ExecutionState.SUCCEEDED) return colors.green(name);
  if (state === ExecutionState.FAILED || state === ExecutionState.TERMINATED) return colors.red(name);
  return colors.cyan(name);
}

/** The end of `weir run --follow` and `weir demo`: state, duration, counts, outputs, error. */
export function renderSummary(execution: Execution): string {
  const lines = [
    "",
    `${colors.bold(execution.workflow)} ${colors.dim(execution.id)}  ${colourExecutionState(execution.state)}  ${formatSpan(execution.startedAt ?? execution.createdAt, execution.finishedAt)}`,
    `  nodes: ${stateCounts(execution.nodes)}`,
  ];
  if (execution.error) {
    const where = execution.error.nodeId ? ` in ${execution.error.nodeId}` : "";
    lines.push(colors.red(`  error${where} [${execution.error.code}]: ${execution.error.message}`));
  }
  const outputs = renderLiteralSet(execution.outputs, "    ");
  if (outputs.length > 0) lines.push("  outputs:", ...outputs);
  return lines.join("\n");
}

/** `weir status`: one row per node with state, attempts, duration and error. */
export function renderExecutionDetail(execution: Execution): string {
  const head = [
    `${colors.bold(execution.workflow)}@${execution.workflowVersion.slice(0, 12)}  ${colors.dim(execution.id)}`,
    `  state     ${colourExecutionState(execution.state)}`,
    `  created   ${formatTime(execution.createdAt)}`,
    `  duration  ${formatSpan(execution.startedAt ?? execution.createdAt, execution.finishedAt)}`,
  ];
  const inputs = renderLiteralSet(execution.inputs, "    ");
  if (inputs.length > 0) head.push("  inputs:", ...inputs);
  const rows = execution.nodes.map((n) => {
    const last = n.attempts.at(-1);
    const error = n.error ?? last?.error;
    return [
      `${glyph(n.state, false)} ${n.nodeId}`,
      nodeStateName(n.state),
      String(n.attempts.length),
      formatSpan(n.startedAt ?? last?.startedAt, n.finishedAt ?? last?.finishedAt),
      n.target,
      error ? `[${error.code}] ${error.message}` : "",
    ];
  });
  const parts = [head.join("\n"), "", table(["NODE", "STATE", "ATTEMPTS", "DURATION", "TARGET", "ERROR"], rows)];
  if (execution.error) parts.push("", colors.red(`error [${execution.error.code}]: ${execution.error.message}`));
  const outputs = renderLiteralSet(execution.outputs, "  ");
  if (outputs.length > 0) parts.push("", "outputs:", ...outputs);
  return parts.join("\n");
}

/** Every node id of a workflow, branch arms included (they report as "branch.deploy"). */
function nodeIds(nodes: Node[], prefix = ""): string[] {
  return nodes.flatMap((n) => {
    const id = prefix + n.id;
    if (n.target.case !== "branch") return [id];
    const arms = [...n.target.value.cases, ...(n.target.value.otherwise ? [n.target.value.otherwise] : [])];
    return [id, ...arms.flatMap((arm) => nodeIds(arm.nodes, `${id}.`))];
  });
}

/** An error as the end of a progress line: its code and first line, dimmed. */
function errorText(error: NodeExecution["error"]): string {
  return error ? colors.dim(`  [${error.code}] ${error.message.split("\n")[0]}`) : "";
}

/**
 * Turns the WatchExecution stream into one line per node state change. It remembers each node's
 * last state and attempt count, so a repeated snapshot prints nothing new.
 */
export class ProgressRenderer {
  private readonly seen = new Map<string, string>();
  /** Per node, the highest attempt whose retry has been printed (or that started as attempt 1). */
  private readonly announced = new Map<string, number>();
  private readonly width: number;

  constructor(
    private readonly write: (line: string) => void,
    private readonly spec?: CompiledWorkflow,
    private readonly inputs?: LiteralSet,
  ) {
    this.width = Math.max(8, ...nodeIds(spec?.workflow?.nodes ?? []).map((id) => id.length));
  }

  /** Feeds one event; returns the execution when the event carried a final snapshot. */
  onEvent(event: ExecutionEvent): Execution | undefined {
    const nodes = event.snapshot ? event.snapshot.nodes : event.nodes;
    for (const node of nodes) this.onNode(node);
    return event.snapshot && isTerminalExecution(event.snapshot.state) ? event.snapshot : undefined;
  }

  private onNode(node: NodeExecution): void {
    const attempt = currentAttempt(node);
    const key = `${node.state}:${attempt}`;
    if (this.seen.get(node.nodeId) === key) return;
    const first = !this.seen.has(node.nodeId);
    this.seen.set(node.nodeId, key);
    // Pending nodes are the untouched rest of the graph; only their changes are news.
    if (first && node.state === NodeState.PENDING) return;
    // Watch events coalesce a node's changes, so a quick retry may arrive already running or done:
    // each attempt after the first still gets its "retrying" line, from the attempts it carries.
    const announced = this.announced.get(node.nodeId) ?? 1;
    const last = isRetrying(node, attempt) ? attempt - 1 : attempt; // describe() announces a queued retry
    for (let k = Math.max(2, announced + 1); k <= last; k++) this.write(this.retryLine(node, k, node.attempts[k - 2]?.error));
    this.announced.set(node.nodeId, Math.max(announced, attempt));
    const line = this.describe(node, attempt);
    if (line) this.write(line);
  }

  private retryLine(node: NodeExecution, attempt: number, error: NodeExecution["error"]): string {
    return `  ${glyph(node.state, true)} ${node.nodeId.padEnd(this.width)}  ${colors.yellow(`retrying (attempt ${attempt})`)}${errorText(error)}`;
  }

  private describe(node: NodeExecution, attempt: number): string | undefined {
    const retrying = isRetrying(node, attempt);
    const name = node.nodeId.padEnd(this.width);
    const last = node.attempts.at(-1);
    const duration = formatSpan(node.startedAt ?? last?.startedAt, node.finishedAt ?? last?.finishedAt);
    const prefix = `  ${glyph(node.state, retrying)} ${name}  `;
    switch (node.state) {
      case NodeState.PENDING:
        return undefined;
      case NodeState.QUEUED:
        return retrying ? this.retryLine(node, attempt, node.error ?? node.attempts[attempt - 2]?.error) : `${prefix}queued`;
      case NodeState.WAITING:
        return `${prefix}waiting for ${this.sensorPath(node.nodeId) ?? "its condition"}`;
      case NodeState.RUNNING:
        return `${prefix}running${attempt > 1 ? ` (attempt ${attempt})` : ""}${last?.workerId ? colors.dim(` on ${last.workerId}`) : ""}`;
      case NodeState.SUCCEEDED:
        return `${prefix}${colors.green("succeeded")}  ${duration}`;
      case NodeState.CACHED:
        return `${prefix}${colors.green("cached")}`;
      case NodeState.SKIPPED:
        return `${prefix}${colors.dim("skipped")}`;
      default:
        return `${prefix}${colors.red(nodeStateName(node.state))}  ${duration}${this.errorSuffix(node)}`;
    }
  }

  private errorSuffix(node: NodeExecution): string {
    return errorText(node.error ?? node.attempts.at(-1)?.error);
  }

  /** Renders a file sensor's path template with the execution's inputs, for "waiting for …". */
  private sensorPath(nodeId: string): string | undefined {
    const node = this.spec?.workflow?.nodes.find((n) => n.id === nodeId);
    const binding = node?.inputs.find((b) => b.var === "path");
    const value = binding?.value?.value;
    if (!value) return undefined;
    if (value.case === "literal") return formatLiteral(value.value).replace(/^"|"$/g, "");
    if (value.case !== "template") return undefined;
    return value.value.parts
      .map((p) => {
        if (p.part.case === "text") return p.part.value;
        if (p.part.case === "workflowInput") {
          const lit = this.inputs?.literals[p.part.value];
          return lit ? formatLiteral(lit).replace(/^"|"$/g, "") : `\${${p.part.value}}`;
        }
        return p.part.case === "ref" ? `\${${p.part.value.nodeId}.${p.part.value.output}}` : "";
      })
      .join("");
  }
}
