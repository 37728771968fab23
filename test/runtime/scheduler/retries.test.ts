import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { ErrorKind, LiteralSetSchema, RetryPolicySchema, TaskTemplateSchema } from "../../../proto/index.ts";
import { RUNTIME_DEFAULTS } from "../../../runtime/config.ts";
import { backoffMs, cacheKey, decideRetry } from "../../../runtime/scheduler/index.ts";
import { int } from "../harness.ts";

const policy = create(RetryPolicySchema, { attempts: 2, backoff: durationFromMs(100), maxDelay: durationFromMs(250) });

describe("retries", () => {
  it("spends user retries on user errors, then gives up", () => {
    const d1 = decideRetry(policy, { code: "TASK_FAILED", kind: ErrorKind.USER }, { user: 0, system: 0 }, RUNTIME_DEFAULTS, () => 1);
    expect(d1).toEqual({ retry: true, budget: "user", delayMs: 100 });
    const d2 = decideRetry(policy, { code: "TASK_FAILED", kind: ErrorKind.USER }, { user: 2, system: 0 }, RUNTIME_DEFAULTS);
    expect(d2.retry).toBe(false);
  });

  it("spends the separate system budget (default 3) on lost workers", () => {
    const lost = { code: "LOST", kind: ErrorKind.SYSTEM };
    expect(decideRetry(policy, lost, { user: 2, system: 2 }, RUNTIME_DEFAULTS)).toMatchObject({ retry: true, budget: "system" });
    expect(decideRetry(policy, lost, { user: 0, system: 3 }, RUNTIME_DEFAULTS).retry).toBe(false);
  });

  it("never retries codes that cannot succeed again", () => {
    expect(decideRetry(policy, { code: "CODE_HASH_MISMATCH", kind: ErrorKind.USER }, { user: 0, system: 0 }, RUNTIME_DEFAULTS).retry).toBe(false);
    expect(decideRetry(policy, { code: "TASK_NOT_FOUND", kind: ErrorKind.USER }, { user: 0, system: 0 }, RUNTIME_DEFAULTS).retry).toBe(false);
  });

  it("doubles the backoff per retry, caps it, and jitters into [half, full]", () => {
    expect(backoffMs(policy, 1, RUNTIME_DEFAULTS, () => 1)).toBe(100);
    expect(backoffMs(policy, 2, RUNTIME_DEFAULTS, () => 1)).toBe(200);
    expect(backoffMs(policy, 5, RUNTIME_DEFAULTS, () => 1)).toBe(250);
    expect(backoffMs(policy, 2, RUNTIME_DEFAULTS, () => 0)).toBe(100);
  });
});

describe("cache key", () => {
  const task = create(TaskTemplateSchema, { name: "inc", version: "code-1" });
  const inputs = create(LiteralSetSchema, { literals: { x: int(1), y: int(2) } });
  it("depends on the task version and the inputs' hashes, not on map order", () => {
    const k = cacheKey(task, inputs);
    expect(cacheKey(task, create(LiteralSetSchema, { literals: { y: int(2), x: int(1) } }))).toBe(k);
    expect(cacheKey(create(TaskTemplateSchema, { name: "inc", version: "code-2" }), inputs)).not.toBe(k);
    expect(cacheKey(task, create(LiteralSetSchema, { literals: { x: int(1), y: int(3) } }))).not.toBe(k);
    expect(cacheKey(create(TaskTemplateSchema, { name: "inc", version: "code-2", cache: { enabled: true, version: "v" } }), inputs)).toBe(
      cacheKey(create(TaskTemplateSchema, { name: "inc", version: "code-3", cache: { enabled: true, version: "v" } }), inputs),
    );
  });
});
