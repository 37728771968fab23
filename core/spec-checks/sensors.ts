// Sensors: the runtime re-checks them on an interval, so the interval and timeout must be positive.
import type { Node } from "../../proto/messages.ts";
import { Diagnostics } from "../diagnostics.ts";
import { spanOf } from "./context.ts";
import { durationText, seconds } from "./durations.ts";
import type { WorkflowCheck } from "./workflow-check.ts";
import { where } from "./workflow-check.ts";

export function checkSensor(wc: WorkflowCheck, node: Node): void {
  if (node.target.case !== "sensor") return;
  const s = node.target.value.sensor;
  if (s.case !== "file") return;
  for (const [name, d] of [
    ["poke interval", s.value.pokeInterval],
    ["timeout", s.value.timeout],
  ] as const) {
    if (d !== undefined && seconds(d) <= 0) {
      wc.ctx.report(Diagnostics.InvalidSensorInterval, [node.id, name, durationText(d)], where(wc, spanOf(node.source), node.id));
    }
  }
}
