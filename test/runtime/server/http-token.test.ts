// The HTTP port of a runtime with TLS and a token: HTTPS with the gRPC port's certificate; every
// Connect call (unary or streaming, Connect or gRPC-Web, AdminService or ArtifactService) and
// /metrics refused without the right token, with gRPC's refusal texts; the UI's files and /healthz
// served to anyone (they hold no data).
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { beforeAll, describe, expect, it } from "vitest";
import type { DescService } from "@bufbuild/protobuf";
import { AdminService, ArtifactService, BlobKind } from "../../../proto/index.ts";
import { REFUSALS } from "../../../runtime/server/auth.ts";
import { runtimePerTest, server, tempDir } from "../harness.ts";

const TLS_DIR = join(import.meta.dirname, "../../fixtures/tls");
const CA = readFileSync(join(TLS_DIR, "ca.pem"));
const TLS = { cert: readFileSync(join(TLS_DIR, "server.pem")), key: readFileSync(join(TLS_DIR, "server-key.pem")) };
const TOKEN = "http-token-0123456789abcdef";
const INDEX = "<!doctype html><title>weir</title>";

const rt = runtimePerTest();
let uiRoot: string;
beforeAll(() => {
  uiRoot = join(tempDir(), "ui");
  mkdirSync(uiRoot, { recursive: true });
  writeFileSync(join(uiRoot, "index.html"), INDEX);
});

async function secured(): Promise<string> {
  rt.srv = await server(tempDir(), { tls: TLS, token: TOKEN, uiRoot });
  const url = rt.srv.http!.url;
  expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
  return url;
}

/** A Connect (or gRPC-Web) client of `service` that sends `authorization` as given (none when undefined). */
function client<S extends DescService>(service: S, url: string, authorization: string | undefined, protocol: "connect" | "grpc-web" = "connect") {
  const auth: Interceptor = (next) => (req) => {
    if (authorization !== undefined) req.header.set("authorization", authorization);
    return next(req);
  };
  const options = { baseUrl: url, httpVersion: "1.1" as const, nodeOptions: { ca: CA }, interceptors: [auth] };
  return createClient(service, protocol === "connect" ? createConnectTransport(options) : createGrpcWebTransport(options));
}

const admin = (url: string, authorization: string | undefined, protocol: "connect" | "grpc-web" = "connect") =>
  client(AdminService, url, authorization, protocol);

/** A blob's bytes as DownloadBlob streams them from `offset`, with the size its first message gives. */
async function download(url: string, authorization: string | undefined, sha256: string, offset = 0n) {
  const chunks: Buffer[] = [];
  let size: bigint | undefined;
  let at = offset;
  for await (const m of client(ArtifactService, url, authorization).downloadBlob({ sha256, offset })) {
    size ??= m.size;
    expect(m.offset).toBe(at);
    at += BigInt(m.data.byteLength);
    chunks.push(Buffer.from(m.data));
  }
  return { size, bytes: Buffer.concat(chunks) };
}

async function refusal(call: Promise<unknown>): Promise<ConnectError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

function get(url: string, authorization?: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { ca: CA, headers: authorization ? { authorization } : {} }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => ok({ status: res.statusCode!, type: res.headers["content-type"], body }));
    });
    req.on("error", fail);
    req.end();
  });
}

describe("the HTTP port with a token", () => {
  it("refuses Connect calls without the right token, with gRPC's texts, and serves those with it", async () => {
    const url = await secured();
    for (const [sent, why] of [
      [undefined, "MISSING"],
      ["Bearer not-the-token", "WRONG"],
      [TOKEN, "MALFORMED"],
    ] as const) {
      const err = await refusal(admin(url, sent).listWorkflows({}));
      expect([err.code, err.rawMessage]).toEqual([Code.Unauthenticated, REFUSALS[why]]);
      expect(err.rawMessage).not.toContain(TOKEN);
      const overGrpcWeb = await refusal(admin(url, sent, "grpc-web").listWorkflows({}));
      expect([overGrpcWeb.code, overGrpcWeb.rawMessage]).toEqual([Code.Unauthenticated, REFUSALS[why]]);
    }
    // A stream is refused the same way, before it starts.
    const watch = await refusal(
      (async () => {
        for await (const _ of admin(url, undefined).watchExecution({ id: "any" })) void _;
      })(),
    );
    expect([watch.code, watch.rawMessage]).toEqual([Code.Unauthenticated, REFUSALS.MISSING]);

    expect((await admin(url, `Bearer ${TOKEN}`).listWorkflows({})).workflows).toEqual([]);
    expect((await admin(url, `Bearer ${TOKEN}`, "grpc-web").listWorkflows({})).workflows).toEqual([]);
    const notFound = await refusal(admin(url, `Bearer ${TOKEN}`).getExecution({ id: "nope" }));
    expect(notFound.code).toBe(Code.NotFound);
  });

  it("serves ArtifactService's DownloadBlob over Connect with the token, refused without it", async () => {
    const url = await secured();
    // Over 1 MiB: more than one chunk.
    const bytes = randomBytes(1024 * 1024 + 300_000);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    expect((await admin(url, `Bearer ${TOKEN}`).putArtifact({ kind: BlobKind.FILE, data: bytes })).sha256).toBe(sha256);

    const whole = await download(url, `Bearer ${TOKEN}`, sha256);
    expect(whole.size).toBe(BigInt(bytes.byteLength));
    expect(whole.bytes.equals(bytes)).toBe(true);
    const rest = await download(url, `Bearer ${TOKEN}`, sha256, 1_000_000n);
    expect(rest.bytes.equals(bytes.subarray(1_000_000))).toBe(true);
    const stat = await client(ArtifactService, url, `Bearer ${TOKEN}`).statBlob({ sha256 });
    expect([stat.present, stat.size]).toEqual([true, BigInt(bytes.byteLength)]);

    for (const [sent, why] of [
      [undefined, "MISSING"],
      ["Bearer not-the-token", "WRONG"],
    ] as const) {
      const err = await refusal(download(url, sent, sha256));
      expect([err.code, err.rawMessage]).toEqual([Code.Unauthenticated, REFUSALS[why]]);
    }
    // The same door as over gRPC: names are hashes only, and a missing blob is NOT_FOUND.
    expect((await refusal(download(url, `Bearer ${TOKEN}`, "../../etc/passwd"))).code).toBe(Code.InvalidArgument);
    expect((await refusal(download(url, `Bearer ${TOKEN}`, "0".repeat(64)))).code).toBe(Code.NotFound);
  });

  it("refuses /metrics without the right token; the UI's files and /healthz need none", async () => {
    const url = await secured();
    const without = await get(`${url}metrics`);
    expect([without.status, without.body.trim()]).toEqual([401, REFUSALS.MISSING]);
    const wrong = await get(`${url}metrics`, "Bearer nope");
    expect([wrong.status, wrong.body.trim()]).toEqual([401, REFUSALS.WRONG]);
    const right = await get(`${url}metrics`, `Bearer ${TOKEN}`);
    expect(right.status).toBe(200);
    expect(right.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(right.body).toMatch(/^# HELP weir_executions_total /m);

    const page = await get(url);
    expect([page.status, page.body]).toEqual([200, INDEX]);
    expect((await get(`${url}runs/some-run`)).body).toBe(INDEX);
    expect(await get(`${url}healthz`)).toMatchObject({ status: 200, body: "ok\n" });
  });
});
