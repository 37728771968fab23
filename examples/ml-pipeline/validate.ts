// Step 4: decide whether the new model is good enough to ship.
import { t, task } from "weir";
import { Metrics } from "./schemas.ts";

export const validate = task(
  {
    name: "validate",
    inputs: { metrics: Metrics, minAccuracy: t.float() },
    outputs: { passed: t.bool(), report: t.string() },
  },
  ({ metrics, minAccuracy }) => {
    const passed = metrics.accuracy >= minAccuracy;
    const verdict = passed ? "passed" : "failed";
    return {
      passed,
      report: `accuracy ${metrics.accuracy.toFixed(3)} on ${metrics.rows} rows ${verdict} the ${minAccuracy} bar`,
    };
  },
);
