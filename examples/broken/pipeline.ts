// Deliberately broken: each marked line is a mismatch the editor and `weir compile` reject.
import { df, t, task, workflow } from "weir";

const Features = df.schema({
  user_id: df.int64(),
  age: df.int32(),
  sessions: df.int32(),
  churned: df.bool(),
});

/** The trainer was written against an older export where ages were text. */
const TrainingSet = df.schema({
  age: df.utf8(),
  sessions: df.int32(),
  churned: df.bool(),
});

const ReportInput = df.schema({
  user_id: df.int64(),
  tenure_days: df.int32(),
});

export const clean = task(
  { name: "clean", inputs: { day: t.date() }, outputs: { features: Features } },
  () => {
    throw new Error("not run: this example only has to fail compilation");
  },
);

export const train = task(
  { name: "train", inputs: { data: TrainingSet, epochs: t.int() }, outputs: { accuracy: t.float() } },
  () => ({ accuracy: 0 }),
);

export const report = task(
  { name: "report", inputs: { features: ReportInput }, outputs: { summary: t.string() } },
  () => ({ summary: "" }),
);

export const publish = task(
  { name: "publish", inputs: { accuracy: t.float(), version: t.int() }, outputs: { url: t.string() } },
  () => ({ url: "" }),
);

export const brokenPipeline = workflow(
  { name: "broken_pipeline", inputs: { day: t.date() }, outputs: { accuracy: t.float() } },
  ({ day }) => {
    const cleaned = clean({ day });
    const model = train({ data: cleaned.features, epochs: 5 }); // age: Int32 → Utf8
    report({ features: cleaned.features }); // tenure_days is missing
    publish({ accuracy: model.accuracy, version: model.accuracy }); // a float where an int is expected
    return { accuracy: model.accuracy };
  },
);
