// The literal a schedule's tick gives the workflow's kickoff input (when it ticks: core/schedule-ticks.ts).
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LiteralSchema, SimpleType, type Literal, type TypedInterface } from "../../../proto/index.ts";
import { withHash } from "../model/bindings.ts";

/** The tick as the kickoff input's type wants it: a date (YYYY-MM-DD in the schedule's zone) or a datetime. */
export function kickoffLiteral(iface: TypedInterface | undefined, input: string, tick: number, timezone = ""): Literal {
  const v = iface?.inputs.find((x) => x.name === input);
  const t = v?.type?.type;
  const simple = t?.case === "simple" ? t.value : t?.case === "optional" && t.value.inner?.type.case === "simple" ? t.value.inner.type.value : undefined;
  const value =
    simple === SimpleType.DATE
      ? { case: "date" as const, value: localDate(tick, timezone || "UTC") }
      : { case: "datetime" as const, value: timestampFromMs(tick) };
  return withHash(create(LiteralSchema, { value: { case: "scalar", value: { value } } }));
}

/** YYYY-MM-DD of an instant in an IANA zone (en-CA formats dates that way). */
function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(ms));
}
