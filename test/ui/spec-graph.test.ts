// The graph model the web UI draws: ids as the runtime gives them, composites collapsed until
// expanded, and each edge carrying every value along it with the producer's type.
import { describe, expect, test } from "vitest";
import { typeName } from "../../core/index.ts";
import { conditionText, specGraph } from "../../ui/app/graph/spec-graph.ts";
import { placeNodes } from "../../ui/app/graph/spec-scopes.ts";
import { demoSpec } from "./spec-fixtures.ts";

const spec = demoSpec();
const edge = (g: ReturnType<typeof specGraph>, id: string) => {
  const e = g.edges.find((x) => x.id === id);
  if (!e) throw new Error(`no edge ${id}; edges: ${g.edges.map((x) => x.id).join(", ")}`);
  return e;
};

describe("specGraph", () => {
  test("collapsed: one node per top-level spec node, edges by dependency with what flows and its type", () => {
    const g = specGraph(spec);
    expect(g.nodes.map((n) => [n.id, n.kind])).toEqual([
      ["load", "task"],
      ["use", "task"],
      ["sub", "subworkflow"],
      ["br", "branch"],
      ["nums", "task"],
      ["fan", "map"],
      ["later", "task"],
    ]);
    expect(g.edges.map((e) => e.id).sort()).toEqual(["load->br", "load->use", "nums->fan", "use->br", "use->later", "use->sub"]);
    // load → use: the whole table (the consumer reads a projection of it) and one field of a struct.
    const flows = edge(g, "load->use").flows.map((f) => [f.output, f.input, typeName(f.type), typeName(f.consumerType)]);
    expect(flows).toEqual([
      ["table", "use.t", "dataframe{id: Int64, name: Utf8?, extra: Float64}", "dataframe{id: Int64}"],
      ["stats.rows", "use.n", "int", "int"],
    ]);
    // A map's list input: the consumer declares list<item>.
    expect(edge(g, "nums->fan").flows.map((f) => [f.output, f.input, typeName(f.type), typeName(f.consumerType)])).toEqual([
      ["items", "fan.x", "list<int>", "list<int>"],
    ]);
    // A collapsed branch takes what its arms and its condition read.
    expect(edge(g, "use->br").flows.map((f) => [f.output, f.input])).toEqual([
      ["ok", "br condition"],
      ["out", "br.no.x"],
    ]);
    expect(edge(g, "load->br").flows.map((f) => [f.output, f.input, typeName(f.type)])).toEqual([["stats.rows", "br.yes.x", "int"]]);
    // Ordering only.
    expect(edge(g, "use->later").flows).toEqual([]);
    // The map node carries the task it runs (its resources and policies show on it).
    expect(g.nodes.find((n) => n.id === "fan")?.task?.name).toBe("sq");
    expect(g.nodes.find((n) => n.id === "load")?.task?.resources?.gpu).toBe(1);
  });

  test("expanded: a subworkflow's and a branch's nodes under the runtime's prefixed ids, drawn inside their box", () => {
    const g = specGraph(spec, new Set(["sub", "br"]));
    const inside = g.nodes.filter((n) => n.parent).map((n) => [n.id, n.parent, n.arm ?? ""]);
    expect(inside).toEqual([
      ["sub.a", "sub", ""],
      ["sub.b", "sub", ""],
      ["br.yes", "br", "if use.ok == true"],
      ["br.no", "br", "otherwise"],
    ]);
    const ids = g.edges.map((e) => e.id).sort();
    // Arms draw their own edges from outside; the box keeps only its condition's.
    expect(ids).toEqual(["load->br.yes", "load->use", "nums->fan", "sub.a->sub.b", "use->br", "use->br.no", "use->later", "use->sub"]);
    expect(edge(g, "use->br").flows.map((f) => f.input)).toEqual(["br condition"]);
    expect(edge(g, "sub.a->sub.b").flows.map((f) => [f.output, f.input])).toEqual([["y", "b.x"]]);
  });

  test("placeNodes: every node under its runtime id, arms and subworkflow bodies included", () => {
    const placed = placeNodes(spec.workflow!, spec.subworkflows);
    expect([...placed.keys()].sort()).toEqual(["br", "br.no", "br.yes", "fan", "later", "load", "nums", "sub", "sub.a", "sub.b", "use"]);
    expect(placed.get("sub.a")?.level.caller?.node.id).toBe("sub");
  });

  test("conditionText writes a branch's test in the workflow's terms", () => {
    const br = spec.workflow!.nodes.find((n) => n.id === "br")!;
    expect(br.target.case === "branch" && conditionText(br.target.value.cases[0]!.condition)).toBe("use.ok == true");
  });
});
