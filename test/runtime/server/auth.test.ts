// TLS and the shared token over real gRPC: a runtime started with a certificate and a token refuses
// AdminService, WorkerService and reflection calls without the right token (UNAUTHENTICATED, with
// a message that says what to pass and never the token), answers health checks from anyone, and
// tells a client that gets TLS wrong what it got wrong. Then real processes: `weir server` with
// --tls-cert/--tls-key/--token-file, a `weir worker` and the CLI with --tls-ca and the token run a
// workflow; a worker without the token exits at once instead of retrying.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import { pino } from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { RegisterSchema, grpcServiceDefinition } from "../../../proto/index.ts";
import { ServerReflection, ServerReflectionRequestSchema, type ServerReflectionResponse } from "../../../proto/gen/grpc/reflection/v1/reflection_pb.ts";
import type { ChannelSecurity } from "../../../runtime/channel-security.ts";
import { connectAdmin, WeirClientError } from "../../../runtime/client.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { ConnectionRefused, WorkerConnection } from "../../../runtime/worker/connection.ts";
import { cleanup, compileProject, freePort, prepareProject, runCli, spawnWeir, tempDir as e2eTempDir, waitFor } from "../../e2e/harness.ts";
import { server, tempDir } from "../harness.ts";

const TLS_DIR = join(import.meta.dirname, "../../fixtures/tls");
const CA = readFileSync(join(TLS_DIR, "ca.pem"));
const OTHER_CA = readFileSync(join(TLS_DIR, "other-ca.pem"));
const TLS = { cert: readFileSync(join(TLS_DIR, "server.pem")), key: readFileSync(join(TLS_DIR, "server-key.pem")) };
const TOKEN = "test-token-0123456789abcdef";

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(cleanup);

async function secured(): Promise<RunningServer> {
  const running = await server(tempDir(), { tls: TLS, token: TOKEN });
  closers.push(() => running.stop());
  return running;
}

/** An AdminService client on `address`; closed after the test. */
function admin(address: string, security: ChannelSecurity) {
  const client = connectAdmin(address, { security, deadlineMs: 5_000, connectTimeoutMs: 3_000 });
  closers.push(() => client.close());
  return client;
}

async function clientError(call: Promise<unknown>): Promise<WeirClientError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WeirClientError);
  return err as WeirClientError;
}

/** A worker's Connect stream with `security`: resolves registered, or with the refusal. */
function connectWorker(address: string, security: ChannelSecurity, id: string): Promise<"registered" | ConnectionRefused> {
  return new Promise((resolve) => {
    const connection = new WorkerConnection({
      address,
      security,
      register: () => create(RegisterSchema, { workerId: id, pools: ["cpu"], capacity: 1 }),
      running: () => [],
      onRegistered: () => resolve("registered"),
      onAssign: () => undefined,
      onCancel: () => undefined,
      onRefused: (refusal) => resolve(refusal),
      log: pino({ level: "silent" }),
      reconnectInitialMs: 50,
      reconnectMaxMs: 100,
      heartbeatIntervalMs: 60_000,
      maxBufferedLogs: 10,
    });
    closers.push(() => connection.close());
    connection.start();
  });
}

const localhost = (running: RunningServer) => `localhost:${running.port}`;

describe("token authentication", () => {
  it("refuses AdminService calls without a token or with a wrong one, saying what to pass", async () => {
    const running = await secured();
    const missing = await clientError(admin(localhost(running), { tls: { ca: CA } }).listWorkflows({}));
    expect(missing.code).toBe("UNAUTHENTICATED");
    expect(missing.grpcCode).toBe(grpc.status.UNAUTHENTICATED);
    expect(missing.message).toContain("authorization: Bearer <token>");
    expect(missing.message).toContain("WEIR_TOKEN");
    expect(missing.message).toContain("--token-file");

    const wrong = await clientError(admin(localhost(running), { tls: { ca: CA }, token: `${TOKEN}x` }).listWorkflows({}));
    expect(wrong.code).toBe("UNAUTHENTICATED");
    expect(wrong.message).toContain("does not match");
    expect(wrong.message).not.toContain(TOKEN);

    expect((await admin(localhost(running), { tls: { ca: CA }, token: TOKEN }).listWorkflows({})).workflows).toEqual([]);
  });

  it("refuses a malformed authorization header and a server stream without the token", async () => {
    const running = await secured();
    const raw = new grpc.Client(localhost(running), grpc.credentials.createSsl(CA));
    closers.push(() => raw.close());
    const metadata = new grpc.Metadata();
    metadata.set("authorization", TOKEN); // no "Bearer "
    const err = await new Promise<grpc.ServiceError>((ok) =>
      raw.makeUnaryRequest(
        "/weir.v1.AdminService/ListWorkflows",
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        metadata,
        (e) => ok(e!),
      ),
    );
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err.details).toContain("Bearer <token>");

    const watch = admin(localhost(running), { tls: { ca: CA } }).watchExecution({ id: "nope" });
    const streamErr = await clientError(watch[Symbol.asyncIterator]().next());
    expect(streamErr.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a worker's Connect stream without a token or with a wrong one, and takes it with the token", async () => {
    const running = await secured();
    const missing = await connectWorker(localhost(running), { tls: { ca: CA } }, "w-missing");
    expect(missing).toBeInstanceOf(ConnectionRefused);
    expect((missing as ConnectionRefused).code).toBe("UNAUTHENTICATED");
    expect((missing as ConnectionRefused).message).toContain("WEIR_TOKEN");

    const wrong = await connectWorker(localhost(running), { tls: { ca: CA }, token: "not-the-token" }, "w-wrong");
    expect((wrong as ConnectionRefused).code).toBe("UNAUTHENTICATED");
    expect((wrong as ConnectionRefused).message).toContain("does not match");

    expect(await connectWorker(localhost(running), { tls: { ca: CA }, token: TOKEN }, "w-auth")).toBe("registered");
    const workers = await admin(localhost(running), { tls: { ca: CA }, token: TOKEN }).listWorkers({});
    expect(workers.workers.map((w) => w.id)).toEqual(["w-auth"]);
  });

  it("answers health checks without a token; reflection needs it", async () => {
    const running = await secured();
    const { service } = await import("grpc-health-check");
    const Health = grpc.makeGenericClientConstructor(service as never, "Health");
    const health = new Health(localhost(running), grpc.credentials.createSsl(CA)) as unknown as grpc.Client & { check: Function };
    closers.push(() => health.close());
    const res = await new Promise<{ status: string }>((ok, fail) => health.check({ service: "" }, (e: Error, r: { status: string }) => (e ? fail(e) : ok(r))));
    expect(res.status).toBe("SERVING");

    const reflection = new grpc.Client(localhost(running), grpc.credentials.createSsl(CA));
    closers.push(() => reflection.close());
    const info = grpcServiceDefinition(ServerReflection).serverReflectionInfo;
    const list = (metadata: grpc.Metadata) =>
      new Promise<{ services?: string[]; code?: grpc.status }>((ok) => {
        const call = reflection.makeBidiStreamRequest(info.path, info.requestSerialize, info.responseDeserialize, metadata);
        call.on("data", (r: ServerReflectionResponse) => {
          ok({ services: r.messageResponse.case === "listServicesResponse" ? r.messageResponse.value.service.map((s) => s.name) : [] });
          call.end();
        });
        call.on("error", (e: grpc.ServiceError) => ok({ code: e.code }));
        call.write(create(ServerReflectionRequestSchema, { messageRequest: { case: "listServices", value: "" } }));
      });
    expect((await list(new grpc.Metadata())).code).toBe(grpc.status.UNAUTHENTICATED);
    const withToken = new grpc.Metadata();
    withToken.set("authorization", `Bearer ${TOKEN}`);
    expect((await list(withToken)).services).toContain("weir.v1.AdminService");
  });
});

describe("TLS mistakes", () => {
  it("names a plaintext client against a TLS runtime, and an untrusted certificate", async () => {
    const running = await secured();
    const plain = await clientError(admin(localhost(running), { token: TOKEN }).listWorkflows({}));
    expect(plain.code).toBe("TLS_FAILED");
    expect(plain.message).toContain("serves TLS but this client spoke plaintext");
    expect(plain.message).toContain("--tls-ca");

    const untrusted = await clientError(admin(localhost(running), { tls: { ca: OTHER_CA }, token: TOKEN }).listWorkflows({}));
    expect(untrusted.code).toBe("TLS_FAILED");
    expect(untrusted.message).toMatch(/certificate .* is not trusted/);
    expect(untrusted.message).toContain("did not sign it");

    const worker = await connectWorker(localhost(running), { token: TOKEN }, "w-plain");
    expect((worker as ConnectionRefused).code).toBe("TLS_FAILED");
  });

  it("names a TLS client against a plaintext runtime, and keeps UNREACHABLE for a closed port", async () => {
    const running = await server(tempDir());
    closers.push(() => running.stop());
    const tls = await clientError(admin(localhost(running), { tls: { ca: CA } }).listWorkflows({}));
    expect(tls.code).toBe("TLS_FAILED");
    expect(tls.message).toContain("does not speak TLS");

    const closed = await clientError(admin(`localhost:${await freePort()}`, { tls: { ca: CA } }).listWorkflows({}));
    expect(closed.code).toBe("UNREACHABLE");
  });
});

describe("weir server, worker and CLI with TLS and a token", () => {
  it("run a workflow end to end; a worker without the token exits 1 and says why", async () => {
    const project = prepareProject("project");
    const specs = await compileProject(project);
    const secrets = e2eTempDir("weir-auth-");
    const tokenFile = join(secrets, "token");
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const port = await freePort();
    const runtime = spawnWeir(
      [
        "server",
        "--port",
        String(port),
        "--store",
        `sqlite:${join(secrets, "weir.db")}`,
        "--tls-cert",
        join(TLS_DIR, "server.pem"),
        "--tls-key",
        join(TLS_DIR, "server-key.pem"),
        "--token-file",
        tokenFile,
      ],
      { cwd: project },
    );
    await waitFor("the TLS runtime to listen", () => {
      if (runtime.child.exitCode !== null) throw new Error(`weir server exited: ${runtime.output()}`);
      return runtime.output().includes("(TLS), token required");
    });
    expect(runtime.output()).not.toContain(TOKEN);

    const cli = ["--server", `https://localhost:${port}`, "--tls-ca", join(TLS_DIR, "ca.pem")];
    const env = { WEIR_TOKEN: TOKEN };
    const registered = await runCli(["register", join(specs, "chain.pb"), ...cli], project, env);
    expect(registered.code, registered.stderr).toBe(0);

    const refused = spawnWeir(["worker", "--server", `localhost:${port}`, "--tls-ca", join(TLS_DIR, "ca.pem"), "--id", "no-token"], {
      cwd: project,
      env: { WEIR_TOKEN: "" },
    });
    const stillRunning = new Promise<{ code: string }>((ok) => setTimeout(() => ok({ code: "still running after 30 s" }), 30_000).unref());
    expect((await Promise.race([refused.exited(), stillRunning])).code).toBe(1);
    expect(refused.output()).toContain("error [UNAUTHENTICATED]");

    spawnWeir(["worker", "--server", `localhost:${port}`, "--tls-ca", join(TLS_DIR, "ca.pem"), "--token-file", tokenFile, "--id", "w-tls"], {
      cwd: project,
      env: { WEIR_E2E_RUNS: secrets },
    });
    const run = await runCli(["run", "chain", "--input", "ms=1", "--follow", ...cli], project, env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/succeeded/);

    const anonymous = await runCli(["executions", ...cli], project, { WEIR_TOKEN: "" });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain("error [UNAUTHENTICATED]");
    expect(runtime.output()).not.toContain(TOKEN);
  }, 180_000);
});
