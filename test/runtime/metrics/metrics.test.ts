// /metrics on a real runtime, read with a strict Prometheus text parser: scraped before and after a
// run, the counters move by what the run did; the gauges say what the scheduler holds while work
// waits (queue depth and age, executions in flight, sensors waiting, GPUs in use); schedule ticks
// fired and missed are counted; and the cheap histogram writes what prom-client's own would.
import { create } from "@bufbuild/protobuf";
import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { CompiledWorkflowSchema, LiteralSetSchema, SimpleType } from "../../../proto/index.ts";
import { BucketHistogram } from "../../../runtime/metrics/bucket-histogram.ts";
import { RuntimeMetrics } from "../../../runtime/metrics/index.ts";
import { ScheduleTicker } from "../../../runtime/scheduler/index.ts";
import { scheduleTicks } from "../../../core/index.ts";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { adminClient, finished, incTask, int, refNode, runtimePerTest, server, STR, tempDir, TestWorker, waitFor, workflowSpec } from "../harness.ts";
import { parsePrometheusText, sumOf, seriesValue, type Family } from "./prometheus-text.ts";

const rt = runtimePerTest();

async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(`${url}metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parsePrometheusText(await res.text());
}

describe("the strict parser", () => {
  it("reads what it should and refuses what a scraper would", () => {
    const ok = parsePrometheusText(
      [
        "# HELP a_total Things, with \\\\ and \\n escaped",
        "# TYPE a_total counter",
        'a_total{x="1",y="q\\"uote"} 3',
        "a_total 1e3 1700000000000",
        "# TYPE h histogram",
        'h_bucket{le="0.1"} 1',
        'h_bucket{le="+Inf"} 2',
        "h_sum 0.35",
        "h_count 2",
        "",
      ].join("\n"),
    );
    expect(seriesValue(ok, "a_total", { x: "1", y: 'q"uote' })).toBe(3);
    expect(seriesValue(ok, "a_total")).toBe(1000);
    expect(ok.get("a_total")?.help).toBe("Things, with \\ and \n escaped");
    expect(seriesValue(ok, "h_count")).toBe(2);
    for (const bad of [
      "a_total 1",
      "a{x=1} 1\n",
      'a{x="1" 1\n',
      "a one\n",
      "9a 1\n",
      "# TYPE a counter\n# TYPE a counter\n",
      "# TYPE a counter\na -1\n",
      "a 1\na 2\n",
      "a 1\nb 1\na 2\n",
      "a 1\n# TYPE a gauge\n",
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
      '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n',
    ]) {
      expect(() => parsePrometheusText(bad), JSON.stringify(bad)).toThrow(/Prometheus text|histogram/);
    }
  });
});

describe("/metrics", () => {
  it("moves by what a run did: executions, attempts, commits, ready→started; one worker connected", async () => {
    rt.srv = await server(tempDir());
    const url = rt.srv.http!.url;
    const admin = adminClient(rt.srv.address);
    const spec = workflowSpec(
      "three",
      [refNode("a", "inc", { input: "x" }), refNode("b", "inc", { node: "a", output: "y" }), refNode("c", "dec", { node: "b", output: "y" })],
      [incTask(), incTask("dec")],
      { output: { node: "c", output: "y" } },
    );
    await admin.registerWorkflow({ spec });
    const worker = new TestWorker(rt.srv.address);
    rt.workers.push(worker);
    await worker.connect();

    const before = await scrape(url);
    expect(seriesValue(before, "weir_workers_connected", { pool: "cpu" })).toBe(1);
    expect(seriesValue(before, "weir_worker_slots_free", { pool: "cpu" })).toBe(8);
    expect(seriesValue(before, "weir_executions_total", { workflow: "three", state: "SUCCEEDED" })).toBe(0);

    const { execution } = await admin.createExecution({ workflow: "three", inputs: { literals: { x: int(1) } } });
    await finished(admin, execution.id);
    const after = await scrape(url);

    const moved = (name: string, labels: Record<string, string> = {}) => sumOf(after, name, labels) - sumOf(before, name, labels);
    expect(moved("weir_executions_total", { workflow: "three", state: "SUCCEEDED" })).toBe(1);
    expect(moved("weir_executions_total", { workflow: "three" })).toBe(1);
    expect(moved("weir_attempts_total", { workflow: "three", state: "SUCCEEDED" })).toBe(3);
    expect(seriesValue(after, "weir_attempts_total", { workflow: "three", task: "inc", state: "SUCCEEDED" })).toBe(2);
    expect(seriesValue(after, "weir_attempts_total", { workflow: "three", task: "dec", state: "SUCCEEDED" })).toBe(1);
    expect(moved("weir_store_commit_seconds_count")).toBeGreaterThan(0);
    expect(moved("weir_store_commit_seconds_sum")).toBeGreaterThan(0);
    expect(moved("weir_ready_to_started_seconds_count", { pool: "cpu" })).toBe(3);
    expect(seriesValue(after, "weir_workers_connected", { pool: "cpu" })).toBe(1);
    expect(seriesValue(after, "weir_queue_depth", { pool: "cpu" })).toBe(0);
    expect(sumOf(after, "weir_executions_active", { workflow: "three" })).toBe(0);
    // Every family is typed and described, and the process's own metrics come along.
    for (const f of after.values()) expect(f.help, f.name).toBeTruthy();
    expect(after.get("weir_store_commit_seconds")?.type).toBe("histogram");
    expect(after.get("weir_executions_total")?.type).toBe("counter");
    expect(after.get("weir_queue_depth")?.type).toBe("gauge");
    expect(after.has("process_cpu_user_seconds_total")).toBe(true);
    expect(after.has("nodejs_eventloop_lag_seconds")).toBe(true);
    // Labels are names, never execution ids.
    expect([...after.values()].flatMap((f) => f.samples).some((s) => Object.values(s.labels).includes(execution.id))).toBe(false);
  });

  it("says what waits: queue depth and age, executions in flight, sensors waiting, GPUs in use", async () => {
    rt.srv = await server(tempDir());
    const url = rt.srv.http!.url;
    const admin = adminClient(rt.srv.address);
    // "queued" waits in pool "cpu", which no worker serves; "trained" holds a GPU of a worker that never answers.
    await admin.registerWorkflow({ spec: workflowSpec("queued", [refNode("a", "inc", { input: "x" })], [incTask()]) });
    const train = incTask("train", { resources: { pool: "gpu", gpu: 1 } } as never);
    await admin.registerWorkflow({ spec: workflowSpec("trained", [refNode("t", "train", { input: "x" })], [train]) });
    const sensing = create(CompiledWorkflowSchema, {
      workflow: {
        name: "sensing",
        interface: { inputs: [{ name: "p", type: STR }] },
        nodes: [
          {
            id: "wait",
            target: { case: "sensor", value: { sensor: { case: "file", value: { pokeInterval: durationFromMs(50), timeout: durationFromMs(60_000) } } } },
            inputs: [{ var: "path", value: { value: { case: "workflowInput", value: "p" } } }],
          },
        ],
      },
    });
    await admin.registerWorkflow({ spec: sensing });
    const gpuWorker = new TestWorker(rt.srv.address, async () => "hang", {
      pools: ["gpu"],
      capacity: 2,
      gpus: ["NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3"],
    });
    rt.workers.push(gpuWorker);
    await gpuWorker.connect();

    await admin.createExecution({ workflow: "queued", inputs: { literals: { x: int(1) } } });
    await admin.createExecution({ workflow: "queued", inputs: { literals: { x: int(2) } } });
    await admin.createExecution({ workflow: "trained", inputs: { literals: { x: int(1) } } });
    await admin.createExecution({ workflow: "sensing", inputs: create(LiteralSetSchema, { literals: { p: strLiteral("never/arrives.csv") } }) });
    await waitFor(() => gpuWorker.assigns.length === 1 || undefined, 5_000, "the GPU attempt's Assign");

    const now = await waitFor(async () => {
      const m = await scrape(url);
      return seriesValue(m, "weir_queue_oldest_wait_seconds", { pool: "cpu" }) > 0 && seriesValue(m, "weir_sensor_waits", { workflow: "sensing" }) === 1
        ? m
        : undefined;
    });
    expect(seriesValue(now, "weir_queue_depth", { pool: "cpu" })).toBe(2);
    expect(seriesValue(now, "weir_queue_depth", { pool: "gpu" })).toBe(0);
    expect(seriesValue(now, "weir_executions_active", { workflow: "queued", state: "RUNNING" })).toBe(2);
    expect(seriesValue(now, "weir_executions_active", { workflow: "trained", state: "RUNNING" })).toBe(1);
    expect(seriesValue(now, "weir_gpus_in_use", { pool: "gpu", type: "NVIDIA H100 80GB HBM3" })).toBe(1);
    expect(seriesValue(now, "weir_workers_connected", { pool: "gpu" })).toBe(1);
    expect(seriesValue(now, "weir_worker_slots_free", { pool: "gpu" })).toBe(1);
    expect(seriesValue(now, "weir_workers_connected", { pool: "cpu" })).toBe(0);
    expect(seriesValue(now, "weir_ready_to_started_seconds_count", { pool: "gpu" })).toBe(1);
  });

  it("counts schedule ticks fired, and those a pass with catchup off passed over as missed", async () => {
    rt.srv = await server(tempDir());
    const admin = adminClient(rt.srv.address);
    const at = { type: { case: "simple" as const, value: SimpleType.DATETIME } };
    const stamp = { ...incTask("stamp"), interface: { inputs: [{ name: "at", type: at }], outputs: [] } };
    const spec = workflowSpec(
      "every10m",
      [{ id: "s", target: { case: "task", value: "stamp" }, inputs: [{ var: "at", value: { value: { case: "workflowInput", value: "at" } } }] }],
      [stamp],
      {
        schedule: { trigger: { case: "fixedRate", value: durationFromMs(600_000) }, kickoffInput: "at", catchup: false },
      },
    );
    spec.workflow!.interface = create(CompiledWorkflowSchema, { workflow: { interface: { inputs: [{ name: "at", type: at }] } } }).workflow!.interface;
    await admin.registerWorkflow({ spec });
    // A ticker of its own whose clock stands an hour on: the runtime's ticker is still ten minutes from a tick.
    const registeredAt = Date.now();
    const later = registeredAt + 3_600_000;
    const metrics = new RuntimeMetrics(() => rt.srv!.engine.occupancy());
    const ticker = new ScheduleTicker({ store: rt.srv.store, engine: rt.srv.engine, log: silentLog(), now: () => later, observer: metrics });
    await ticker.start();
    await ticker.stop();
    const ticks = scheduleTicks(spec.workflow!.schedule!, registeredAt, later);
    const text = parsePrometheusText(await metrics.text());
    expect(seriesValue(text, "weir_schedule_ticks_total", { workflow: "every10m", outcome: "fired" })).toBe(1);
    expect(seriesValue(text, "weir_schedule_ticks_total", { workflow: "every10m", outcome: "missed" })).toBeGreaterThanOrEqual(ticks.length - 2);
    expect(seriesValue(text, "weir_schedule_ticks_total", { workflow: "every10m", outcome: "missed" })).toBeLessThanOrEqual(ticks.length);
  });
});

describe("BucketHistogram", () => {
  it("writes what prom-client's Histogram writes for the same samples", async () => {
    const bounds = [0.001, 0.01, 0.1, 1];
    const samples = [0, 0.0005, 0.001, 0.002, 0.05, 0.1, 0.7, 3, 12];
    const ours = new Registry();
    const theirs = new Registry();
    const mine = new BucketHistogram("lat_seconds", "latency", bounds, "pool");
    mine.registerIn(ours);
    const reference = new Histogram({ name: "lat_seconds", help: "latency", buckets: bounds, labelNames: ["pool"], registers: [theirs] });
    for (const [i, v] of samples.entries()) {
      const pool = i % 2 ? "gpu" : "cpu";
      mine.observe(v, pool);
      reference.observe({ pool }, v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    parsePrometheusText(await ours.metrics());
  });
});

function strLiteral(s: string) {
  return { value: { case: "scalar" as const, value: { value: { case: "string" as const, value: s } } } };
}

function silentLog() {
  const noop = () => {};
  const log = { info: noop, warn: noop, error: noop, debug: noop, fatal: noop, trace: noop, child: () => log };
  return log as never;
}
