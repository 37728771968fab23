// Editor-time dataframe compatibility: every mismatched edge is a real call site in a workflow body.
import { describe, expectTypeOf, test } from "vitest";
import { df, task, workflow } from "../../sdk/index.ts";
import type { DataFrameType, WeirType } from "../../sdk/index.ts";

const produce = <O extends WeirType>(out: O) => task({ name: "produce", inputs: {}, outputs: { out } }, () => ({}) as never);
const consume = <I extends WeirType>(inp: I) => task({ name: "consume", inputs: { inp }, outputs: {} }, () => ({}));

/** Compiles a workflow wiring producer → consumer; a bad edge is an error on `inp`. */
const wire = <P extends WeirType, C extends WeirType>(p: P, c: C) => ({ producer: produce(p), consumer: consume(c) });

describe("column descriptors", () => {
  test("literal arrow types and params", () => {
    const s = df.schema({
      age: df.int32(),
      country: df.utf8().nullable(),
      at: df.timestamp("ms", "UTC"),
      price: df.decimal(10, 2),
      tags: df.list(df.utf8()),
      loc: df.struct({ lat: df.float64(), lon: df.float64().nullable() }),
      kind: df.dictionary(df.utf8()),
      day: df.date(),
    });
    expectTypeOf(s.kind).toEqualTypeOf<"dataframe">();
    expectTypeOf(s.format).toEqualTypeOf<"arrow">();
    expectTypeOf(s.columns.age.arrow).toEqualTypeOf<"int32">();
    expectTypeOf(s.columns.age.nullable).toEqualTypeOf<false>();
    expectTypeOf(s.columns.country.arrow).toEqualTypeOf<"utf8">();
    expectTypeOf(s.columns.country.nullable).toEqualTypeOf<true>();
    expectTypeOf(s.columns.at.unit).toEqualTypeOf<"ms">();
    expectTypeOf(s.columns.at.tz).toEqualTypeOf<"UTC">();
    expectTypeOf(s.columns.price.precision).toEqualTypeOf<10>();
    expectTypeOf(s.columns.price.scale).toEqualTypeOf<2>();
    expectTypeOf(s.columns.tags.child.arrow).toEqualTypeOf<"utf8">();
    expectTypeOf(s.columns.tags.child.nullable).toEqualTypeOf<false>();
    expectTypeOf(s.columns.loc.children.lon.nullable).toEqualTypeOf<true>();
    expectTypeOf(s.columns.kind.value.arrow).toEqualTypeOf<"utf8">();
    expectTypeOf(s.columns.day.unit).toEqualTypeOf<"day">();
    expectTypeOf(df.any().any).toEqualTypeOf<true>();
    expectTypeOf(s).toExtend<DataFrameType>();
  });
});

describe("dataframe edges", () => {
  test("accepted edges", () => {
    workflow({ name: "ok" }, () => {
      {
        const { producer, consumer } = wire(df.schema({ a: df.int32(), b: df.utf8() }), df.schema({ a: df.int32(), b: df.utf8() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.int32(), extra: df.bool() }), df.schema({ a: df.int32() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.int8() }), df.schema({ a: df.int16() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.int8() }), df.schema({ a: df.int64() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.int16() }), df.schema({ a: df.int32() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.uint8() }), df.schema({ a: df.int16() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.uint16() }), df.schema({ a: df.int32() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.uint32() }), df.schema({ a: df.int64() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.uint8() }), df.schema({ a: df.uint64() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.float16() }), df.schema({ a: df.float64() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.float32() }), df.schema({ a: df.float64() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.utf8() }), df.schema({ a: df.utf8().nullable() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.dictionary(df.utf8()) }), df.schema({ a: df.utf8() }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.timestamp("ms", "UTC") }), df.schema({ a: df.timestamp("ms", "UTC") }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.decimal(10, 2) }), df.schema({ a: df.decimal(10, 2) }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.list(df.int8()) }), df.schema({ a: df.list(df.int32()) }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.struct({ x: df.int32(), y: df.utf8() }) }), df.schema({ a: df.struct({ x: df.int64() }) }));
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.schema({ a: df.int32() }), df.any());
        consumer({ inp: producer({}).out });
      }
      {
        const { producer, consumer } = wire(df.any(), df.schema({ a: df.int32() }));
        consumer({ inp: producer({}).out });
      }
    });
  });

  test("rejected edges", () => {
    workflow({ name: "bad" }, () => {
      const p1 = produce(df.schema({ a: df.int64() }))({});
      // @ts-expect-error int64 does not narrow to int32
      consume(df.schema({ a: df.int32() }))({ inp: p1.out });

      const p2 = produce(df.schema({ a: df.int32() }))({});
      // @ts-expect-error int32 is not utf8
      consume(df.schema({ a: df.utf8() }))({ inp: p2.out });

      const p3 = produce(df.schema({ a: df.int32() }))({});
      // @ts-expect-error missing column b
      consume(df.schema({ a: df.int32(), b: df.int32() }))({ inp: p3.out });

      const p4 = produce(df.schema({ a: df.int32().nullable() }))({});
      // @ts-expect-error nullable producer into non-nullable consumer
      consume(df.schema({ a: df.int32() }))({ inp: p4.out });

      const p5 = produce(df.schema({ a: df.utf8() }))({});
      // @ts-expect-error utf8 does not become dictionary<utf8>
      consume(df.schema({ a: df.dictionary(df.utf8()) }))({ inp: p5.out });

      const p6 = produce(df.schema({ a: df.timestamp("ms") }))({});
      // @ts-expect-error timestamp unit mismatch
      consume(df.schema({ a: df.timestamp("us") }))({ inp: p6.out });

      const p7 = produce(df.schema({ a: df.timestamp("ms", "UTC") }))({});
      // @ts-expect-error timestamp time zone mismatch
      consume(df.schema({ a: df.timestamp("ms", "Europe/Paris") }))({ inp: p7.out });

      const p8 = produce(df.schema({ a: df.int64() }))({});
      // @ts-expect-error int64 into uint64 is not lossless
      consume(df.schema({ a: df.uint64() }))({ inp: p8.out });

      const p9 = produce(df.schema({ a: df.int8() }))({});
      // @ts-expect-error signed into unsigned
      consume(df.schema({ a: df.uint16() }))({ inp: p9.out });

      const p10 = produce(df.schema({ a: df.uint32() }))({});
      // @ts-expect-error uint32 does not fit int32
      consume(df.schema({ a: df.int32() }))({ inp: p10.out });

      const p11 = produce(df.schema({ a: df.float64() }))({});
      // @ts-expect-error float64 does not narrow to float32
      consume(df.schema({ a: df.float32() }))({ inp: p11.out });

      const p12 = produce(df.schema({ a: df.int32() }))({});
      // @ts-expect-error int is not float
      consume(df.schema({ a: df.float64() }))({ inp: p12.out });

      const p13 = produce(df.schema({ a: df.decimal(10, 2) }))({});
      // @ts-expect-error decimal scale mismatch
      consume(df.schema({ a: df.decimal(10, 3) }))({ inp: p13.out });

      const p14 = produce(df.schema({ a: df.list(df.int32().nullable()) }))({});
      // @ts-expect-error nullable list items into non-nullable list items
      consume(df.schema({ a: df.list(df.int32()) }))({ inp: p14.out });

      const p15 = produce(df.schema({ a: df.struct({ x: df.int32() }) }))({});
      // @ts-expect-error struct child missing
      consume(df.schema({ a: df.struct({ x: df.int32(), y: df.int32() }) }))({ inp: p15.out });

      const p16 = produce(df.schema({ a: df.date("millisecond") }))({});
      // @ts-expect-error date unit mismatch
      consume(df.schema({ a: df.date() }))({ inp: p16.out });

      const p17 = produce(df.schema({ a: df.int32() }))({});
      // @ts-expect-error a dataframe is not an int
      consume({ kind: "int" } as const)({ inp: p17.out });
    });
  });
});
