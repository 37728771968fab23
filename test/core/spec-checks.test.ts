// checkCompiledWorkflow on small hand-built specs: each check good and bad, asserted by code,
// location and the names it reports.
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { Comparison_Operator, ScheduleSchema } from "../../proto/index.ts";
import type { BindingValue, BooleanExpression, Node, TaskTemplate } from "../../proto/index.ts";
import { checkCompiledWorkflow } from "../../core/index.ts";
import { A, L, T, V, bind, call, codes, col, compiled, loc, node, task, workflow } from "./spec-builder.ts";

const load = task("load", { day: T.date() }, { table: T.df([col("age", A.int(32)), col("country", A.utf8(), true)]) });
const train = task("train", { table: T.df([col("age", A.int(64))]), lr: T.optional(T.float()) }, { model: T.file("pt") });
const deploy = task("deploy", { model: T.file() }, {});

function goodSpec() {
  return compiled(
    workflow("daily", {
      inputs: { day: T.date() },
      outputs: { model: T.file("pt") },
      nodes: [
        call("load", "load", { day: V.input("day") }, 10),
        call("train", "train", { table: V.ref("load", "table") }, 20),
        call("deploy", "deploy", { model: V.ref("train", "model") }, 30),
      ],
      bindOutputs: { model: V.ref("train", "model") },
    }),
    [deploy, load, train],
  );
}

const errorsOf = (spec: ReturnType<typeof goodSpec>) => checkCompiledWorkflow(spec).filter((d) => d.category === "error");

describe("checkCompiledWorkflow", () => {
  it("finds nothing wrong with a correct spec", () => {
    expect(checkCompiledWorkflow(goodSpec())).toEqual([]);
  });

  it("reports an edge type mismatch naming both sides, with one detail per column", () => {
    const consumer = task("fit", { table: T.df([col("age", A.utf8()), col("country", A.utf8()), col("income", A.float(64))]) }, {});
    const spec = compiled(
      workflow("wf", {
        inputs: { day: T.date() },
        nodes: [call("load", "load", { day: V.input("day") }, 10), call("fit", "fit", { table: V.ref("load", "table") }, 20)],
      }),
      [consumer, load],
    );
    const [d] = checkCompiledWorkflow(spec);
    expect(d.code).toBe("WEIR1001");
    expect(d.location).toEqual(loc(20, 5));
    expect(d.node).toBe("fit");
    expect(d.workflow).toBe("wf");
    expect(d.message).toContain("output 'table' of node 'load' (task 'load')");
    expect(d.message).toContain("input 'table' of node 'fit' (task 'fit')");
    expect(d.details).toHaveLength(3);
    expect(d.details[0]).toContain("'age'");
    expect(d.details[1]).toContain("'country'");
    expect(d.details[2]).toContain("'income'");
  });

  it("checks literals, workflow inputs and templates", () => {
    const t = task("t", { n: T.int(), e: T.enum("a", "b"), s: T.string(), d: T.date() }, {});
    const spec = compiled(
      workflow("wf", {
        inputs: { day: T.date(), files: T.list(T.string()) },
        nodes: [
          call("t", "t", {
            n: V.lit(L.string("x")),
            e: V.lit(L.enumValue("c")),
            s: V.template("data/", V.input("day"), "/", V.input("files")),
            d: V.input("dya"),
          }),
        ],
      }),
      [t],
    );
    const diags = checkCompiledWorkflow(spec);
    expect(codes(diags)).toEqual(["WEIR1002", "WEIR1002", "WEIR1003", "WEIR2005"]);
    expect(diags[3].message).toContain("did you mean 'day'?");
    expect(diags.map((d) => d.location?.line)).toEqual([10, 11, 12, 13]);
  });

  it("reports unbound, unknown and doubly bound inputs; optional inputs may stay unbound", () => {
    const spec = goodSpec();
    const trainNode = spec.workflow!.nodes[1];
    trainNode.inputs = bind({ tabel: V.ref("load", "table"), lr: V.lit(L.float(0.1)) }, 20);
    trainNode.inputs.push(...bind({ lr: V.lit(L.float(0.2)) }, 22));
    const diags = errorsOf(spec);
    expect(codes(diags).sort()).toEqual(["WEIR2001", "WEIR2002", "WEIR2003"]);
    const unknown = diags.find((d) => d.code === "WEIR2002")!;
    expect(unknown.message).toContain("did you mean 'table'?");
    expect(unknown.location).toEqual(loc(20, 5));
    expect(diags.find((d) => d.code === "WEIR2001")!.message).toContain("'table'");
  });

  it("reports unknown outputs, unknown nodes, and attribute paths into structs", () => {
    const stats = task("stats", {}, { summary: T.struct({ rows: T.int(), mean: T.float() }) });
    const use = task("use", { n: T.int(), m: T.int(), k: T.int(), j: T.int() }, {});
    const spec = compiled(
      workflow("wf", {
        nodes: [
          call("stats", "stats", {}, 5),
          call("use", "use", {
            n: V.ref("stats", "summary", ["rows"]),
            m: V.ref("stats", "summry"),
            k: V.ref("stast", "summary"),
            j: V.ref("stats", "summary", ["rowz"]),
          }),
        ],
      }),
      [stats, use],
    );
    const diags = checkCompiledWorkflow(spec);
    expect(codes(diags)).toEqual(["WEIR2004", "WEIR3002", "WEIR2006"]);
    expect(diags[0].message).toContain("did you mean 'summary'?");
    expect(diags[1].message).toContain("did you mean 'stats'?");
    expect(diags[2].message).toContain("did you mean 'rows'?");
  });

  it("types an attribute path and refuses a field of the wrong type", () => {
    const stats = task("stats", {}, { summary: T.struct({ rows: T.int(), mean: T.float() }) });
    const use = task("use", { n: T.int() }, {});
    const spec = compiled(workflow("wf", { nodes: [call("stats", "stats", {}, 5), call("use", "use", { n: V.ref("stats", "summary", ["mean"]) })] }), [
      stats,
      use,
    ]);
    const [d] = checkCompiledWorkflow(spec);
    expect(d.code).toBe("WEIR1001");
    expect(d.message).toContain("field 'mean' of output 'summary'");
    expect(d.details[0]).toMatch(/float \(producer\) is not int/);
  });

  it("reports a cycle with its path, duplicate ids, unknown upstream, missing upstream", () => {
    const inc = task("inc", { n: T.int() }, { n: T.int() });
    const cyc = compiled(
      workflow("wf", {
        nodes: [call("a", "inc", { n: V.ref("c", "n") }, 10), call("b", "inc", { n: V.ref("a", "n") }, 20), call("c", "inc", { n: V.ref("b", "n") }, 30)],
      }),
      [inc],
    );
    const cycle = checkCompiledWorkflow(cyc).filter((d) => d.code === "WEIR3004");
    expect(cycle).toHaveLength(1);
    expect(cycle[0].message).toContain("a -> b -> c -> a");

    const dup = compiled(
      workflow("wf", {
        nodes: [
          call("a", "inc", { n: V.lit(L.int(1)) }, 10),
          call("a", "inc", { n: V.lit(L.int(2)) }, 20),
          node("b", { case: "task", value: "inc" }, bind({ n: V.ref("a", "n") }, 30), ["ghost"], 30),
        ],
        outputs: { n: T.int() },
        bindOutputs: { n: V.ref("b", "n") },
      }),
      [inc],
    );
    const diags = checkCompiledWorkflow(dup);
    expect(codes(diags)).toEqual(["WEIR3001", "WEIR3003", "WEIR3010"]);
    expect(diags[0].location?.line).toBe(20);
  });

  it("reports an empty workflow, a missing task or subworkflow, a node without target", () => {
    expect(codes(checkCompiledWorkflow(compiled(workflow("wf", { nodes: [] }), [])))).toEqual(["WEIR3005"]);
    const spec = compiled(
      workflow("wf", {
        nodes: [call("a", "lod", {}, 10), node("b", { case: "subworkflow", value: "etl" }, [], [], 20), node("c", { case: undefined }, [], [], 30)],
      }),
      [load],
    );
    const diags = checkCompiledWorkflow(spec);
    expect(codes(diags)).toEqual(["WEIR3008", "WEIR3009", "WEIR3007"]);
    expect(diags[0].message).toContain("did you mean 'load'?");
  });

  it("checks subworkflow inputs and outputs, and refuses recursion", () => {
    const sub = workflow("etl", {
      inputs: { day: T.date() },
      outputs: { table: T.df([col("age", A.int(32))]) },
      nodes: [call("load", "load", { day: V.input("day") })],
      bindOutputs: { table: V.ref("load", "table") },
    });
    const consumer = task("strict", { table: T.df([col("age", A.int(8))]) }, {});
    const main = workflow("main", {
      nodes: [
        node("etl", { case: "subworkflow", value: "etl" }, bind({ day: V.lit(L.date("2024-02-30")) }, 10), [], 10),
        call("strict", "strict", { table: V.ref("etl", "table") }, 20),
      ],
    });
    const diags = checkCompiledWorkflow(compiled(main, [consumer, load], [sub]));
    expect(codes(diags)).toEqual(["WEIR1002", "WEIR1001"]);
    expect(diags[0].details[0]).toContain("2024-02-30");

    const loop = workflow("loop", { nodes: [node("again", { case: "subworkflow", value: "loop" })] });
    expect(codes(checkCompiledWorkflow(compiled(loop, [], [])))).toContain("WEIR3012");
  });

  it("checks map nodes: list binding, item type, mapped input name; outputs become lists", () => {
    const score = task("score", { x: T.int(), scale: T.int() }, { y: T.float() });
    const total = task("total", { ys: T.list(T.float()) }, {});
    const good = compiled(
      workflow("wf", {
        inputs: { xs: T.list(T.int()) },
        nodes: [
          node("m", { case: "map", value: { task: "score", mappedInput: "x" } }, bind({ x: V.input("xs"), scale: V.lit(L.int(2)) }, 10), [], 10),
          call("sum", "total", { ys: V.ref("m", "y") }, 20),
        ],
      }),
      [score, total],
    );
    expect(checkCompiledWorkflow(good)).toEqual([]);

    const bad = compiled(
      workflow("wf", {
        inputs: { x: T.int(), ss: T.list(T.string()) },
        nodes: [
          node("m1", { case: "map", value: { task: "score", mappedInput: "x" } }, bind({ x: V.input("x"), scale: V.lit(L.int(2)) }, 10), [], 10),
          node("m2", { case: "map", value: { task: "score", mappedInput: "x" } }, bind({ x: V.input("ss"), scale: V.lit(L.int(2)) }, 20), [], 20),
          node("m3", { case: "map", value: { task: "score", mappedInput: "z" } }, bind({ x: V.input("ss"), scale: V.lit(L.int(2)) }, 30), [], 30),
        ],
      }),
      [score],
    );
    const diags = errorsOf(bad);
    expect(codes(diags)).toEqual(["WEIR1004", "WEIR1001", "WEIR2009", "WEIR1001"]);
  });

  it("checks workflow outputs: bound, declared, bound once, typed", () => {
    const spec = goodSpec();
    spec.workflow!.interface!.outputs.push({ $typeName: "weir.v1.Variable", name: "extra", type: T.int(), description: "" });
    spec.workflow!.outputs.push(...bind({ modl: V.ref("train", "model"), model: V.ref("load", "table") }, 95));
    const diags = errorsOf(spec);
    expect(codes(diags).sort()).toEqual(["WEIR4004", "WEIR4005", "WEIR4006"]);
    const wrongType = checkCompiledWorkflow(
      compiled(
        workflow("wf", {
          inputs: { day: T.date() },
          outputs: { t: T.string() },
          nodes: [call("load", "load", { day: V.input("day") })],
          bindOutputs: { t: V.ref("load", "table") },
        }),
        [load],
      ),
    );
    expect(codes(wrongType)).toEqual(["WEIR1001"]);
    expect(wrongType[0].message).toContain("output 't' of workflow 'wf'");
  });
});

describe("branches", () => {
  const metric = task("metric", {}, { acc: T.float(), mode: T.enum("fast", "full"), note: T.optional(T.string()) });
  const ship = task("ship", {}, { url: T.string() });
  const hold = task("hold", {}, { reason: T.string(), code: T.int() });

  const cmp = (left: BindingValue, op: Comparison_Operator, right: BindingValue): BooleanExpression =>
    ({ expr: { case: "comparison", value: { operator: op, left, right } } }) as BooleanExpression;

  function branchSpec(opts: { otherwise?: boolean; condition?: BooleanExpression; holdBinds?: "url" | "code" } = {}) {
    const branch = node(
      "gate",
      {
        case: "branch",
        value: {
          interface: { outputs: [{ name: "result", type: T.string() }] },
          cases: [
            {
              condition: opts.condition ?? cmp(V.ref("metric", "acc"), Comparison_Operator.GTE, V.lit(L.float(0.9))),
              nodes: [call("ship", "ship", {}, 21)],
              outputs: bind({ result: V.ref("ship", "url") }, 22),
            },
          ],
          otherwise:
            opts.otherwise === false
              ? undefined
              : {
                  nodes: [call("hold", "hold", {}, 25)],
                  outputs:
                    opts.holdBinds === "code"
                      ? bind({ result: V.ref("hold", "code") }, 26)
                      : opts.holdBinds === "url"
                        ? []
                        : bind({ result: V.ref("hold", "reason") }, 26),
                },
        },
      },
      [],
      ["metric"],
      20,
    );
    return compiled(
      workflow("wf", { outputs: { result: T.string() }, nodes: [call("metric", "metric", {}, 10), branch], bindOutputs: { result: V.ref("gate", "result") } }),
      [hold, metric, ship],
    );
  }

  it("accepts a well-formed branch", () => {
    expect(checkCompiledWorkflow(branchSpec())).toEqual([]);
  });
  it("refuses a branch without a default arm", () => {
    expect(codes(errorsOf(branchSpec({ otherwise: false })))).toEqual(["WEIR4001"]);
  });
  it("refuses an output not bound by every arm, and a wrongly typed arm output", () => {
    expect(codes(errorsOf(branchSpec({ holdBinds: "url" })))).toEqual(["WEIR4002"]);
    const typed = errorsOf(branchSpec({ holdBinds: "code" }));
    expect(codes(typed)).toEqual(["WEIR1001"]);
    expect(typed[0].location?.line).toBe(26);
  });
  it("refuses incomparable condition operands", () => {
    const bad = [
      cmp(V.ref("metric", "acc"), Comparison_Operator.GT, V.lit(L.string("x"))),
      cmp(V.ref("metric", "mode"), Comparison_Operator.LT, V.lit(L.enumValue("fast"))),
      cmp(V.ref("metric", "mode"), Comparison_Operator.EQ, V.lit(L.string("slow"))),
      cmp(V.ref("metric", "note"), Comparison_Operator.GT, V.lit(L.string("a"))),
      cmp(V.ref("metric", "acc"), Comparison_Operator.EQ, V.lit(L.none())),
    ];
    for (const condition of bad) expect(codes(errorsOf(branchSpec({ condition })))).toEqual(["WEIR4003"]);
    const good = [
      cmp(V.ref("metric", "acc"), Comparison_Operator.GT, V.lit(L.int(1))),
      cmp(V.ref("metric", "mode"), Comparison_Operator.EQ, V.lit(L.string("fast"))),
      cmp(V.ref("metric", "note"), Comparison_Operator.NE, V.lit(L.none())),
    ];
    for (const condition of good) expect(errorsOf(branchSpec({ condition }))).toEqual([]);
  });
  it("keeps arm nodes private to their arm", () => {
    const spec = branchSpec();
    spec.workflow!.outputs = bind({ result: V.ref("ship", "url") }, 90);
    expect(codes(errorsOf(spec))).toEqual(["WEIR3006"]);
  });
});

describe("policies and schedules", () => {
  const withTask = (t: TaskTemplate) => compiled(workflow("wf", { nodes: [call("t", t.name, {}, 10)] }), [t]);
  const withSchedule = (schedule: Parameters<typeof create<typeof ScheduleSchema>>[1], inputs = { day: T.date() }) =>
    compiled(workflow("wf", { inputs, nodes: [call("t", "noop", {}, 10)], extra: { schedule: create(ScheduleSchema, schedule) } }), [task("noop", {}, {})]);

  it("refuses bad resources, retries and timeouts", () => {
    const cases: Array<[Parameters<typeof task>[3], string]> = [
      [{ resources: { cpu: -1 } }, "WEIR5001"],
      [{ resources: { cpu: Number.NaN } }, "WEIR5001"],
      [{ resources: { gpu: 17 } }, "WEIR5002"],
      [{ retries: { attempts: 101 } }, "WEIR5008"],
      [{ timeout: durationFromMs(0) }, "WEIR5009"],
      [{ timeout: durationFromMs(8 * 24 * 3600 * 1000) }, "WEIR5009"],
      [{ retries: { attempts: 3, backoff: durationFromMs(60_000), maxDelay: durationFromMs(10_000) } }, "WEIR5010"],
      [{ runtime: { case: undefined } }, "WEIR5013"],
    ];
    for (const [extra, code] of cases) {
      const diags = checkCompiledWorkflow(withTask(task("t", {}, {}, extra)));
      expect(codes(diags), code).toEqual([code]);
      expect(diags[0].location?.file).toBe("src/t.ts");
    }
    const fine = task(
      "t",
      {},
      {},
      {
        resources: { cpu: 0.5, gpu: 16, memory: 0n },
        retries: { attempts: 100, backoff: durationFromMs(1000), maxDelay: durationFromMs(60_000) },
        timeout: durationFromMs(7 * 24 * 3600 * 1000),
      },
    );
    expect(checkCompiledWorkflow(withTask(fine))).toEqual([]);
  });

  it("checks cron, time zone, fixed rate, start/end and the kickoff input", () => {
    expect(checkCompiledWorkflow(withSchedule({ trigger: { case: "cron", value: "0 3 * * *" }, timezone: "Europe/Paris", kickoffInput: "day" }))).toEqual([]);
    expect(codes(checkCompiledWorkflow(withSchedule({ trigger: { case: "cron", value: "61 * * * *" } })))).toEqual(["WEIR5003"]);
    expect(codes(checkCompiledWorkflow(withSchedule({ trigger: { case: "cron", value: "* * *" } })))).toEqual(["WEIR5003"]);
    expect(codes(checkCompiledWorkflow(withSchedule({ trigger: { case: "cron", value: "0 3 * * *" }, timezone: "Mars/Olympus" })))).toEqual(["WEIR5004"]);
    expect(codes(checkCompiledWorkflow(withSchedule({})))).toEqual(["WEIR5005"]);
    expect(codes(checkCompiledWorkflow(withSchedule({ trigger: { case: "fixedRate", value: durationFromMs(500) } })))).toEqual(["WEIR5006"]);
    expect(codes(checkCompiledWorkflow(withSchedule({ trigger: { case: "fixedRate", value: durationFromMs(1000) } })))).toEqual([]);
    expect(
      codes(
        checkCompiledWorkflow(withSchedule({ trigger: { case: "cron", value: "@daily" }, start: timestampFromMs(2_000_000), end: timestampFromMs(1_000_000) })),
      ),
    ).toEqual(["WEIR5007"]);
    expect(codes(checkCompiledWorkflow(withSchedule({ trigger: { case: "cron", value: "@daily" }, kickoffInput: "dya" })))).toEqual(["WEIR5011"]);
    expect(codes(checkCompiledWorkflow(withSchedule({ trigger: { case: "cron", value: "@daily" }, kickoffInput: "day" }, { day: T.int() })))).toEqual([
      "WEIR5011",
    ]);
  });
});

describe("warnings", () => {
  it("warns about any-typed values and unchecked edges, never silently", () => {
    const raw = task("raw", {}, { table: T.dfAny() });
    const strict = task("strict", { table: T.df([col("a", A.int(32))]) }, {});
    const diags = checkCompiledWorkflow(
      compiled(workflow("wf", { nodes: [call("raw", "raw", {}, 10), call("strict", "strict", { table: V.ref("raw", "table") }, 20)] }), [raw, strict]),
    );
    expect(diags.every((d) => d.category === "warning")).toBe(true);
    expect(codes(diags).sort()).toEqual(["WEIR6001", "WEIR6003"]);
  });
  it("stays silent about leaves, whose outputs may be dropped on purpose (publish, report)", () => {
    const spec = goodSpec();
    spec.workflow!.nodes.push(call("extra", "load", { day: V.input("day") }, 40));
    expect(checkCompiledWorkflow(spec)).toEqual([]);
  });
  it("reports all problems sorted by location", () => {
    const spec = goodSpec();
    const nodes: Node[] = spec.workflow!.nodes;
    nodes[2].inputs = bind({ model: V.lit(L.int(3)) }, 30);
    nodes[1].inputs = bind({ table: V.ref("load", "tabel") }, 20);
    const diags = checkCompiledWorkflow(spec);
    expect(diags.map((d) => d.location?.line)).toEqual([...diags.map((d) => d.location?.line)].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(codes(diags)).toContain("WEIR2004");
    expect(codes(diags)).toContain("WEIR1002");
  });
});

describe("structure of hand-edited specs", () => {
  it("refuses malformed types and names declared twice", () => {
    const bad = task("bad", { a: T.enum(), b: T.df([col("n", A.int(12))]) }, { out: T.int() });
    bad.interface!.outputs.push({ $typeName: "weir.v1.Variable", name: "out", type: T.int(), description: "" });
    const diags = checkCompiledWorkflow(compiled(workflow("wf", { nodes: [node("n", { case: "task", value: "bad" })] }), [bad]));
    expect(
      codes(diags)
        .filter((c) => c !== "WEIR2001")
        .sort(),
    ).toEqual(["WEIR1005", "WEIR1005", "WEIR2010"]);
  });
  it("refuses duplicate templates, arms without conditions, unknown branch outputs, bad sensor intervals", () => {
    const t = task("t", {}, {});
    const dupTasks = compiled(workflow("wf", { nodes: [call("a", "t")] }), [t, task("t", {}, {})]);
    expect(codes(checkCompiledWorkflow(dupTasks))).toEqual(["WEIR3011"]);

    const branch = node("b", {
      case: "branch",
      value: {
        interface: { outputs: [] },
        cases: [{ nodes: [], outputs: bind({ ghost: V.lit(L.int(1)) }, 30) }],
        otherwise: { nodes: [], outputs: [] },
      },
    });
    expect(codes(checkCompiledWorkflow(compiled(workflow("wf", { nodes: [branch] }), [])))).toEqual(["WEIR4009", "WEIR4007"]);
    const noCases = node("b", { case: "branch", value: { interface: {}, cases: [], otherwise: { nodes: [call("a", "t")] } } });
    expect(codes(checkCompiledWorkflow(compiled(workflow("wf", { nodes: [noCases] }), [t])))).toEqual(["WEIR4008"]);

    const sensor = node(
      "s",
      { case: "sensor", value: { sensor: { case: "file", value: { pokeInterval: durationFromMs(0) } } } },
      bind({ path: V.lit(L.string("/data/x.csv")) }),
    );
    expect(codes(checkCompiledWorkflow(compiled(workflow("wf", { nodes: [sensor] }), [])))).toEqual(["WEIR5012"]);
  });
  it("types a sensor's file by its path's extension: it feeds that format only", () => {
    const ingest = task("ingest", { file: T.file("csv") }, {});
    const sensorAt = (...path: Parameters<typeof V.template>) =>
      node("s", { case: "sensor", value: { sensor: { case: "file", value: {} } } }, bind({ path: V.template(...path) }, 10), [], 10);
    const spec = (sensor: ReturnType<typeof sensorAt>) =>
      compiled(workflow("wf", { inputs: { day: T.date() }, nodes: [sensor, call("ingest", "ingest", { file: V.ref("s", "file") }, 20)] }), [ingest]);
    expect(checkCompiledWorkflow(spec(sensorAt("data/", V.input("day"), ".csv")))).toEqual([]);
    const parquet = checkCompiledWorkflow(spec(sensorAt("data/", V.input("day"), "/x.parquet")));
    expect(codes(parquet)).toEqual(["WEIR1001"]);
    expect(parquet[0].details).toEqual(["format 'parquet' (producer) is not 'csv' (consumer)"]);
    // No extension: a file of no declared format, which does not feed a declared one.
    expect(codes(checkCompiledWorkflow(spec(sensorAt("data/", V.input("day")))))).toEqual(["WEIR1001"]);
  });
  it("refuses a spec without a workflow", () => {
    expect(codes(checkCompiledWorkflow(compiled(undefined as never, [])))).toEqual(["WEIR3013"]);
  });
});
