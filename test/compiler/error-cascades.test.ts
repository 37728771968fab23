// One mistake in a workflow body gives one error: what an unsupported construct leaves unknown
// (an unbound input, an unbound output, a read of its name) is not reported again.
import { describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { fixture } from "./fixture-paths.ts";

const diagnostics = compileProject(fixture("await-cascade")).diagnostics;
const weir = (workflow: string) => diagnostics.filter((d) => d.workflow === workflow || (d.workflow === undefined && d.code !== "WEIR9001"));
const codesIn = (workflow: string) => weir(workflow).map((d) => `${d.code}@${d.location?.line}`);

describe("compile: no cascades after an unsupported construct", () => {
  it("reports an async body once, at `async`, and still wires what it awaits (no false unbound input)", () => {
    expect(codesIn("plain")).toEqual(["WEIR9002@7"]);
    expect(weir("plain")[0].message).toContain("'async'");
  });

  it("reports an async body once when the workflow declares outputs (tsc's Promise error on that line is dropped)", () => {
    expect(
      diagnostics.filter((d) => d.location?.line === 12 || d.location?.line === 13 || d.location?.line === 14 || d.location?.line === 15).map((d) => d.code),
    ).toEqual(["WEIR9002"]);
  });

  it("reports an await in a body that is not async once, at the await", () => {
    expect(codesIn("syncAwait")).toEqual(["WEIR9002@30"]);
    // tsc's own TS1308 (await outside async) on that line says the same thing: dropped.
    expect(diagnostics.filter((d) => d.location?.line === 30 || d.location?.line === 31).map((d) => d.code)).toEqual(["WEIR9002"]);
    expect(weir("syncAwait")[0].message).toContain("'await'");
  });

  it("drops the unbound-input error of a binding whose value was reported", () => {
    expect(codesIn("badBinding")).toEqual(["WEIR9002@19"]);
  });

  it("reads of a const whose initializer was reported are silent, and so are the inputs and outputs they leave unbound", () => {
    expect(codesIn("badConst")).toEqual(["WEIR9002@23"]);
  });
});
