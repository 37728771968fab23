// WorkerService.Connect: one bidirectional stream per worker. Register first (answered with
// Registered after the worker is recorded), then heartbeats, logs and results up; Assign and Cancel down.
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { ServerDuplexStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { ServerMessageSchema, type ServerMessage, type WorkerMessage } from "../../proto/index.ts";
import type { Logger } from "../log.ts";
import type { Engine, WorkerLink, WorkerSlot } from "../scheduler/index.ts";
import { undecodable } from "./handlers.ts";

export interface WorkerServiceDeps {
  readonly engine: Engine;
  readonly log: Logger;
  /** Absolute; sent to workers in Registered. */
  readonly artifactRoot: string;
}

export function workerService(deps: WorkerServiceDeps): UntypedServiceImplementation {
  const { engine, log, artifactRoot } = deps;
  return {
    // Responses may be pre-encoded bytes (tolerantDefinition sends them as they are).
    connect: (call: ServerDuplexStream<WorkerMessage, ServerMessage | Uint8Array>) => {
      let worker: WorkerSlot | undefined;
      let registering = false;
      let closed = false;
      const early: WorkerMessage[] = [];
      const link: WorkerLink = {
        send: (msg) => {
          if (!closed) call.write(msg);
        },
        close: () => {
          if (closed) return;
          closed = true;
          call.end();
        },
      };
      const reject = (details: string): void => {
        log.warn({ worker: worker?.id }, details);
        if (closed) return;
        closed = true;
        call.emit("error", { code: status.INVALID_ARGUMENT, details });
      };
      const handle = (msg: WorkerMessage, w: WorkerSlot): void => {
        switch (msg.msg.case) {
          case "heartbeat":
            return engine.onHeartbeat(w, msg.msg.value);
          case "result":
            return engine.onResult(w, msg.msg.value);
          case "log":
            return engine.onLog(w, msg.msg.value);
          case "register":
            return reject("Register may be sent only once per stream; open a new stream to re-register");
          default:
            log.warn({ worker: w.id }, "ignored an empty worker message");
        }
      };
      call.on("data", (msg: WorkerMessage) => {
        if (closed) return;
        const bad = undecodable(msg);
        if (bad !== undefined) return reject(`a worker message could not be decoded: ${bad}`);
        if (worker) return handle(msg, worker);
        if (registering) return void early.push(msg);
        if (msg.msg.case !== "register") return reject("the first message on a Connect stream must be Register");
        registering = true;
        engine.connectWorker(msg.msg.value, link).then(
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
                  },
                },
              }),
            );
            for (const m of early.splice(0)) handle(m, w);
            if (closed) engine.onDisconnect(w, link);
            else engine.ready(w);
          },
          (err) => reject(`registration failed: ${(err as Error).message}`),
        );
      });
      const gone = (): void => {
        closed = true;
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
