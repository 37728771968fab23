// The one walk over a spec's node tree: every node once, branch arms nested right after their
// branch, subworkflows entered only when asked (and never twice on one path), and the node kinds
// the spec checks see through it.
import { describe, expect, it } from "vitest";
import { checkCompiledWorkflow, walkWorkflow, workflowNodes } from "../../core/index.ts";
import type { WorkflowTemplate } from "../../proto/index.ts";
import { T, V, call, codes, compiled, node, task, workflow } from "./spec-builder.ts";

const arm = (id: string, line: number) => ({ nodes: [call(id, "t", {}, line)], outputs: [] });
const branch = (id: string, cases: ReturnType<typeof arm>[], otherwise: ReturnType<typeof arm>) =>
  node(id, { case: "branch", value: { cases, otherwise, interface: {} } } as never);

const inner = workflow("inner", { nodes: [call("i1", "t"), node("loop", { case: "subworkflow", value: "main" })] });
const main = workflow("main", {
  nodes: [
    call("a", "t"),
    branch("b", [arm("b1", 20), { nodes: [branch("nested", [arm("n1", 30)], arm("n2", 31))], outputs: [] }], arm("b3", 22)),
    node("m", { case: "map", value: { task: "t", mappedInput: "x" } }),
    node("sub", { case: "subworkflow", value: "inner" }),
  ],
});

describe("walkWorkflow", () => {
  it("visits every node depth first, a branch's arms right after it", () => {
    expect(workflowNodes(main).map((v) => `${v.scope.id || "top"}:${v.node.id}`)).toEqual([
      "top:a",
      "top:b",
      "b#0:b1",
      "b#1:nested",
      "b#1/nested#0:n1",
      "b#1/nested#otherwise:n2",
      "b#otherwise:b3",
      "top:m",
      "top:sub",
    ]);
  });

  it("labels arms and links scopes to the branch around them", () => {
    const scopes: string[] = [];
    const name = (id: string) => id || "top";
    walkWorkflow(main, {
      scope: (s) => void scopes.push([name(s.id), s.armLabel, s.branch?.id, s.parent && `in ${name(s.parent.id)}`].filter(Boolean).join(" | ")),
    });
    expect(scopes).toEqual([
      "top",
      "b#0 | arm 1 | b | in top",
      "b#1 | arm 2 | b | in top",
      "b#1/nested#0 | arm 1 | nested | in b#1",
      "b#1/nested#otherwise | the default arm | nested | in b#1",
      "b#otherwise | the default arm | b | in top",
    ]);
  });

  it("enters subworkflows when asked, once per path", () => {
    const templates = new Map<string, WorkflowTemplate>([
      ["inner", inner],
      ["main", main],
    ]);
    const seen: string[] = [];
    walkWorkflow(main, { node: ({ node: n, scope }) => void seen.push(`${scope.workflow.name}/${n.id}`) }, { subworkflow: (name) => templates.get(name) });
    expect(seen.filter((s) => s.startsWith("inner/"))).toEqual(["inner/i1", "inner/loop"]);
    expect(seen.filter((s) => s === "main/a")).toHaveLength(1);
  });

  it("skips what lies inside a node when the visitor says so", () => {
    const seen: string[] = [];
    walkWorkflow(main, {
      node: ({ node: n }) => {
        seen.push(n.id);
        return n.id !== "b";
      },
    });
    expect(seen).toEqual(["a", "b", "m", "sub"]);
  });

  it("is the walk the spec checks use: a node deep in nested arms is checked", () => {
    const t = task("t", { x: T.int() }, { out: T.int() });
    const deep = workflow("deep", {
      nodes: [
        branch(
          "b",
          [
            {
              nodes: [
                branch(
                  "nested",
                  [
                    {
                      nodes: [call("bad", "t", { x: V.lit({ value: { case: "scalar", value: { value: { case: "string", value: "no" } } } } as never) }, 40)],
                      outputs: [],
                    },
                  ],
                  arm("ok", 41),
                ),
              ],
              outputs: [],
            },
          ],
          arm("ok2", 42),
        ),
      ],
    });
    expect(codes(checkCompiledWorkflow(compiled(deep, [t])).filter((d) => d.category === "error"))).toContain("WEIR1002");
  });
});
