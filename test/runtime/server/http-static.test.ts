// The web UI's files on the runtime's HTTP port, from a folder given as `uiRoot` (a fake build):
// a file for its path with its content type and caching, index.html for the page's client-side
// routes, 404 for a missing asset, and nothing outside the folder however the path is written
// (`..`, `%2e%2e`, `..%2f`, a symlink out). /healthz answers; AdminService's paths are not files.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UI_CACHING } from "../../../runtime/server/http/ui-files.ts";
import { runtimePerTest, server, tempDir } from "../harness.ts";

const rt = runtimePerTest();
const INDEX = "<!doctype html><title>weir</title><div id=root></div>";
const SECRET = "the secret outside the UI folder";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path exactly as written (fetch would normalise `..` away first). */
function raw(address: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
  return new Promise((ok, fail) => {
    const req = request({ host, port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => ok({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

let uiRoot: string;
beforeAll(() => {
  const dir = tempDir();
  uiRoot = join(dir, "ui");
  mkdirSync(join(uiRoot, "assets"), { recursive: true });
  writeFileSync(join(uiRoot, "index.html"), INDEX);
  writeFileSync(join(uiRoot, "assets", "main-ABCD1234.js"), "console.log('weir');\n");
  writeFileSync(join(uiRoot, "assets", "main-ABCD1234.css"), "body{margin:0}\n");
  writeFileSync(join(uiRoot, "robots.txt"), "User-agent: *\n");
  writeFileSync(join(dir, "secret.txt"), SECRET);
  symlinkSync(join(dir, "secret.txt"), join(uiRoot, "assets", "link-out.txt"));
  symlinkSync(dir, join(uiRoot, "assets", "dir-out"));
});

async function address(): Promise<string> {
  rt.srv = await server(tempDir(), { uiRoot });
  return rt.srv.http!.address;
}

describe("the UI's files", () => {
  it("serves a file with its content type, hashed assets for a year and index.html revalidated", async () => {
    const at = await address();
    const js = await raw(at, "/assets/main-ABCD1234.js");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe(UI_CACHING.hashed);
    expect(js.headers["x-content-type-options"]).toBe("nosniff");
    expect(js.body).toBe("console.log('weir');\n");
    expect((await raw(at, "/assets/main-ABCD1234.css")).headers["content-type"]).toBe("text/css; charset=utf-8");
    const robots = await raw(at, "/robots.txt");
    expect(robots.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(robots.headers["cache-control"]).toBe(UI_CACHING.revalidate);

    const index = await raw(at, "/");
    expect(index.status).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.body).toBe(INDEX);
    // Revalidation: the same ETag is answered 304 without a body.
    const again = await raw(at, "/", { headers: { "if-none-match": String(index.headers.etag) } });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
    const head = await raw(at, "/assets/main-ABCD1234.js", { method: "HEAD" });
    expect([head.status, head.headers["content-length"], head.body]).toEqual([200, "21", ""]);
  });

  it("answers the page's client-side routes with index.html, and a missing asset with 404", async () => {
    const at = await address();
    for (const route of ["/runs", "/runs/ml_pipeline-2024-05-01", "/workflows/daily?tab=graph", "/a/b/c/"]) {
      const res = await raw(at, route);
      expect([route, res.status, res.body]).toEqual([route, 200, INDEX]);
    }
    expect((await raw(at, "/assets/missing-0000AAAA.js")).status).toBe(404);
    expect((await raw(at, "/favicon.ico")).status).toBe(404);
    expect((await raw(at, "/", { method: "POST" })).status).toBe(405);
  });

  it("serves nothing outside its folder, however the path is written", async () => {
    const at = await address();
    const attempts = [
      "/../secret.txt",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/assets/%2e%2e%5c..%5csecret.txt",
      "/assets/link-out.txt",
      "/assets/dir-out/secret.txt",
      "/assets/main-ABCD1234.js%00.html",
      "/%",
    ];
    for (const path of attempts) {
      const res = await raw(at, path);
      expect(res.body, path).not.toContain(SECRET);
      // Either refused, or (where the URL itself already resolves inside) the page's index.
      expect([404, 200], path).toContain(res.status);
      if (res.status === 200) expect(res.body, path).toBe(INDEX);
    }
    // Those that name a file are refused outright.
    for (const path of ["/..%2fsecret.txt", "/assets/link-out.txt", "/assets/dir-out/secret.txt", "/%2e%2e%2fsecret.txt"]) {
      expect((await raw(at, path)).status, path).toBe(404);
    }
  });

  it("answers /healthz, and leaves AdminService's paths to Connect", async () => {
    const at = await address();
    const health = await raw(at, "/healthz");
    expect([health.status, health.body]).toEqual([200, "ok\n"]);
    // A GET of an RPC path is Connect's to refuse (its methods take POST), never the page.
    const rpc = await raw(at, "/weir.v1.AdminService/ListWorkflows");
    expect(rpc.status).not.toBe(200);
    expect(rpc.body).not.toBe(INDEX);
    expect((await raw(at, "/weir.v1.AdminService/NoSuchMethod", { method: "POST" })).status).toBe(404);
  });
});
