// The metastore contract: what the scheduler and the server persist, as plain records of bytes and
// numbers. SQLite (sqlite-store.ts) and PostgreSQL (postgres-store.ts) implement it; logic shared by
// stores sits above it, in the scheduler, never here (what they share below it is the definition of
// each batch table, batch-tables.ts).
import type { ExecutionState, NodeState } from "../../proto/index.ts";

/** Milliseconds since the epoch; 0 = not set. */
export type Millis = number;

export interface WorkflowRecord {
  readonly name: string;
  readonly version: string;
  /** CompiledWorkflow bytes. */
  readonly spec: Uint8Array;
  readonly registeredAt: Millis;
}

export interface WorkflowSummaryRecord {
  readonly name: string;
  readonly latestVersion: string;
  readonly versions: number;
  readonly latestSpec: Uint8Array;
  readonly registeredAt: Millis;
}

export interface ExecutionRecord {
  readonly id: string;
  readonly workflow: string;
  readonly version: string;
  readonly state: ExecutionState;
  /** LiteralSet bytes. */
  readonly inputs: Uint8Array | null;
  readonly outputs: Uint8Array | null;
  /** ExecutionError bytes. */
  readonly error: Uint8Array | null;
  readonly createdAt: Millis;
  readonly startedAt: Millis;
  readonly finishedAt: Millis;
  readonly scheduledFor: Millis;
  readonly backfillId: string;
  readonly recoveredFrom: string;
  readonly maxParallelism: number;
  /** Insertion order, assigned by the store (paging); ignored on write. */
  readonly seq?: number;
}

export interface NodeRecord {
  readonly executionId: string;
  readonly nodeId: string;
  readonly state: NodeState;
  readonly target: string;
  readonly outputs: Uint8Array | null;
  readonly error: Uint8Array | null;
  readonly startedAt: Millis;
  readonly finishedAt: Millis;
  /** Retries consumed from each budget. */
  readonly userRetries: number;
  readonly systemRetries: number;
  /** Scheduler-private JSON (retry due time, sensor start, chosen branch arm, map size). */
  readonly detail: string;
}

export interface AttemptRecord {
  readonly executionId: string;
  readonly nodeId: string;
  readonly number: number;
  readonly state: NodeState;
  readonly workerId: string;
  /** 0n until assigned. */
  readonly leaseToken: bigint;
  readonly queuedAt: Millis;
  readonly startedAt: Millis;
  readonly finishedAt: Millis;
  readonly error: Uint8Array | null;
  /** The GPU indices it was given on its worker, as `gpuListText` writes them ("0,1"; "" for none). */
  readonly gpus: string;
}

/**
 * Lease tokens up to `issuedThrough` may have been issued: the scheduler reserves them in blocks, one
 * row per block, so a restart continues above every token handed out. Who holds a token, from
 * when to when, is its attempt's record.
 */
export interface LeaseBlockRecord {
  readonly issuedThrough: bigint;
}

export interface CacheRecord {
  readonly key: string;
  readonly task: string;
  /** LiteralSet bytes. */
  readonly outputs: Uint8Array;
  readonly createdAt: Millis;
}

export interface WorkerRecord {
  readonly id: string;
  readonly hostname: string;
  /** The worker's Register message bytes. */
  readonly register: Uint8Array;
  readonly connectedAt: Millis;
  readonly lastHeartbeat: Millis;
  readonly connected: boolean;
}

export interface LogRecord {
  readonly executionId: string;
  readonly nodeId: string;
  readonly attempt: number;
  readonly stream: string;
  readonly text: string;
  readonly at: Millis;
}

export interface BackfillRecord {
  readonly id: string;
  readonly workflow: string;
  readonly start: Millis;
  readonly end: Millis;
  readonly maxActiveRuns: number;
  readonly createdAt: Millis;
}

export interface ScheduleTickRecord {
  readonly workflow: string;
  readonly lastTick: Millis;
}

/** Everything one scheduler turn changed; a store writes it in one transaction. */
export interface StoreBatch {
  workflows: WorkflowRecord[];
  executions: ExecutionRecord[];
  nodes: NodeRecord[];
  attempts: AttemptRecord[];
  leaseBlocks: LeaseBlockRecord[];
  cache: CacheRecord[];
  workers: WorkerRecord[];
  logs: LogRecord[];
  backfills: BackfillRecord[];
  scheduleTicks: ScheduleTickRecord[];
}

export function emptyBatch(): StoreBatch {
  return { workflows: [], executions: [], nodes: [], attempts: [], leaseBlocks: [], cache: [], workers: [], logs: [], backfills: [], scheduleTicks: [] };
}

export function batchSize(b: StoreBatch): number {
  return (
    b.workflows.length +
    b.executions.length +
    b.nodes.length +
    b.attempts.length +
    b.leaseBlocks.length +
    b.cache.length +
    b.workers.length +
    b.logs.length +
    b.backfills.length +
    b.scheduleTicks.length
  );
}

export interface ExecutionQuery {
  readonly workflow?: string;
  readonly state?: ExecutionState;
  readonly limit: number;
  /** Return executions older than this seq (paging). */
  readonly beforeSeq?: number;
}

export interface Store {
  readonly url: string;
  /** The highest applied migration. */
  schemaVersion(): Promise<number>;
  /** Writes the whole batch atomically and durably; resolves after the commit. */
  commit(batch: StoreBatch): Promise<void>;
  /**
   * Commits the batch like `commit`, but at once on the calling thread, when the store can do that
   * cheaply now (SQLite: a small batch while its writer thread has nothing pending); returns false,
   * having written nothing, when it cannot. Throws where `commit` would reject.
   */
  commitNow(batch: StoreBatch): boolean;
  /** Inserts a workflow version; false when (name, version) already existed. */
  putWorkflow(record: WorkflowRecord): Promise<boolean>;
  /** The given version, or the latest registered when version is empty. */
  getWorkflow(name: string, version?: string): Promise<WorkflowRecord | undefined>;
  listWorkflows(): Promise<WorkflowSummaryRecord[]>;
  getExecution(id: string): Promise<ExecutionRecord | undefined>;
  listExecutions(query: ExecutionQuery): Promise<ExecutionRecord[]>;
  /** Executions that have not ended (QUEUED or RUNNING): what a restarted runtime reloads. */
  listActiveExecutions(): Promise<ExecutionRecord[]>;
  getNodes(executionId: string): Promise<NodeRecord[]>;
  getAttempts(executionId: string): Promise<AttemptRecord[]>;
  /** The highest lease token that may have been issued (0n for none): new tokens start above it. */
  maxLeaseToken(): Promise<bigint>;
  getCache(key: string): Promise<CacheRecord | undefined>;
  listWorkers(): Promise<WorkerRecord[]>;
  getLogs(executionId: string, nodeId: string, attempt?: number): Promise<LogRecord[]>;
  getBackfill(id: string): Promise<BackfillRecord | undefined>;
  getScheduleTick(workflow: string): Promise<Millis | undefined>;
  close(): Promise<void>;
}
