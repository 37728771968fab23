// The seed's pipeline, typed end to end: wait for the day's partition → ingest → clean →
// train on a GPU → validate → deploy. Runs daily at 02:00 UTC; missed days are not caught up.
import { sensor, t, when, workflow } from "weir";
import { clean } from "./clean.ts";
import { deploy, holdBack } from "./deploy.ts";
import { ingest } from "./ingest.ts";
import { train } from "./train.ts";
import { validate } from "./validate.ts";

export const mlPipeline = workflow(
  {
    name: "ml_pipeline",
    inputs: { day: t.date() },
    outputs: { accuracy: t.float(), deployed: t.string() },
    schedule: { cron: "0 2 * * *", timezone: "UTC", catchup: false, maxActiveRuns: 3, kickoffInput: "day" },
  },
  ({ day }) => {
    const partition = sensor.file(`data/incoming/${day}/data.csv`, { pokeInterval: "2s", timeout: "2h" });
    const raw = ingest({ file: partition.file });
    const cleaned = clean({ raw: raw.table });
    const model = train({ data: cleaned.features, epochs: 5, learningRate: 0.5 });
    const verdict = validate({ metrics: model.metrics, minAccuracy: 0.6 });
    const release = when(verdict.passed.isTrue())
      .then(() => deploy({ model: model.model, day }))
      .otherwise(() => holdBack({ report: verdict.report }));
    return { accuracy: model.metrics.get("accuracy"), deployed: release.location };
  },
);
