// The editor's verdict on every case of the agreement table: a producer's `Ref` feeds the consumer's
// input exactly when the case says "accept". A branch's output is the union of its arms' types
// (the SDK's join), checked below against a real when/otherwise too.
import { describe, expectTypeOf, test } from "vitest";
import { df, task, when, workflow } from "../../sdk/index.ts";
import type { Bindable, Ref, WeirType } from "../../sdk/index.ts";
import type { AgreementCase, agreementCases } from "./agreement-cases.ts";

type EditorVerdict<P extends WeirType, C extends WeirType> = [Ref<P>] extends [Bindable<C>] ? "accept" : "refuse";

/** The names of the cases the editor decides otherwise than the table (never, when all agree). */
type Disagreements<Cases extends readonly AgreementCase[]> = {
  [K in keyof Cases]: EditorVerdict<Cases[K]["producers"][number], Cases[K]["consumer"]> extends Cases[K]["verdict"] ? never : Cases[K]["name"];
}[number];

// A disagreement is a type error naming the cases: "'int8 -> int16' does not satisfy the constraint 'never'".
type NoneOf<Names extends never> = Names;
// biome-ignore lint/suspicious/noExportsInTest: exported so that the type is checked and not reported unused.
export type EditorDisagreements = NoneOf<Disagreements<typeof agreementCases>>;

describe("the editor agrees with the agreement table", () => {
  test("every case", () => {
    expectTypeOf<Disagreements<typeof agreementCases>>().toEqualTypeOf<never>();
  });

  test("a branch's output is the union of its arms, whichever arm comes first", () => {
    const int32 = df.schema({ n: df.int32() });
    const int64 = df.schema({ n: df.int64() });
    const gate = task({ name: "gate", inputs: {}, outputs: { ok: { kind: "bool" } as const } }, () => ({ ok: true }));
    const p32 = task({ name: "p32", inputs: {}, outputs: { out: int32 } }, () => ({}) as never);
    const p64 = task({ name: "p64", inputs: {}, outputs: { out: int64 } }, () => ({}) as never);
    const consume = task({ name: "consume", inputs: { inp: int64 }, outputs: {} }, () => ({}));
    const narrow = task({ name: "narrow", inputs: { inp: int32 }, outputs: {} }, () => ({}));
    workflow({ name: "branches" }, () => {
      const ok = gate({}).ok;
      const first = when(ok.isTrue())
        .then(() => ({ out: p32({}).out }))
        .otherwise(() => ({ out: p64({}).out }));
      const second = when(ok.isTrue())
        .then(() => ({ out: p64({}).out }))
        .otherwise(() => ({ out: p32({}).out }));
      expectTypeOf(first.out).toEqualTypeOf<Ref<typeof int32 | typeof int64>>();
      consume({ inp: first.out });
      consume({ inp: second.out });
      // @ts-expect-error the int64 arm does not narrow to int32
      narrow({ inp: first.out });
    });
  });
});
