import { describe, expect, it } from "vitest";
import { LEASE_BLOCK, LeaseTable } from "../../../runtime/scheduler/durability/leases.ts";

describe("LeaseTable", () => {
  it("reserves tokens a block at a time, and a table started from the reservation continues above every token", () => {
    const reserved: bigint[] = [];
    const table = new LeaseTable<string>(5n);
    const tokens = Array.from({ length: Number(LEASE_BLOCK) + 1 }, (_, i) => table.grant(`a${i}`, (through) => reserved.push(through)));
    expect(tokens[0]).toBe(6n);
    expect(reserved).toEqual([5n + LEASE_BLOCK, 5n + 2n * LEASE_BLOCK]);
    expect(table.holder(6n)).toBe("a0");
    table.release(6n);
    expect(table.holder(6n)).toBeUndefined();
    const restarted = new LeaseTable<string>(reserved.at(-1)!);
    expect(restarted.grant("b", () => undefined)).toBeGreaterThan(tokens.at(-1)!);
  });
});
