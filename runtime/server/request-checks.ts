// The ids, names and sizes of every AdminService request and of a worker's Register, checked at the
// door before a handler reads them (identifiers.ts has the rule): one table, so no method is missed.
import type {
  ClearNodesRequest,
  CreateBackfillRequest,
  CreateExecutionRequest,
  GetExecutionRequest,
  GetNodeLogsRequest,
  GetWorkflowRequest,
  ListExecutionsRequest,
  RecoverExecutionRequest,
  Register,
  TerminateExecutionRequest,
  WatchExecutionRequest,
} from "../../proto/index.ts";
import { RuntimeError } from "../error-codes.ts";
import { checkIdentifiers } from "./identifiers.ts";

export const REQUEST_LIMITS = Object.freeze({
  /** Free text the runtime stores (a termination reason, a worker's hostname or label). */
  maxTextBytes: 4096,
  /** Nodes one ClearNodes call may name. */
  maxClearNodes: 10_000,
  /** Labels one worker may carry. */
  maxLabels: 64,
});

function checkText(what: string, text: string): void {
  if (text.length > REQUEST_LIMITS.maxTextBytes || Buffer.byteLength(text) > REQUEST_LIMITS.maxTextBytes) {
    throw new RuntimeError("INVALID_ARGUMENT", `${what} is longer than ${REQUEST_LIMITS.maxTextBytes} bytes`);
  }
}

/** AdminService method name → the check of its request (RegisterWorkflow's spec has its own, spec-admission.ts). */
export const ADMIN_REQUEST_CHECKS = Object.freeze({
  GetWorkflow: (r: GetWorkflowRequest) =>
    checkIdentifiers([
      ["workflow name", r.name],
      ["version", r.version],
    ]),
  CreateExecution: (r: CreateExecutionRequest) =>
    checkIdentifiers([
      ["workflow name", r.workflow],
      ["version", r.version],
      ["execution id", r.executionId],
      ...Object.keys(r.inputs?.literals ?? {}).map((name) => ["input name", name] as const),
    ]),
  GetExecution: (r: GetExecutionRequest) => checkIdentifiers([["execution id", r.id]]),
  ListExecutions: (r: ListExecutionsRequest) => {
    checkIdentifiers([["workflow name", r.workflow]]);
    if (r.pageToken && !/^\d{1,15}$/.test(r.pageToken))
      throw new RuntimeError("INVALID_ARGUMENT", "page_token is not one this server gave out; pass the next_page_token of the previous page");
  },
  WatchExecution: (r: WatchExecutionRequest) => checkIdentifiers([["execution id", r.id]]),
  TerminateExecution: (r: TerminateExecutionRequest) => {
    checkIdentifiers([["execution id", r.id]]);
    checkText("the termination reason", r.reason);
  },
  RecoverExecution: (r: RecoverExecutionRequest) => checkIdentifiers([["execution id", r.id]]),
  ClearNodes: (r: ClearNodesRequest) => {
    if (r.nodeIds.length > REQUEST_LIMITS.maxClearNodes) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `ClearNodes names ${r.nodeIds.length} nodes; at most ${REQUEST_LIMITS.maxClearNodes} per call (clear with downstream = true to take what depends on them)`,
      );
    }
    checkIdentifiers([["execution id", r.executionId], ...r.nodeIds.map((id) => ["node id", id] as const)]);
  },
  CreateBackfill: (r: CreateBackfillRequest) => checkIdentifiers([["workflow name", r.workflow]]),
  GetNodeLogs: (r: GetNodeLogsRequest) =>
    checkIdentifiers([
      ["execution id", r.executionId],
      ["node id", r.nodeId],
    ]),
});

/** A worker's Register: its id and pools are ids; what it says about itself is bounded text. */
export function checkRegister(r: Register): void {
  checkIdentifiers([["worker id", r.workerId], ...r.pools.map((p) => ["pool", p] as const)]);
  checkText("hostname", r.hostname);
  checkText("project_root", r.projectRoot);
  const labels = Object.entries(r.labels);
  if (labels.length > REQUEST_LIMITS.maxLabels)
    throw new RuntimeError("INVALID_ARGUMENT", `a worker may carry at most ${REQUEST_LIMITS.maxLabels} labels; this one has ${labels.length}`);
  for (const [k, v] of labels) {
    checkText("a label's name", k);
    checkText("a label's value", v);
  }
}
