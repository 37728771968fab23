import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TaskTemplateSchema } from "../../../proto/index.ts";
import { TaskTemplates } from "../../../runtime/worker/task-templates.ts";

const task = create(TaskTemplateSchema, { name: "add", version: "v1", runtime: { case: "node", value: { module: "src/tasks.ts", exportName: "add" } } });

describe("TaskTemplates", () => {
  it("gives equal template bytes one id and different ones another", () => {
    const templates = new TaskTemplates();
    const bytes = toBinary(TaskTemplateSchema, task);
    const a = templates.get(new Uint8Array([0xff, ...bytes]).subarray(1));
    const b = templates.get(bytes);
    const other = templates.get(toBinary(TaskTemplateSchema, create(TaskTemplateSchema, { ...task, version: "v2" })));
    expect(a.tid).toBe(b.tid);
    expect(other.tid).not.toBe(a.tid);
    expect(b.task.name).toBe("add");
  });
});
