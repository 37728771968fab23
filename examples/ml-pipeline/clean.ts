// Step 2: parse free-text ages, drop incomplete rows, dictionary-encode countries.
import { df, task } from "weir";
import { Features, RawEvents } from "./schemas.ts";

export const clean = task(
  {
    name: "clean",
    inputs: { raw: RawEvents },
    outputs: { features: Features },
    cache: true,
  },
  ({ raw }, ctx) => {
    const keep: number[] = [];
    const ages: number[] = [];
    const age = raw.getChild("age")!;
    const country = raw.getChild("country")!;
    const spend = raw.getChild("spend")!;
    for (let i = 0; i < raw.numRows; i++) {
      const parsed = Number.parseInt(String(age.get(i) ?? ""), 10);
      if (!Number.isFinite(parsed) || parsed < 0 || parsed > 120) continue;
      if (country.get(i) == null || spend.get(i) == null) continue;
      keep.push(i);
      ages.push(parsed);
    }
    ctx.log(`kept ${keep.length} of ${raw.numRows} rows`);
    const column = (name: string) => keep.map((i) => raw.getChild(name)!.get(i));
    return {
      features: df.table(Features, {
        user_id: column("user_id") as bigint[],
        age: ages,
        country: column("country") as string[],
        sessions: column("sessions") as number[],
        spend: column("spend") as number[],
        churned: column("churned") as boolean[],
      }),
    };
  },
);
