// ArtifactService on a real runtime, called as any gRPC client would: blobs by sha256 only (a path,
// `..` or any other name is INVALID_ARGUMENT before the disk is touched), downloads from an offset,
// and uploads stored only when their bytes hash to the sha256 their header declares.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { create, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import {
  ArtifactService,
  DownloadBlobRequestSchema,
  StatBlobRequestSchema,
  UploadBlobRequestSchema,
  grpcServiceDefinition,
  type DownloadBlobResponse,
  type StatBlobResponse,
  type UploadBlobResponse,
} from "../../../proto/index.ts";
import { LocalArtifactStore } from "../../../runtime/artifacts/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { server, tempDir } from "../harness.ts";
import { rawCall, type MethodKind } from "../server/raw-calls.ts";

const METHODS = grpcServiceDefinition(ArtifactService);
type UploadPart = { case: "header"; value: { sha256: string; size: bigint } } | { case: "data"; value: Uint8Array };

let running: RunningServer | undefined;
const clients: grpc.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await running?.stop();
  running = undefined;
});

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const bytesOf = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251);

async function start(token?: string): Promise<{ root: string; client: grpc.Client; metadata: () => grpc.Metadata }> {
  const dir = tempDir();
  running = await server(dir, token ? { token } : {});
  const client = new grpc.Client(running.address, grpc.credentials.createInsecure());
  clients.push(client);
  const metadata = () => {
    const m = new grpc.Metadata();
    if (token) m.set("authorization", `Bearer ${token}`);
    return m;
  };
  return { root: join(dir, ".weir", "artifacts"), client, metadata };
}

function stat(client: grpc.Client, sha256: string, metadata = new grpc.Metadata()): Promise<StatBlobResponse> {
  const m = METHODS.statBlob!;
  return new Promise((ok, fail) =>
    client.makeUnaryRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize as (b: Buffer) => StatBlobResponse,
      create(StatBlobRequestSchema, { sha256 }),
      metadata,
      (err, res) => (err ? fail(err) : ok(res!)),
    ),
  );
}

async function download(client: grpc.Client, sha256: string, offset = 0n): Promise<DownloadBlobResponse[]> {
  const m = METHODS.downloadBlob!;
  const call = client.makeServerStreamRequest(
    m.path,
    m.requestSerialize,
    m.responseDeserialize as (b: Buffer) => DownloadBlobResponse,
    create(DownloadBlobRequestSchema, { sha256, offset }),
    new grpc.Metadata(),
  );
  const out: DownloadBlobResponse[] = [];
  for await (const message of call as AsyncIterable<DownloadBlobResponse>) out.push(message);
  return out;
}

function upload(client: grpc.Client, parts: UploadPart[]): Promise<UploadBlobResponse> {
  const m = METHODS.uploadBlob!;
  return new Promise((ok, fail) => {
    const call = client.makeClientStreamRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize as (b: Buffer) => UploadBlobResponse,
      new grpc.Metadata(),
      (err, res) => (err ? fail(err) : ok(res!)),
    );
    for (const part of parts) call.write(create(UploadBlobRequestSchema, { part }));
    call.end();
  });
}

const header = (data: Uint8Array, sha256 = sha(data), size = BigInt(data.byteLength)): UploadPart => ({ case: "header", value: { sha256, size } });
const data = (bytes: Uint8Array): UploadPart => ({ case: "data", value: bytes });

async function status(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  const err = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as grpc.ServiceError | undefined;
  if (!err) throw new Error("expected the call to fail");
  return { code: err.code, details: err.details };
}

/** Every file under the store's blob directory, temp files included. */
function blobFiles(root: string): string[] {
  const blobs = join(root, "sha256");
  return existsSync(blobs) ? readdirSync(blobs, { recursive: true, withFileTypes: true }).flatMap((e) => (e.isFile() ? [e.name] : [])) : [];
}

describe("ArtifactService", () => {
  it("stores an upload that matches its header, and serves it whole or from an offset, idempotently", async () => {
    const { root, client } = await start();
    const bytes = bytesOf(2 * 1024 * 1024 + 123);
    const name = sha(bytes);
    expect(await stat(client, name)).toMatchObject({ present: false });

    const stored = await upload(client, [header(bytes), data(bytes.subarray(0, 1024 * 1024)), data(bytes.subarray(1024 * 1024))]);
    const uri = pathToFileURL(join(root, "sha256", name.slice(0, 2), name)).href;
    expect(stored).toMatchObject({ uri, sha256: name, size: BigInt(bytes.byteLength), created: true });
    expect(await stat(client, name)).toMatchObject({ present: true, size: BigInt(bytes.byteLength), uri });

    const whole = await download(client, name);
    expect(whole[0]!.size).toBe(BigInt(bytes.byteLength));
    expect(whole.map((m) => m.offset)).toEqual(whole.map((_, i) => BigInt(i * 1024 * 1024)));
    expect(Buffer.concat(whole.map((m) => m.data)).equals(Buffer.from(bytes))).toBe(true);
    const resumed = await download(client, name, 1_500_000n);
    expect(resumed[0]).toMatchObject({ size: BigInt(bytes.byteLength), offset: 1_500_000n });
    expect(Buffer.concat(resumed.map((m) => m.data)).equals(Buffer.from(bytes.subarray(1_500_000)))).toBe(true);
    const atEnd = await download(client, name, BigInt(bytes.byteLength));
    expect(atEnd).toHaveLength(1);
    expect(atEnd[0]).toMatchObject({ size: BigInt(bytes.byteLength), offset: BigInt(bytes.byteLength) });
    expect(atEnd[0]!.data.byteLength).toBe(0);

    // Held already: answered at once, nothing written again.
    expect(await upload(client, [header(bytes), data(bytes)])).toMatchObject({ uri, created: false });
    expect(blobFiles(root)).toEqual([name]);
  });

  it("refuses a name that is not a sha256 (paths, '..', anything else) with INVALID_ARGUMENT", async () => {
    const { root, client } = await start();
    const real = await new LocalArtifactStore(root).put(bytesOf(10));
    const names = [
      "../../weir.db",
      "../../../../etc/passwd",
      `sha256/${real.sha256.slice(0, 2)}/${real.sha256}`,
      `${real.sha256}/../${real.sha256}`,
      real.sha256.toUpperCase(),
      real.sha256.slice(1),
      "",
      "x".repeat(100_000),
    ];
    for (const name of names) {
      for (const call of [() => stat(client, name), () => download(client, name), () => upload(client, [header(bytesOf(1), name, 1n), data(bytesOf(1))])]) {
        const s = await status(call());
        expect(s.code, name.slice(0, 40)).toBe(grpc.status.INVALID_ARGUMENT);
        expect(s.details).toContain("is not a sha256");
        // Quoted briefly, whatever its size.
        expect(s.details.length).toBeLessThan(400);
      }
    }
    expect(blobFiles(root)).toEqual([real.sha256]);
  });

  it("answers NOT_FOUND for a blob it lacks and INVALID_ARGUMENT for an offset past its end", async () => {
    const { root, client } = await start();
    const missing = await status(download(client, "0".repeat(64)));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    const real = await new LocalArtifactStore(root).put(bytesOf(10));
    const past = await status(download(client, real.sha256, 11n));
    expect(past.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(past.details).toContain("past the end");
  });

  it("stores nothing when an upload's bytes do not hash to its declared sha256 or break its header", async () => {
    const { root, client } = await start();
    const bytes = bytesOf(300_000);
    const other = bytesOf(300_000, 8);
    const refused: Array<[string, UploadPart[], string]> = [
      ["other bytes under its name", [header(bytes), data(other)], "hashes to"],
      ["one byte flipped", [header(bytes), data(Uint8Array.from(bytes, (b, i) => (i === 1000 ? b ^ 1 : b)))], "hashes to"],
      ["more than declared", [header(bytes), data(bytes), data(Uint8Array.of(0))], "more than"],
      ["fewer than declared", [header(bytes), data(bytes.subarray(1))], "were declared"],
      ["data first", [data(bytes)], "first UploadBlob message must be the header"],
      ["a second header", [header(bytes), header(bytes)], "only the first"],
      ["a size past the limit", [header(bytes, sha(bytes), 2n ** 40n)], "at most"],
      ["nothing", [], "empty"],
    ];
    for (const [what, parts, says] of refused) {
      const s = await status(upload(client, parts));
      expect(s.code, what).toBe(grpc.status.INVALID_ARGUMENT);
      expect(s.details, what).toContain(says);
      expect(await stat(client, sha(bytes)), what).toMatchObject({ present: false });
      expect(blobFiles(root), what).toEqual([]);
    }
  });

  it("needs the token like every other weir service", async () => {
    const { client, metadata } = await start("artifact-token");
    const bytes = bytesOf(10);
    const refused = await status(stat(client, sha(bytes)));
    expect(refused.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(await stat(client, sha(bytes), metadata())).toMatchObject({ present: false });
  });

  it("ends every call of random and mutated bytes with a status, never INTERNAL, UNKNOWN or a hang, and stores only blobs that match their names", async () => {
    const { root, client } = await start();
    const stored = await new LocalArtifactStore(root).put(bytesOf(300_000));
    const blob = bytesOf(70_000, 9);
    const encode = <D extends DescMessage>(schema: D, init: MessageInitShape<D>) => toBinary(schema, create(schema, init));
    const seeds: Array<{ path: string; kind: MethodKind; messages: Uint8Array[] }> = [
      { path: METHODS.statBlob!.path, kind: "unary", messages: [encode(StatBlobRequestSchema, { sha256: stored.sha256 })] },
      { path: METHODS.downloadBlob!.path, kind: "server_streaming", messages: [encode(DownloadBlobRequestSchema, { sha256: stored.sha256, offset: 1000n })] },
      {
        path: METHODS.uploadBlob!.path,
        kind: "client_streaming",
        messages: [header(blob), data(blob.subarray(0, 40_000)), data(blob.subarray(40_000))].map((part) => encode(UploadBlobRequestSchema, { part })),
      },
    ];
    let state = 20_240_501;
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const mutate = (bytes: Uint8Array): Uint8Array => {
      const pick = next();
      if (pick < 0.2) return Uint8Array.from({ length: Math.floor(next() * 512) }, () => Math.floor(next() * 256));
      const out = Array.from(bytes);
      if (pick < 0.6) out[Math.floor(next() * out.length)] = Math.floor(next() * 256);
      else if (pick < 0.8) out.splice(Math.floor(next() * out.length), 1 + Math.floor(next() * 8));
      else out.splice(Math.floor(next() * out.length), 0, 0xff, 0xff, 0xff, 0xff, 0x0f);
      return Uint8Array.from(out);
    };
    const codes = new Map<string, number>();
    const bad: string[] = [];
    for (let i = 0; i < 600; i++) {
      const seed = seeds[i % seeds.length]!;
      const messages = seed.messages.map((m) => (next() < 0.5 ? mutate(m) : m));
      const end = await rawCall(client, seed.path, seed.kind, messages, 5_000);
      const name = grpc.status[end.code] ?? String(end.code);
      codes.set(name, (codes.get(name) ?? 0) + 1);
      if ([grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.DEADLINE_EXCEEDED].includes(end.code)) bad.push(`${seed.path} → ${name}: ${end.details}`);
    }
    console.log(`ArtifactService fuzz: 600 calls, status codes ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    expect(bad, bad.slice(0, 5).join("\n")).toEqual([]);
    expect([...codes.keys()].sort()).toEqual(expect.arrayContaining(["INVALID_ARGUMENT", "OK"]));
    // Whatever got stored is a blob whose bytes hash to its name; no temp file is left.
    for (const name of blobFiles(root)) expect(sha(readFileSync(join(root, "sha256", name.slice(0, 2), name)))).toBe(name);
  }, 60_000);
});
