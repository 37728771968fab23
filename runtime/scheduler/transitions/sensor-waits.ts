// Sensor nodes WAITING: the runtime polls the sensor's file itself, without a worker slot, until
// it appears (the node succeeds with it) or the sensor's timeout, counted from when the node first
// waited (a reload keeps that start), runs out.
import { create } from "@bufbuild/protobuf";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { formatDuration } from "../../../core/index.ts";
import { LiteralSetSchema, NodeState } from "../../../proto/index.ts";
import { literalToText, resolveValue } from "../model/bindings.ts";
import type { LiveNode } from "../model/execution-graph.ts";
import { bindingScope, nodeError } from "./node-transitions.ts";
import type { SchedulerContext } from "../scheduler-context.ts";
import { pokeFile, sensorPath, type SensorRoots } from "./sensors.ts";

export class SensorWaits {
  /** The engine stopped: no further polls. */
  private stopped = false;

  constructor(
    private readonly ctx: Pick<SchedulerContext, "commits" | "config" | "nodes">,
    /** Where sensor paths may lead; relative ones resolve against the project root. */
    private readonly roots: SensorRoots,
  ) {}

  start(n: LiveNode, since: number): void {
    const sensor = n.spec!.target.case === "sensor" ? n.spec!.target.value.sensor : undefined;
    if (sensor?.case !== "file") throw new Error(`sensor "${n.id}" has no file condition`);
    const poke = sensor.value.pokeInterval ? durationMs(sensor.value.pokeInterval) : this.ctx.config.sensorPokeMs;
    const timeout = sensor.value.timeout ? durationMs(sensor.value.timeout) : this.ctx.config.sensorTimeoutMs;
    const pathBinding = n.spec!.inputs.find((b) => b.var === "path");
    const given = literalToText(resolveValue(pathBinding?.value, bindingScope(n.scope)));
    const abs = sensorPath(given, this.roots);
    n.state = NodeState.WAITING;
    n.detail.sensorStart = since;
    this.ctx.commits.touchNode(n);
    const check = (): void => {
      if (n.state !== NodeState.WAITING || this.stopped) return;
      void pokeFile(abs, given, this.roots).then(
        (lit) => {
          if (n.state !== NodeState.WAITING || this.stopped) return;
          if (lit) {
            n.outputs = create(LiteralSetSchema, { literals: { file: lit } });
            return this.ctx.nodes.settle(n, NodeState.SUCCEEDED);
          }
          const left = since + timeout - Date.now();
          if (left <= 0) {
            return this.ctx.nodes.fail(n, nodeError(n, "SENSOR_TIMEOUT", `file ${given} did not appear within ${formatDuration(timeout)}`));
          }
          n.timer = setTimeout(check, Math.min(poke, left));
        },
        (err: Error) => {
          // Led outside the sensor roots (through a symlink) or unreadable: waiting longer changes nothing.
          if (n.state === NodeState.WAITING && !this.stopped) this.ctx.nodes.fail(n, nodeError(n, "BINDING_FAILED", err.message));
        },
      );
    };
    check();
  }

  stop(): void {
    this.stopped = true;
  }
}
