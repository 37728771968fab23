// WorkerService.Connect: one bidirectional stream per worker. Register first (answered with
// Registered after the worker is recorded), then heartbeats, logs and results up; Assign and Cancel down.
// Both ways, what one event-loop turn produces may travel as one message: the Assigns the engine
// sends after a commit become one AssignBatch, and a worker's ResultBatch is read like its Results
// (each side only when the other said on registering that it reads batches). A worker is a client
// like any other: its Register is checked (request-checks.ts), and a Result whose outputs the
// runtime refuses (nested too deep, a ref outside the artifact store) fails its attempt with
// OUTPUT_INVALID instead of entering the store.
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { ServerDuplexStream, ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import {
  encodeAssignBatch,
  ErrorKind,
  ExecutionErrorSchema,
  isEncodedAssign,
  ServerMessageSchema,
  WorkerService,
  grpcServiceDefinition,
  type Result,
  type ServerMessage,
} from "../../proto/index.ts";
import { RuntimeError } from "../error-codes.ts";
import type { Logger } from "../log.ts";
import type { Engine, WorkerLink, WorkerSlot } from "../scheduler/index.ts";
import { boundedDetails } from "./client-text.ts";
import { tolerantDefinition } from "./handlers.ts";
import type { LiteralAdmission } from "./literal-admission.ts";
import type { OpenCalls } from "./open-calls.ts";
import { checkRegister } from "./request-checks.ts";
import { decodeWorkerFrame, type WorkerFrame } from "./worker-message-decoding.ts";

export interface WorkerServiceDeps {
  readonly engine: Engine;
  readonly log: Logger;
  /** Absolute; sent to workers in Registered. */
  readonly artifactRoot: string;
  /** The artifact root's store id (artifacts/store-id.ts), sent in Registered: a worker that reads it there shares the disk. */
  readonly storeId: string;
  /** The literal door check a Result's outputs pass. */
  readonly literals: LiteralAdmission;
  /** Streams a stopping server ends. */
  readonly open: OpenCalls;
}

/**
 * WorkerService's definition for the server: requests arrive as WorkerFrames (decodeWorkerFrame,
 * which never throws), responses may be handed over already encoded.
 */
export function workerServiceDefinition(): ServiceDefinition {
  const def = tolerantDefinition(grpcServiceDefinition(WorkerService));
  return { ...def, connect: { ...def.connect, requestDeserialize: decodeWorkerFrame } };
}

export function workerService(deps: WorkerServiceDeps): UntypedServiceImplementation {
  const { engine, log, artifactRoot, storeId, literals, open } = deps;
  /** The Result as the engine should see it: outputs the runtime refuses become OUTPUT_INVALID. */
  const admitted = (r: Result, workerId: string): Result => {
    if (r.outcome.case !== "outputs") return r;
    const problems = literals.problems(r.outcome.value.literals, (name) => `output "${name}"`);
    if (!problems.length) return r;
    log.error({ worker: workerId, lease: String(r.leaseToken), problems }, "refused a result's outputs; its attempt fails with OUTPUT_INVALID");
    return {
      ...r,
      outcome: {
        case: "error",
        value: create(ExecutionErrorSchema, {
          code: "OUTPUT_INVALID",
          message: `the runtime refused the outputs:\n${problems.join("\n")}`,
          kind: ErrorKind.USER,
        }),
      },
    };
  };
  return {
    connect: (call: ServerDuplexStream<WorkerFrame, ServerMessage | Uint8Array>) => {
      let worker: WorkerSlot | undefined;
      let registering = false;
      let closed = false;
      /** Set by the worker's Register: it reads AssignBatch. */
      let batchAssigns = false;
      /** Encoded Assigns sent this turn, written together at its end. */
      let assigns: Uint8Array[] = [];
      const early: WorkerFrame[] = [];
      const flush = (): void => {
        const out = assigns;
        assigns = [];
        if (closed || out.length === 0) return;
        call.write(out.length === 1 ? out[0]! : encodeAssignBatch(out));
      };
      const link: WorkerLink = {
        send: (msg) => {
          if (closed) return;
          if (batchAssigns && msg instanceof Uint8Array && isEncodedAssign(msg)) {
            // The engine sends a commit's Assigns in one synchronous loop: the tick after it ends
            // the batch, so no Assign waits for anything but the loop.
            if (assigns.push(msg) === 1) process.nextTick(flush);
            return;
          }
          flush(); // keeps the order: an Assign before the Cancel of its lease
          call.write(msg);
        },
        close: () => {
          if (closed) return;
          flush();
          closed = true;
          call.end();
        },
      };
      const reject = (details: string): void => {
        log.warn({ worker: worker?.id }, details);
        if (closed) return;
        closed = true;
        call.emit("error", { code: status.INVALID_ARGUMENT, details: boundedDetails(details) });
      };
      const handle = (frame: WorkerFrame, w: WorkerSlot): void => {
        if (frame.case === "results") {
          for (const r of frame.value) engine.onResult(w, admitted(r, w.id));
          return;
        }
        if (frame.case !== "message") return;
        const msg = frame.value;
        switch (msg.msg.case) {
          case "heartbeat":
            return engine.onHeartbeat(w, msg.msg.value);
          case "log":
            return engine.onLog(w, msg.msg.value);
          case "started":
            return engine.onStarted(w, msg.msg.value);
          case "register":
            return reject("Register may be sent only once per stream; open a new stream to re-register");
          default:
            log.warn({ worker: w.id }, "ignored an empty worker message");
        }
      };
      call.on("data", (frame: WorkerFrame) => {
        if (closed) return;
        if (frame.case === "undecodable") return reject(`a worker message could not be decoded: ${frame.value}`);
        if (worker) return handle(frame, worker);
        if (registering) return void early.push(frame);
        if (frame.case !== "message" || frame.value.msg.case !== "register") return reject("the first message on a Connect stream must be Register");
        const register = frame.value.msg.value;
        try {
          checkRegister(register);
        } catch (err) {
          return reject(err instanceof RuntimeError ? err.message : String(err));
        }
        registering = true;
        batchAssigns = register.acceptsAssignBatch;
        engine.connectWorker(register, link).then(
          (w) => {
            worker = w;
            link.send(
              create(ServerMessageSchema, {
                msg: {
                  case: "registered",
                  value: {
                    workerId: w.id,
                    heartbeatInterval: durationFromMs(engine.config.heartbeatIntervalMs),
                    heartbeatTimeout: durationFromMs(engine.config.heartbeatTimeoutMs),
                    artifactRoot,
                    acceptsResultBatch: true,
                    storeId,
                  },
                },
              }),
            );
            for (const f of early.splice(0)) handle(f, w);
            if (closed) engine.onDisconnect(w, link);
            else engine.ready(w);
          },
          (err) => reject(`registration failed: ${(err as Error).message}`),
        );
      });
      // A stopping runtime ends the stream (status OK): the worker reconnects once a runtime is back.
      const forget = open.add(() => link.close());
      const gone = (): void => {
        closed = true;
        assigns = [];
        forget();
        if (worker) engine.onDisconnect(worker, link);
      };
      call.on("end", () => {
        gone();
        call.end();
      });
      call.on("error", gone);
      call.on("cancelled", gone);
    },
  };
}
