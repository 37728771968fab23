// Which HTTP port a runtime opens: 7071 beside gRPC by default, any free one when that is taken
// (the runtime still starts, and says where); a port asked for by name that is taken fails the
// start with what to do, leaving the store free; `httpPort: false` opens none.
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HTTP_DEFAULTS } from "../../../runtime/config.ts";
import { freePort } from "../../e2e/harness.ts";
import { runtimePerTest, server, tempDir } from "../harness.ts";

const rt = runtimePerTest();
const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((ok) => s.close(ok))));
});

/** Holds `port` on 127.0.0.1 (or finds it held by another process already: taken either way). */
async function hold(port: number): Promise<void> {
  const s = createServer();
  await new Promise<void>((ok) => {
    s.once("error", () => ok());
    s.listen(port, "127.0.0.1", () => {
      held.push(s);
      ok();
    });
  });
}

describe("the HTTP port's choice", () => {
  it("falls back to a free port when the default is taken", async () => {
    await hold(HTTP_DEFAULTS.port);
    rt.srv = await server(tempDir(), { port: await freePort() });
    expect(rt.srv.http?.port).toBeGreaterThan(0);
    expect(rt.srv.http?.port).not.toBe(HTTP_DEFAULTS.port);
    expect((await fetch(`${rt.srv.http!.url}healthz`)).status).toBe(200);
  });

  it("fails the start for a taken port asked for by name, and the store stays free", async () => {
    const taken = await freePort();
    await hold(taken);
    const dir = tempDir();
    await expect(server(dir, { httpPort: taken })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${taken} for HTTP .*pass another --http port, or --no-http`),
    );
    rt.srv = await server(dir, { httpPort: false });
    expect(rt.srv.http).toBeUndefined();
  });
});
