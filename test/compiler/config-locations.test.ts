// A schedule, resource, retry or timeout problem is reported at its own property's value, not at
// the task or workflow call around it.
import { describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { fixture } from "./fixture-paths.ts";

const diagnostics = compileProject(fixture("config-locations")).diagnostics;
const at = (code: string) => diagnostics.filter((d) => d.code === code).map((d) => `${d.location?.line}:${d.location?.column}`);

describe("compile: config problems at their property", () => {
  it("points a bad cron at the cron string, not at `export const flow = workflow(`", () => {
    expect(at("WEIR5003")).toEqual(["19:23"]);
  });

  it("points the other schedule problems at their own properties", () => {
    expect(at("WEIR5004")).toEqual(["19:47"]); // timezone
    expect(at("WEIR5007")).toEqual(["19:70"]); // start after end: at start
  });

  it("points resource, retry and timeout problems at their values", () => {
    expect(at("WEIR5001")).toEqual(["8:23"]); // cpu: -1
    expect(at("WEIR5002")).toEqual(["8:32"]); // gpu: 99
    expect(at("WEIR9005")).toEqual(["8:44"]); // memory: "lots"
    expect(at("WEIR5008")).toEqual(["9:26"]); // attempts: 1000
    expect(at("WEIR5010")).toEqual(["9:41"]); // backoff longer than maxDelay: at backoff
    expect(at("WEIR5009")).toEqual(["10:14"]); // timeout: "30d"
  });
});
