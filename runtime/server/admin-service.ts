// AdminService: register, run, watch and repair workflows, as one typed async function per method
// (request message in, response message out), which both transports call: grpc-js on the gRPC port
// (grpc-adapter.ts) and Connect on the HTTP port (http/connect-adapter.ts). Validation happens here, at
// the door: every request's ids and names (request-checks.ts), specs with the compiler's own spec
// checks plus the runtime's (spec-admission.ts), inputs with the SDK's literal checks and the literal
// door check (depth, refs inside the artifact store: literal-admission.ts), and an execution's
// expanded size.
import { createHash } from "node:crypto";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { checkCompiledWorkflow, ScheduleError, scheduleTicks } from "../../core/index.ts";
import type { Diagnostic as CheckFinding } from "../../core/index.ts";
import {
  type AdminService,
  CompiledWorkflowSchema,
  CreateBackfillResponseSchema,
  DiagnosticSchema,
  encodeExecutionResponse,
  GetNodeLogsResponseSchema,
  GetWorkflowResponseSchema,
  ListExecutionsResponseSchema,
  ListWorkersResponseSchema,
  ListWorkflowsResponseSchema,
  LiteralSetSchema,
  RegisterSchema,
  RegisterWorkflowResponseSchema,
  type ClearNodesRequest,
  type CreateBackfillRequest,
  type CreateExecutionRequest,
  type GetExecutionRequest,
  type GetNodeLogsRequest,
  type GetWorkflowRequest,
  type ListExecutionsRequest,
  type RecoverExecutionRequest,
  type RegisterWorkflowRequest,
  type Schedule,
  type TerminateExecutionRequest,
  type UploadArtifactRequest,
  type WatchExecutionRequest,
} from "../../proto/index.ts";
import type { RuntimeConfig } from "../config.ts";
import { RuntimeError } from "../error-codes.ts";
import type { Logger } from "../log.ts";
import {
  checkExecutionInputs,
  encodeExecutionRecords,
  executionFrom,
  expandedNodeCount,
  expandedSizeProblem,
  isSuccess,
  kickoffLiteral,
  newId,
  type Engine,
  type SensorRoots,
} from "../scheduler/index.ts";
import { emptyBatch, type Store } from "../store/index.ts";
import { quoted } from "./client-text.ts";
import { EventQueue } from "./event-queue.ts";
import { streamExecution } from "./execution-watch.ts";
import { required } from "./handlers.ts";
import type { LiteralAdmission } from "./literal-admission.ts";
import type { OpenCalls } from "./open-calls.ts";
import type { ReplicaPeers } from "./replica-peers.ts";
import { ADMIN_REQUEST_CHECKS } from "./request-checks.ts";
import { admitSpec } from "./spec-admission.ts";
import type { ServiceMethods } from "./service-methods.ts";
import { ArtifactUploads } from "./uploads.ts";

/**
 * AdminService as typed functions (service-methods.ts). The execution snapshots answer already
 * encoded, written from the store's records; WatchExecution yields ExecutionEvent bytes until the
 * execution ends, the signal aborts or the runtime stops; UploadArtifact reads its requests as they
 * arrive.
 */
export type AdminMethods = ServiceMethods<typeof AdminService>;

/** What a stopping runtime ends a watch with: the client watches again once a runtime is back. */
const STOPPING = "the weir runtime is stopping; watch again once it is back";

export interface AdminDeps {
  readonly store: Store;
  readonly engine: Engine;
  readonly log: Logger;
  readonly config: RuntimeConfig;
  /** The artifact store's root, where UploadArtifact writes. */
  readonly artifactRoot: string;
  /** The literal door check (depth, refs inside the artifact store). */
  readonly literals: LiteralAdmission;
  /** Where a sensor path written in a spec may lead. */
  readonly sensorRoots: SensorRoots;
  /** Streams a stopping server ends (watches). */
  readonly open: OpenCalls;
  /** Called after a workflow version is registered (the schedule ticker re-plans). */
  readonly onWorkflowRegistered?: (name: string) => void;
  /** Set on a replica: calls about an execution another replica drives go to that one. */
  readonly peers?: ReplicaPeers;
}

/** A backfill's ticks; a stored schedule that cannot tick is the caller's INVALID_ARGUMENT. */
function backfillTicks(schedule: Schedule, start: number, end: number): number[] {
  try {
    return scheduleTicks(schedule, start, end);
  } catch (err) {
    if (err instanceof ScheduleError) throw new RuntimeError(err.code === "NO_TRIGGER" ? "FAILED_PRECONDITION" : "INVALID_ARGUMENT", err.message);
    throw err;
  }
}

export function adminMethods(deps: AdminDeps): AdminMethods {
  const { store, engine, log, config, artifactRoot, literals, sensorRoots, open, onWorkflowRegistered, peers } = deps;
  const uploads = new ArtifactUploads(artifactRoot);
  /**
   * The committed state of an execution as `Execution` bytes, its nodes included unless
   * `maxNodes` is exceeded (then the execution alone: CreateExecution of a large workflow, or an
   * end-only watch with 0).
   */
  const snapshot = async (id: string, maxNodes = Number.POSITIVE_INFINITY): Promise<Uint8Array> => {
    const rec = await store.getExecution(id);
    if (!rec) throw new RuntimeError("NOT_FOUND", `execution ${quoted(id)} does not exist; list executions with \`weir executions\``);
    if (maxNodes === 0 || engine.nodeCount(id) > maxNodes) return encodeExecutionRecords(rec, [], [], new Map());
    const spec = await engine.loadSpec(rec.workflow, rec.version).catch(() => undefined);
    return encodeExecutionRecords(rec, await store.getNodes(id), await store.getAttempts(id), spec ? engine.sourcesOf(spec) : new Map());
  };
  /** A response message whose field 1 is the execution, already encoded (sent as is). */
  const respond = async (id: string, maxNodes?: number): Promise<Uint8Array> => encodeExecutionResponse(await snapshot(id, maxNodes));

  return {
    registerWorkflow: async (req: RegisterWorkflowRequest) => {
      const spec = required(req.spec, "spec");
      const wf = required(spec.workflow, "spec.workflow");
      required(wf.name, "spec.workflow.name");
      admitSpec(spec, { literals, sensorRoots, maxNodes: config.maxNodes });
      const found = checkCompiledWorkflow(spec);
      const problems = found.filter((d) => d.category === "error");
      if (problems.length) {
        const lines = problems.map((d) => {
          const at = d.location ? `${d.location.file}:${d.location.line}:${d.location.column} ` : "";
          return [`${at}${d.code} ${d.message}`, ...d.details.map((x) => `  ${x}`)].join("\n");
        });
        throw new RuntimeError(
          "INVALID_ARGUMENT",
          `the spec of ${wf.name} is invalid (${problems.length} error${problems.length > 1 ? "s" : ""}):\n${lines.join("\n")}`,
        );
      }
      const bytes = toBinary(CompiledWorkflowSchema, spec);
      const version = wf.version || createHash("sha256").update(bytes).digest("hex").slice(0, 16);
      wf.version = version;
      const created = await store.putWorkflow({ name: wf.name, version, spec: toBinary(CompiledWorkflowSchema, spec), registeredAt: Date.now() });
      log.info({ workflow: wf.name, version, created }, "workflow registered");
      onWorkflowRegistered?.(wf.name);
      // Accepted with warnings (an unchecked df.any() edge): the caller sees what `weir compile` shows.
      const warnings = found.filter((d) => d.category === "warning").map(diagnosticMessage);
      return create(RegisterWorkflowResponseSchema, { name: wf.name, version, created, warnings });
    },

    getWorkflow: async (req: GetWorkflowRequest) => {
      ADMIN_REQUEST_CHECKS.GetWorkflow(req);
      const rec = await store.getWorkflow(required(req.name, "name"), req.version || undefined);
      if (!rec) throw new RuntimeError("NOT_FOUND", `workflow ${req.name}${req.version ? ` version ${req.version}` : ""} is not registered`);
      return create(GetWorkflowResponseSchema, { spec: fromBinary(CompiledWorkflowSchema, rec.spec), registeredAt: timestampFromMs(rec.registeredAt) });
    },

    listWorkflows: async () => {
      const rows = await store.listWorkflows();
      return create(ListWorkflowsResponseSchema, {
        workflows: rows.map((r) => ({
          name: r.name,
          latestVersion: r.latestVersion,
          versions: r.versions,
          schedule: fromBinary(CompiledWorkflowSchema, r.latestSpec).workflow?.schedule,
          registeredAt: timestampFromMs(r.registeredAt),
        })),
      });
    },

    createExecution: async (req: CreateExecutionRequest) => {
      ADMIN_REQUEST_CHECKS.CreateExecution(req);
      const spec = await engine.loadSpec(required(req.workflow, "workflow"), req.version || undefined);
      const inputs = req.inputs ?? create(LiteralSetSchema);
      // Depth and refs first: the SDK's checks recurse, and a ref must name a stored blob.
      const refused = literals.problems(inputs.literals, (name) => `input "${name}"`);
      if (refused.length) throw new RuntimeError("INVALID_ARGUMENT", `inputs of ${req.workflow} are refused:\n${refused.join("\n")}`);
      const problems = checkExecutionInputs(spec.workflow?.interface, inputs);
      if (problems.length) throw new RuntimeError("INVALID_ARGUMENT", `inputs of ${req.workflow} are invalid:\n${problems.join("\n")}`);
      const tooBig = expandedSizeProblem(req.workflow, expandedNodeCount(spec, inputs), config.maxNodes);
      if (tooBig) throw new RuntimeError("INVALID_ARGUMENT", tooBig);
      const id = await engine.createExecution({
        workflow: req.workflow,
        version: spec.workflow!.version,
        inputs,
        executionId: req.executionId || undefined,
        maxParallelism: req.maxParallelism,
      });
      return respond(id, config.createResponseMaxNodes);
    },

    getExecution: async (req: GetExecutionRequest) => {
      ADMIN_REQUEST_CHECKS.GetExecution(req);
      return respond(required(req.id, "id"));
    },

    listExecutions: async (req: ListExecutionsRequest) => {
      ADMIN_REQUEST_CHECKS.ListExecutions(req);
      const limit = Math.min(req.limit || config.listLimit, 1000);
      const beforeSeq = req.pageToken ? Number(req.pageToken) : undefined;
      const rows = await store.listExecutions({ workflow: req.workflow || undefined, state: req.state || undefined, limit, beforeSeq });
      return create(ListExecutionsResponseSchema, {
        executions: rows.map((r) => executionFrom(r)),
        nextPageToken: rows.length === limit ? String(rows.at(-1)!.seq) : "",
      });
    },

    watchExecution: (req: WatchExecutionRequest, signal: AbortSignal) => (peers ? watchOnOwner(peers, req, signal) : watch(req, signal)),

    terminateExecution: async (req: TerminateExecutionRequest) => {
      ADMIN_REQUEST_CHECKS.TerminateExecution(req);
      const owner = await peers?.ownerClient(required(req.id, "id"));
      if (owner) await owner.terminateExecution({ id: req.id, reason: req.reason });
      else await engine.terminate(req.id, req.reason);
      return respond(req.id);
    },

    recoverExecution: async (req: RecoverExecutionRequest) => {
      ADMIN_REQUEST_CHECKS.RecoverExecution(req);
      const rec = await store.getExecution(required(req.id, "id"));
      if (!rec) throw new RuntimeError("NOT_FOUND", `execution ${req.id} does not exist`);
      if (engine.isActive(rec.id)) throw new RuntimeError("FAILED_PRECONDITION", `execution ${req.id} is still running; recover it after it ends`);
      const nodes = await store.getNodes(rec.id);
      const reuse = new Map(nodes.filter((n) => isSuccess(n.state)).map((n) => [n.nodeId, n]));
      const id = await engine.createExecution({
        workflow: rec.workflow,
        version: rec.version,
        inputs: rec.inputs ? fromBinary(LiteralSetSchema, rec.inputs) : create(LiteralSetSchema),
        maxParallelism: rec.maxParallelism,
        recoveredFrom: rec.id,
        reuse,
      });
      return respond(id);
    },

    clearNodes: async (req: ClearNodesRequest) => {
      ADMIN_REQUEST_CHECKS.ClearNodes(req);
      if (!req.nodeIds.length) throw new RuntimeError("INVALID_ARGUMENT", "node_ids is required: name the nodes to clear");
      await engine.clearNodes(required(req.executionId, "execution_id"), req.nodeIds, req.downstream);
      return respond(req.executionId);
    },

    createBackfill: async (req: CreateBackfillRequest) => {
      ADMIN_REQUEST_CHECKS.CreateBackfill(req);
      const spec = await engine.loadSpec(required(req.workflow, "workflow"));
      const wf = spec.workflow!;
      if (!wf.schedule) throw new RuntimeError("FAILED_PRECONDITION", `workflow ${wf.name} has no schedule; give it one to backfill it`);
      const start = timestampMs(required(req.start, "start"));
      const end = timestampMs(required(req.end, "end"));
      if (end < start) throw new RuntimeError("INVALID_ARGUMENT", "end is before start");
      const ticks = backfillTicks(wf.schedule, start, end);
      const res = create(CreateBackfillResponseSchema, { ticks: ticks.map(timestampFromMs) });
      const probe = create(LiteralSetSchema);
      if (wf.schedule.kickoffInput && ticks.length)
        probe.literals[wf.schedule.kickoffInput] = kickoffLiteral(wf.interface, wf.schedule.kickoffInput, ticks[0]!, wf.schedule.timezone);
      const missing = checkExecutionInputs(wf.interface, probe);
      if (missing.length)
        throw new RuntimeError("FAILED_PRECONDITION", `a backfill gives ${wf.name} only its kickoff input, and it needs more:\n${missing.join("\n")}`);
      if (req.dryRun) return res;
      const id = newId("backfill");
      const maxActiveRuns = req.maxActiveRuns || wf.schedule.maxActiveRuns || 0;
      await store.commit({ ...emptyBatch(), backfills: [{ id, workflow: wf.name, start, end, maxActiveRuns, createdAt: Date.now() }] });
      res.backfillId = id;
      for (const tick of ticks) {
        const inputs = create(LiteralSetSchema);
        if (wf.schedule.kickoffInput)
          inputs.literals[wf.schedule.kickoffInput] = kickoffLiteral(wf.interface, wf.schedule.kickoffInput, tick, wf.schedule.timezone);
        res.executionIds.push(
          await engine.createExecution({ workflow: wf.name, version: wf.version, inputs, scheduledFor: tick, backfillId: id, maxActiveRuns }),
        );
      }
      log.info({ workflow: wf.name, backfill: id, runs: ticks.length, maxActiveRuns }, "backfill created");
      return res;
    },

    listWorkers: async () => {
      const live = engine.dispatcher.workers;
      const rows = await store.listWorkers();
      return create(ListWorkersResponseSchema, {
        workers: rows.map((r) => {
          const reg = fromBinary(RegisterSchema, r.register);
          const w = live.get(r.id);
          return {
            id: r.id,
            hostname: r.hostname,
            pools: reg.pools,
            capacity: reg.capacity,
            gpus: reg.gpus,
            labels: reg.labels,
            running: w?.running.size ?? 0,
            connectedAt: timestampFromMs(r.connectedAt),
            lastHeartbeat: timestampFromMs(w?.lastHeartbeat ?? r.lastHeartbeat),
            // A replica knows its own workers; the others' the store says (a dead replica's are not).
            connected: w?.connected ?? (peers !== undefined && r.connected),
          };
        }),
      });
    },

    getNodeLogs: async (req: GetNodeLogsRequest) => {
      ADMIN_REQUEST_CHECKS.GetNodeLogs(req);
      const exec = await store.getExecution(required(req.executionId, "execution_id"));
      if (!exec) throw new RuntimeError("NOT_FOUND", `execution ${req.executionId} does not exist`);
      const lines = await store.getLogs(req.executionId, required(req.nodeId, "node_id"), req.attempt || undefined);
      return create(GetNodeLogsResponseSchema, {
        lines: lines.map((l) => ({ attempt: l.attempt, stream: l.stream, text: l.text, at: timestampFromMs(l.at) })),
      });
    },

    uploadArtifact: (requests: AsyncIterable<UploadArtifactRequest>, signal: AbortSignal) => uploads.receive(requests, signal),

    putArtifact: (req: UploadArtifactRequest) => uploads.receive([req]),
  };

  /** A replica's watch: the stream of the replica driving the execution, or this one's own. */
  async function* watchOnOwner(peers: ReplicaPeers, req: WatchExecutionRequest, signal: AbortSignal): AsyncIterable<Uint8Array> {
    const remote = await peers.ownerWatch(req, signal);
    yield* remote ?? watch(req, signal);
  }

  /**
   * Snapshot first, node events as they commit, a final snapshot when the execution ends; ended
   * early by the signal (the client went away) or by a stopping runtime (UNAVAILABLE).
   */
  function watch(req: WatchExecutionRequest, signal: AbortSignal): AsyncIterable<Uint8Array> {
    let release = (): void => {};
    const events = new EventQueue<Uint8Array>(() => release());
    try {
      ADMIN_REQUEST_CHECKS.WatchExecution(req);
      const id = required(req.id, "id");
      let forget = (): void => {};
      const stop = streamExecution(
        engine,
        id,
        req.endOnly,
        {
          write: (ev) => events.push(ev),
          end: () => {
            forget();
            events.end();
          },
          fail: (err) => {
            forget();
            events.fail(err);
          },
        },
        (withNodes) => snapshot(id, withNodes ? undefined : 0),
      );
      forget = open.add(() => {
        stop();
        events.fail(new RuntimeError("UNAVAILABLE", STOPPING));
      });
      release = () => {
        forget();
        stop();
      };
      if (signal.aborted) events.stop();
      else signal.addEventListener("abort", () => events.stop(), { once: true });
    } catch (err) {
      events.fail(err);
    }
    return events;
  }
}

/** A spec check's finding as the protocol carries it. */
function diagnosticMessage(d: CheckFinding) {
  return create(DiagnosticSchema, {
    code: d.code,
    category: d.category,
    message: d.message,
    details: d.details,
    location: d.location,
    workflow: d.workflow ?? "",
    node: d.node ?? "",
  });
}
