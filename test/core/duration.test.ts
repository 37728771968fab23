// Durations: the one formatter (timeouts in failure messages, diagnostics, the CLI's spans and
// schedules) writes what parseDuration reads back.
import { expect, test } from "vitest";
import { formatDuration, parseDuration } from "../../core/index.ts";

test("formatDuration: ms under a second, tenths of seconds under a minute, then the two largest units", () => {
  const cases: Array<[number, string]> = [
    [0, "0ms"],
    [300, "300ms"],
    [999.6, "1s"],
    [1_234, "1.2s"],
    [1_500, "1.5s"],
    [30_000, "30s"],
    [59_960, "1m"],
    [90_000, "1m30s"],
    [184_123, "3m4s"],
    [3_600_000, "1h"],
    [7_559_000, "2h5m"],
    [86_400_000, "1d"],
    [90_061_000, "1d1h"],
    [-5_000, "-5s"],
  ];
  expect(cases.map(([ms]) => formatDuration(ms))).toEqual(cases.map(([, text]) => text));
});

test("what formatDuration writes, parseDuration reads back (exactly, when nothing was rounded away)", () => {
  for (const ms of [300, 1_500, 30_000, 90_000, 3_600_000, 7_500_000, 86_400_000, 93_600_000]) {
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  }
});
