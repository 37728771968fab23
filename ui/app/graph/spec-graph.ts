// A compiled workflow as a drawable graph: one node per spec node under the id the runtime gives it
// ("train", "branch.deploy", "sub.inner"; a map's items "map[3]" are not nodes here but counts on
// their map), subworkflows and branches drawn as one node until expanded, and one edge per
// producer → consumer pair carrying every value that flows along it with its type. Pure data, no
// React: the graph view, the execution page and the tests all read the same model.
import { create } from "@bufbuild/protobuf";
import {
  BooleanExpression_Conjunction,
  Comparison_Operator,
  LiteralTypeSchema,
  type BindingValue,
  type BooleanExpression,
  type CompiledWorkflow,
  type LiteralType,
  type Node,
  type TaskTemplate,
  type Variable,
} from "../../../proto/messages.ts";
import { armLevel, armsOf, bodyLevel, type Level, resolveIn } from "./spec-scopes.ts";

export type GraphNodeKind = "task" | "map" | "subworkflow" | "branch" | "sensor";

export interface GraphNode {
  /** The id the runtime gives the node (prefixed inside subworkflows and branch arms). */
  id: string;
  localId: string;
  kind: GraphNodeKind;
  /** The task, subworkflow, "branch" or "sensor". */
  target: string;
  /** The task it runs (a map's items run it too). */
  task?: TaskTemplate;
  /** The expanded subworkflow or branch it is drawn inside. */
  parent?: string;
  /** For a branch arm's node: which arm ("if validate.passed == true", "otherwise"). */
  arm?: string;
  /** A subworkflow or branch: drawn as one node until expanded. */
  composite: boolean;
  expanded: boolean;
  spec: Node;
}

/** One value along an edge. */
export interface EdgeFlow {
  /** The producer's output, with a struct field path ("metrics.accuracy"). */
  output: string;
  /** The consumer's input ("clean.raw"; "condition" for a branch's test). */
  input: string;
  /** What the producer declares it gives; undefined where only the consumer's type is known (a sensor's file). */
  type?: LiteralType;
  /** What the consumer declares it takes. */
  consumerType?: LiteralType;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** Empty for an ordering-only dependency (`.after()`). */
  flows: EdgeFlow[];
}

export interface SpecGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function edgeId(source: string, target: string): string {
  return `${source}->${target}`;
}

export function specGraph(spec: CompiledWorkflow, expanded: ReadonlySet<string> = new Set()): SpecGraph {
  const wf = spec.workflow;
  if (!wf) return { nodes: [], edges: [] };
  const tasks = new Map(spec.tasks.map((t) => [t.name, t]));
  const subs = new Map(spec.subworkflows.map((s) => [s.name, s]));
  const nodes: GraphNode[] = [];
  const edges = new Map<string, GraphEdge>();

  const addEdge = (source: string, target: string, flows: EdgeFlow[]) => {
    const id = edgeId(source, target);
    const edge = edges.get(id);
    if (edge) edge.flows.push(...flows);
    else edges.set(id, { id, source, target, flows });
  };

  const outputType = (producer: Node, output: string, attrPath: readonly string[]): LiteralType | undefined => {
    const t = producer.target;
    let vars: Variable[] = [];
    let asList = false;
    if (t.case === "task") vars = tasks.get(t.value)?.interface?.outputs ?? [];
    else if (t.case === "map") {
      vars = tasks.get(t.value.task)?.interface?.outputs ?? [];
      asList = true;
    } else if (t.case === "subworkflow") vars = subs.get(t.value)?.interface?.outputs ?? [];
    else if (t.case === "branch") vars = t.value.interface?.outputs ?? [];
    let type = vars.find((v) => v.name === output)?.type;
    if (type && asList) type = create(LiteralTypeSchema, { type: { case: "collection", value: { item: type } } });
    for (const field of attrPath) {
      const s = type?.type.case === "struct" ? type.type.value : undefined;
      type = s?.fields.find((f) => f.name === field)?.type;
    }
    return type;
  };

  const inputType = (consumer: Node, variable: string): LiteralType | undefined => {
    const t = consumer.target;
    if (t.case === "task") return tasks.get(t.value)?.interface?.inputs.find((v) => v.name === variable)?.type;
    if (t.case === "subworkflow") return subs.get(t.value)?.interface?.inputs.find((v) => v.name === variable)?.type;
    if (t.case === "map") {
      const item = tasks.get(t.value.task)?.interface?.inputs.find((v) => v.name === variable)?.type;
      if (variable !== t.value.mappedInput || !item) return item;
      return create(LiteralTypeSchema, { type: { case: "collection", value: { item } } });
    }
    return undefined;
  };

  /**
   * Every value `consumer` takes from `producerId`: its own bindings, and for a branch its
   * conditions and, when it is drawn collapsed (`arms`), what its arms' nodes take.
   */
  const flowsFrom = (producerId: string, consumer: Node, level: Level, label: string, arms: boolean): EdgeFlow[] => {
    const flows: EdgeFlow[] = [];
    const fromValue = (value: BindingValue | undefined, input: string, consumerType: LiteralType | undefined) => {
      const v = value?.value;
      if (v?.case === "ref") {
        const producer = resolveIn(level, v.value.nodeId);
        if (producer?.id !== producerId) return;
        const output = [v.value.output, ...v.value.attrPath].join(".");
        flows.push({ output, input, type: outputType(producer.node, v.value.output, v.value.attrPath), consumerType });
      } else if (v?.case === "template") {
        for (const part of v.value.parts) {
          if (part.part.case !== "ref") continue;
          const producer = resolveIn(level, part.part.value.nodeId);
          if (producer?.id !== producerId) continue;
          flows.push({
            output: part.part.value.output,
            input: `${input} (in a template)`,
            type: outputType(producer.node, part.part.value.output, []),
            consumerType,
          });
        }
      }
    };
    const fromCondition = (e: BooleanExpression | undefined) => {
      const x = e?.expr;
      if (x?.case === "comparison") {
        fromValue(x.value.left, `${label} condition`, undefined);
        fromValue(x.value.right, `${label} condition`, undefined);
      } else if (x?.case === "compound") {
        fromCondition(x.value.left);
        fromCondition(x.value.right);
      } else if (x?.case === "not") fromCondition(x.value);
    };
    for (const b of consumer.inputs) fromValue(b.value, `${label}.${b.var}`, inputType(consumer, b.var));
    if (consumer.target.case === "branch") {
      const inner = armLevel(consumer.target.value, level.prefix + consumer.id, level);
      for (const arm of armsOf(consumer.target.value)) {
        fromCondition(arm.condition);
        if (!arms) continue;
        for (const n of arm.nodes) flows.push(...flowsFrom(producerId, n, inner, `${label}.${n.id}`, true));
        for (const o of arm.outputs) fromValue(o.value, `${label} output ${o.var}`, undefined);
      }
    }
    return flows;
  };

  const walk = (body: readonly Node[], level: Level, parent: string | undefined, arm?: (n: Node) => string | undefined) => {
    for (const n of body) {
      const id = level.prefix + n.id;
      const t = n.target;
      const kind: GraphNodeKind =
        t.case === "task" || t.case === "map" || t.case === "subworkflow" || t.case === "branch" || t.case === "sensor" ? t.case : "task";
      const composite = kind === "subworkflow" || kind === "branch";
      const isExpanded = composite && expanded.has(id);
      const taskName = t.case === "task" ? t.value : t.case === "map" ? t.value.task : undefined;
      nodes.push({
        id,
        localId: n.id,
        kind,
        target: t.case === "task" || t.case === "subworkflow" ? t.value : t.case === "map" ? t.value.task : kind,
        task: taskName ? tasks.get(taskName) : undefined,
        parent,
        arm: arm?.(n),
        composite,
        expanded: isExpanded,
        spec: n,
      });

      const drawnInside = new Set<string>();
      if (isExpanded && t.case === "branch") {
        const armNodes = armsOf(t.value).flatMap((a) => a.nodes);
        const local = new Set(armNodes.map((a) => a.id));
        for (const a of armNodes) for (const u of a.upstream) if (!local.has(u)) drawnInside.add(u);
      }
      for (const dep of n.upstream) {
        const producer = resolveIn(level, dep);
        if (!producer) continue;
        const flows = flowsFrom(producer.id, n, level, n.id, !isExpanded);
        // A dependency an expanded branch's arm draws itself is drawn to the box only for its test.
        if (drawnInside.has(dep) && flows.length === 0) continue;
        addEdge(producer.id, id, flows);
      }

      if (!isExpanded) continue;
      if (t.case === "subworkflow") {
        const sub = subs.get(t.value);
        // A subworkflow's body sees only its own nodes and inputs.
        if (sub) walk(sub.nodes, bodyLevel(sub, `${id}.`, { node: n, level }), id);
      } else if (t.case === "branch") {
        const cases = t.value.cases;
        const armOf = new Map<string, string>();
        cases.forEach((c, i) => {
          for (const x of c.nodes) armOf.set(x.id, `if ${conditionText(c.condition)}${cases.length > 1 ? ` (arm ${i + 1})` : ""}`);
        });
        for (const x of t.value.otherwise?.nodes ?? []) armOf.set(x.id, "otherwise");
        walk(
          armsOf(t.value).flatMap((a) => a.nodes),
          armLevel(t.value, id, level),
          id,
          (x) => armOf.get(x.id),
        );
      }
    }
  };

  walk(wf.nodes, bodyLevel(wf, ""), undefined);
  return { nodes, edges: [...edges.values()] };
}

const OPERATORS: Readonly<Record<Comparison_Operator, string>> = Object.freeze({
  [Comparison_Operator.UNSPECIFIED]: "?",
  [Comparison_Operator.EQ]: "==",
  [Comparison_Operator.NE]: "!=",
  [Comparison_Operator.GT]: ">",
  [Comparison_Operator.GTE]: ">=",
  [Comparison_Operator.LT]: "<",
  [Comparison_Operator.LTE]: "<=",
});

/** A branch condition in the workflow's own terms: "validate.passed == true". */
export function conditionText(e: BooleanExpression | undefined): string {
  const x = e?.expr;
  if (x?.case === "comparison") return `${valueText(x.value.left)} ${OPERATORS[x.value.operator] ?? "?"} ${valueText(x.value.right)}`;
  if (x?.case === "compound")
    return `(${conditionText(x.value.left)} ${x.value.conjunction === BooleanExpression_Conjunction.OR ? "or" : "and"} ${conditionText(x.value.right)})`;
  if (x?.case === "not") return `not ${conditionText(x.value)}`;
  return "?";
}

function valueText(b: BindingValue | undefined): string {
  const v = b?.value;
  if (v?.case === "ref") return [v.value.nodeId, v.value.output, ...v.value.attrPath].join(".");
  if (v?.case === "workflowInput") return v.value;
  if (v?.case === "literal") {
    const s = v.value.value.case === "scalar" ? v.value.value.value.value : undefined;
    return s === undefined ? "value" : typeof s.value === "object" ? "value" : String(s.value);
  }
  return "template";
}
