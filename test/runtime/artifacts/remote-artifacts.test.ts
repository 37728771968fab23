// A remote worker's side of ArtifactService, against a real runtime: its cache fetches a blob once
// however many attempts want it, resumes a download a broken connection cut from the bytes it had,
// hands tasks inputs from the cache (nested files, directories, tables; hashes unchanged), delivers
// outputs the runtime then admits, and fails an attempt as a system failure when the runtime stays
// out of reach.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { tableFromArrays, type Table } from "apache-arrow";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { BlobKind, LiteralSetSchema, LiteralTypeSchema, type LiteralSet } from "../../../proto/index.ts";
import { LocalArtifactStore } from "../../../runtime/artifacts/index.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { LiteralAdmission } from "../../../runtime/server/literal-admission.ts";
import { ArtifactCache } from "../../../runtime/worker/artifact-cache.ts";
import { ArtifactClient } from "../../../runtime/worker/artifact-client.ts";
import { literalRefs } from "../../../runtime/worker/literal-refs.ts";
import { RemoteArtifacts } from "../../../runtime/worker/remote-artifacts.ts";
import type { TransferPolicy } from "../../../runtime/worker/transfer-retries.ts";
import { fromLiteral, toLiteral } from "../../../sdk/literals.ts";
import { server, tempDir } from "../harness.ts";
import { startCuttingProxy, type CuttingProxy } from "./cutting-proxy.ts";

type TypeInit = MessageInitShape<typeof LiteralTypeSchema>;
const FILE: TypeInit = { type: { case: "blob", value: { kind: BlobKind.FILE } } };
const DIR: TypeInit = { type: { case: "blob", value: { kind: BlobKind.DIRECTORY } } };
const TABLE: TypeInit = { type: { case: "dataframe", value: { any: true } } };
const listOf = (item: TypeInit): TypeInit => ({ type: { case: "collection", value: { item } } });
const mapOf = (value: TypeInit): TypeInit => ({ type: { case: "map", value: { value } } });
const TYPES: Record<string, TypeInit> = { files: listOf(FILE), table: TABLE, dir: DIR, nested: mapOf(listOf(FILE)) };
const POLICY: TransferPolicy = { tries: 5, initialBackoffMs: 50, maxBackoffMs: 200 };

let running: RunningServer | undefined;
let proxy: CuttingProxy | undefined;
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await proxy?.close();
  proxy = undefined;
  await running?.stop();
  running = undefined;
});

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const bytesOf = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251);

interface Setup {
  runtimeStore: LocalArtifactStore;
  runtimeRoot: string;
  remote: RemoteArtifacts;
  cache: ArtifactCache;
  /** The worker side's log lines, parsed. */
  logs: Array<{ msg: string; sha256?: string; offset?: number; bytes?: number }>;
}

async function setup(options: { viaProxy?: boolean; address?: string; policy?: TransferPolicy } = {}): Promise<Setup> {
  const dir = tempDir();
  running = await server(dir);
  const runtimeRoot = join(dir, ".weir", "artifacts");
  if (options.viaProxy) proxy = await startCuttingProxy(running.address);
  const logs: Setup["logs"] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const client = new ArtifactClient({
    address: options.address ?? proxy?.address ?? running.address,
    security: {},
    policy: options.policy ?? POLICY,
    statTimeoutMs: 5_000,
    log,
  });
  closers.push(() => client.close());
  const cache = new ArtifactCache(join(tempDir(), "cache"), client, log);
  const remote = new RemoteArtifacts({ cache, client, parallel: 4, log });
  return { runtimeStore: new LocalArtifactStore(runtimeRoot), runtimeRoot, remote, cache, logs };
}

/** Files, a directory and a table, nested in lists and maps, stored in `store`. */
async function values(store: LocalArtifactStore, seed: number): Promise<{ set: LiteralSet; src: string; table: Table }> {
  const dir = join(tempDir(), "src");
  mkdirSync(join(dir, "data", "deep"), { recursive: true });
  const file = (name: string, n: number) => {
    writeFileSync(join(dir, name), bytesOf(n, seed + n));
    return { path: join(dir, name) };
  };
  writeFileSync(join(dir, "data", "a.txt"), `a${seed}`);
  writeFileSync(join(dir, "data", "deep", "b.bin"), bytesOf(70_000, seed));
  const table = tableFromArrays({ id: Int32Array.from([1, 2, 3]), score: Float64Array.from([0.5, seed, 2]) });
  const given: Record<string, unknown> = {
    files: [file("one.bin", 1_000), file("two.bin", 2_000_000)],
    table,
    dir: { path: join(dir, "data") },
    nested: { x: [file("three.bin", 3)], y: [] },
  };
  const literals: LiteralSet["literals"] = {};
  for (const [name, type] of Object.entries(TYPES)) literals[name] = await toLiteral(given[name], create(LiteralTypeSchema, type), store, name);
  return { set: create(LiteralSetSchema, { literals }), src: dir, table };
}

const fetchedLines = (logs: Setup["logs"]) => logs.filter((l) => l.msg === "fetched an artifact from the runtime");

describe("a remote worker's artifacts", () => {
  it("fetches a blob once, however many attempts need it at the same time", async () => {
    const { runtimeStore, cache, logs } = await setup();
    const blob = bytesOf(3 * 1024 * 1024);
    const stored = await runtimeStore.put(blob);
    await Promise.all(Array.from({ length: 8 }, () => cache.ensure(stored.sha256)));
    await cache.ensure(stored.sha256);
    expect(fetchedLines(logs).map((l) => l.sha256)).toEqual([stored.sha256]);
    expect(sha(readFileSync(cache.store.pathForHash(stored.sha256)))).toBe(stored.sha256);
  });

  it("resumes a download a broken connection cut, from the bytes it had, and keeps only verified bytes", async () => {
    const { runtimeStore, cache, logs } = await setup({ viaProxy: true });
    const blob = bytesOf(16 * 1024 * 1024, 3);
    const stored = await runtimeStore.put(blob);
    proxy!.cutAfter(5 * 1024 * 1024);
    await cache.ensure(stored.sha256);
    expect(proxy!.cuts).toBe(1);
    const resumed = logs.filter((l) => l.msg === "artifact download broke; resuming");
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    expect(resumed[0]!.offset).toBeGreaterThan(0);
    expect(resumed[0]!.offset).toBeLessThan(blob.byteLength);
    // Resumed, not restarted: far fewer than two blobs' worth crossed the proxy.
    expect(proxy!.bytesDown).toBeLessThan(blob.byteLength + 6 * 1024 * 1024);
    expect(fetchedLines(logs)).toHaveLength(1);
    expect(sha(readFileSync(cache.store.pathForHash(stored.sha256)))).toBe(stored.sha256);
  }, 30_000);

  it("hands a task its inputs from the cache and the runtime its outputs in its own store, hashes unchanged", async () => {
    const { runtimeStore, runtimeRoot, remote, cache, logs } = await setup();
    const input = await values(runtimeStore, 1);
    const before = toBinary(LiteralSetSchema, input.set);
    const local = fromBinary(LiteralSetSchema, await remote.inputs(before));
    const cacheUri = pathToFileURL(cache.store.root).href;
    for (const { ref } of literalRefs(local)) expect(ref.uri.startsWith(`${cacheUri}/sha256/`)).toBe(true);
    for (const [name, lit] of Object.entries(local.literals)) expect(lit.hash).toBe(input.set.literals[name]!.hash);
    // Read as a task would, from the cache alone: same bytes, same files, same table.
    const read = (name: string) => fromLiteral(local.literals[name]!, create(LiteralTypeSchema, TYPES[name]), cache.store, name);
    const files = (await read("files")) as Array<{ path: string }>;
    expect(files.every((f) => f.path.startsWith(cache.store.root))).toBe(true);
    expect(readFileSync(files[1]!.path).equals(readFileSync(join(input.src, "two.bin")))).toBe(true);
    const dir = (await read("dir")) as { path: string };
    expect(readFileSync(join(dir.path, "deep", "b.bin")).equals(readFileSync(join(input.src, "data", "deep", "b.bin")))).toBe(true);
    expect(((await read("table")) as Table).getChild("score")!.toArray()).toEqual(input.table.getChild("score")!.toArray());
    // One fetch per distinct blob: 3 files, the table, the manifest and its 2 files.
    expect(fetchedLines(logs)).toHaveLength(7);
    await remote.inputs(before);
    expect(fetchedLines(logs)).toHaveLength(7);

    // Outputs written to the cache come back as refs the runtime admits in a Result.
    const output = await values(cache.store, 2);
    const delivered = (await remote.outputs(output.set)) as LiteralSet;
    for (const { ref } of literalRefs(delivered)) {
      expect(ref.uri).toBe(runtimeStore.uriFor(ref.sha256));
      expect(await runtimeStore.stat(ref.sha256)).toBeDefined();
    }
    expect(new LiteralAdmission(runtimeRoot).problems(delivered.literals, (n) => n)).toEqual([]);
    const dirOut = await fromLiteral(delivered.literals.dir!, create(LiteralTypeSchema, DIR), runtimeStore, "dir");
    expect(readFileSync(join((dirOut as { path: string }).path, "a.txt"), "utf8")).toBe("a2");
    // Delivered again (a retried attempt's same outputs): nothing is uploaded twice.
    const uploads = logs.filter((l) => l.msg === "delivered an artifact to the runtime").length;
    await remote.outputs(toBinary(LiteralSetSchema, output.set));
    expect(logs.filter((l) => l.msg === "delivered an artifact to the runtime")).toHaveLength(uploads);
  }, 30_000);

  it("fails the attempt as a system failure when the runtime stays out of reach, and as the input's when the runtime lacks it", async () => {
    const { runtimeStore } = await setup();
    const input = await values(runtimeStore, 3);
    const bytes = toBinary(LiteralSetSchema, input.set);
    const closed = await startCuttingProxy("127.0.0.1:1");
    await closed.close();
    const unreachable = await setup({ address: closed.address, policy: { tries: 3, initialBackoffMs: 10, maxBackoffMs: 20 } });
    let started = false;
    const start = () => {
      started = true;
      return { done: Promise.resolve({ outputs: new Uint8Array() }), stop: () => {} };
    };
    const outcome = await unreachable.remote.around({ inputs: bytes }, start).done;
    expect(outcome).toMatchObject({ error: { code: "ARTIFACT_TRANSFER_FAILED" } });
    expect("error" in outcome && outcome.error.message).toContain("3 tries failed");
    expect(started).toBe(false);

    const other = await setup();
    const missing = await other.remote.around({ inputs: bytes }, start).done;
    expect(missing).toMatchObject({ error: { code: "INPUT_INVALID" } });
    expect("error" in missing && missing.error.message).toContain("not in the runtime's artifact store");
  }, 30_000);
});
