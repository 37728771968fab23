// The pipeline's data contracts: what each step promises about the tables it hands on.
import { z } from "zod";
import { df, t } from "weir";

/** One day's partition as it lands: free-text ages, gaps everywhere. */
export const RawEvents = df.schema({
  user_id: df.int64(),
  age: df.utf8().nullable(),
  country: df.utf8().nullable(),
  sessions: df.int32(),
  spend: df.float64().nullable(),
  churned: df.bool(),
});

/** After cleaning: ages parsed to integers, incomplete rows dropped, countries dictionary-encoded. */
export const Features = df.schema({
  user_id: df.int64(),
  age: df.int32(),
  country: df.dictionary(df.utf8()),
  sessions: df.int32(),
  spend: df.float64(),
  churned: df.bool(),
});

/** What training reads: a projection of Features (int32 ages widen losslessly to int64). */
export const TrainingSet = df.schema({
  age: df.int64(),
  sessions: df.int32(),
  spend: df.float64(),
  churned: df.bool(),
});

export const Metrics = t.struct(
  z.object({
    accuracy: z.number().min(0).max(1),
    loss: z.number().nonnegative(),
    rows: z.number().int().nonnegative(),
  }),
);

export const ModelFile = t.file({ format: "json" });
