// The in-memory shape of one execution: its nodes (with subworkflows expanded inline under
// prefixed ids "sub.inner", branch arms under "branch.inner", map items as "map[3]"), their
// dependency edges, and the scopes their bindings resolve in. The store is the durable copy.
import type {
  CompiledWorkflow,
  ExecutionError,
  ExecutionState,
  Literal,
  LiteralSet,
  Node,
  SourceLocation,
  TaskTemplate,
  WorkflowTemplate,
} from "../../../proto/index.ts";
import { NodeState } from "../../../proto/index.ts";
import type { BindingValue } from "../../../proto/index.ts";

/** Where ids and workflow inputs resolve: a workflow body, a subworkflow's body or a branch arm. */
export class Scope {
  readonly local = new Map<string, LiveNode>();
  constructor(
    readonly prefix: string,
    readonly parent: Scope | undefined,
    /** Subworkflow scopes own their inputs; arm scopes read their parent's. */
    public inputs: Record<string, Literal> | undefined,
  ) {}

  lookup(localId: string): LiveNode | undefined {
    return this.local.get(localId) ?? this.parent?.lookup(localId);
  }

  input(name: string): Literal | undefined {
    return this.inputs ? this.inputs[name] : this.parent?.input(name);
  }
}

export type NodeKind = "task" | "subworkflow" | "branch" | "map" | "sensor" | "item";

export interface LiveAttempt {
  readonly node: LiveNode;
  readonly number: number;
  state: NodeState;
  workerId: string;
  token: bigint;
  queuedAt: number;
  startedAt: number;
  finishedAt: number;
  error: ExecutionError | undefined;
  gpus: number[];
  timer: NodeJS.Timeout | undefined;
}

/** Scheduler-private state persisted in NodeRecord.detail. */
export interface NodeDetail {
  retryAt?: number;
  sensorStart?: number;
  arm?: number;
  mapSize?: number;
}

export class LiveNode {
  state: NodeState = NodeState.PENDING;
  outputs: LiteralSet | undefined;
  error: ExecutionError | undefined;
  startedAt = 0;
  finishedAt = 0;
  userRetries = 0;
  systemRetries = 0;
  detail: NodeDetail = {};
  attempts: LiveAttempt[] = [];
  upstream: LiveNode[] = [];
  downstream: LiveNode[] = [];
  /** Upstream nodes that have not succeeded yet. */
  waitingOn = 0;
  children: LiveNode[] = [];
  /** Children of the running composite (chosen arm only for branches) that have not ended. */
  openChildren = 0;
  inputs: LiteralSet | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Set for map items: the index, and the task. */
  index = -1;
  task: TaskTemplate | undefined;

  constructor(
    readonly exec: LiveExecution,
    readonly id: string,
    readonly kind: NodeKind,
    readonly spec: Node | undefined,
    /** Where this node's bindings resolve. */
    readonly scope: Scope,
    /** The composite this node runs inside (subworkflow, branch, map), if any. */
    readonly container: LiveNode | undefined,
    /** For nodes inside a branch: the arm (index into cases, or cases.length for otherwise). */
    readonly arm: number,
  ) {}

  get target(): string {
    const t = this.spec?.target;
    if (this.kind === "item") return this.task?.name ?? "";
    if (!t || t.case === undefined) return "";
    if (t.case === "task" || t.case === "subworkflow") return t.value;
    return t.case;
  }

  get source(): SourceLocation | undefined {
    return this.spec?.source;
  }

  /** The composite is running and (for branch arms) this node's arm was chosen. */
  containerActive(): boolean {
    const c = this.container;
    if (!c) return true;
    if (c.state !== NodeState.RUNNING) return false;
    return c.kind !== "branch" || c.detail.arm === this.arm;
  }
}

export interface ExecutionInit {
  id: string;
  workflow: string;
  version: string;
  spec: CompiledWorkflow;
  inputs: LiteralSet;
  state: ExecutionState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  scheduledFor: number;
  backfillId: string;
  recoveredFrom: string;
  maxParallelism: number;
}

export class LiveExecution {
  readonly nodes = new Map<string, LiveNode>();
  readonly top: LiveNode[] = [];
  readonly root: Scope;
  readonly tasks: Map<string, TaskTemplate>;
  readonly subworkflows: Map<string, WorkflowTemplate>;
  openTop = 0;
  /** Attempts queued or running (against the parallelism limit). */
  inflight = 0;
  /** Attempts waiting for the parallelism limit. */
  readonly held: LiveAttempt[] = [];
  outputs: LiteralSet | undefined;
  error: ExecutionError | undefined;
  dirty = false;

  constructor(public init: ExecutionInit) {
    this.tasks = new Map(init.spec.tasks.map((t) => [t.name, t]));
    this.subworkflows = new Map(init.spec.subworkflows.map((w) => [w.name, w]));
    this.root = new Scope("", undefined, init.inputs.literals);
    const wf = init.spec.workflow!;
    for (const n of instantiate(this, wf.nodes, this.root, undefined, -1)) this.top.push(n);
    for (const n of this.nodes.values()) link(n);
  }

  get id(): string {
    return this.init.id;
  }

  get template(): WorkflowTemplate {
    return this.init.spec.workflow!;
  }

  get limit(): number {
    return this.init.maxParallelism || this.template.maxParallelism || Number.POSITIVE_INFINITY;
  }

  add(node: LiveNode): LiveNode {
    this.nodes.set(node.id, node);
    node.scope.local.set(localId(node), node);
    return node;
  }
}

function localId(node: LiveNode): string {
  return node.spec?.id ?? node.id;
}

/** Creates the nodes of a body (recursively expanding subworkflows and branch arms). */
function instantiate(exec: LiveExecution, nodes: readonly Node[], scope: Scope, container: LiveNode | undefined, arm: number): LiveNode[] {
  const made: LiveNode[] = [];
  for (const spec of nodes) {
    const t = spec.target;
    const kind: NodeKind = t.case === undefined ? "task" : (t.case as NodeKind);
    const node = exec.add(new LiveNode(exec, scope.prefix + spec.id, kind, spec, scope, container, arm));
    made.push(node);
    if (t.case === "subworkflow") {
      const sub = exec.subworkflows.get(t.value);
      if (!sub) continue; // fails with a clear error when it starts
      const inner = new Scope(`${node.id}.`, undefined, {});
      node.children = instantiate(exec, sub.nodes, inner, node, -1);
      (node as { subScope?: Scope }).subScope = inner;
    } else if (t.case === "branch") {
      const arms = [...t.value.cases, ...(t.value.otherwise ? [t.value.otherwise] : [])];
      arms.forEach((c, i) => {
        const armScope = new Scope(`${node.id}.`, scope, undefined);
        node.children.push(...instantiate(exec, c.nodes, armScope, node, i));
        (node as { armScopes?: Scope[] }).armScopes ??= [];
        (node as { armScopes?: Scope[] }).armScopes![i] = armScope;
      });
    }
  }
  return made;
}

/** The scope a subworkflow node's body resolves in. */
export function subScopeOf(node: LiveNode): Scope | undefined {
  return (node as { subScope?: Scope }).subScope;
}

/** The scope a branch arm's outputs resolve in. */
export function armScopeOf(node: LiveNode, arm: number): Scope | undefined {
  return (node as { armScopes?: Scope[] }).armScopes?.[arm];
}

/** Upstream edges: the spec's `upstream` plus every node a binding refers to. */
function link(node: LiveNode): void {
  if (!node.spec) return;
  const ids = new Set(node.spec.upstream);
  for (const b of node.spec.inputs) collectRefs(b.value, ids);
  const linked = new Set<LiveNode>();
  for (const id of ids) {
    const up = node.scope.lookup(id);
    if (!up || up === node || linked.has(up)) continue;
    linked.add(up);
    node.upstream.push(up);
    up.downstream.push(node);
  }
  node.waitingOn = node.upstream.length;
}

function collectRefs(v: BindingValue | undefined, into: Set<string>): void {
  const x = v?.value;
  if (x?.case === "ref") into.add(x.value.nodeId);
  if (x?.case === "template") for (const p of x.value.parts) if (p.part.case === "ref") into.add(p.part.value.nodeId);
}
