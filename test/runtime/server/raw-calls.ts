// Calls with arbitrary request bytes against a real server, for every kind of method: the status
// each call ends with (or DEADLINE_EXCEEDED when the server left it hanging) and how long it took.
import * as grpc from "@grpc/grpc-js";

export interface CallEnd {
  readonly code: grpc.status;
  readonly details: string;
  readonly ms: number;
}

export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

const asIs = (b: Buffer): Buffer => b;

/** Sends `messages` as request bytes (a unary or server-streaming call takes the first) and waits for the status. */
export function rawCall(client: grpc.Client, path: string, kind: MethodKind, messages: Uint8Array[], deadlineMs: number): Promise<CallEnd> {
  const started = Date.now();
  const deadline = new Date(Date.now() + deadlineMs);
  const first = Buffer.from(messages[0] ?? new Uint8Array(0));
  return new Promise((ok) => {
    let done = false;
    const end = (code: grpc.status, details: string): void => {
      if (done) return;
      done = true;
      ok({ code, details, ms: Date.now() - started });
    };
    const onStatus = (s: grpc.StatusObject): void => end(s.code, s.details);
    // Errors carry the status too; 'status' may come after 'error' or alone.
    const onError = (e: grpc.ServiceError): void => end(e.code, e.details);
    if (kind === "unary") {
      const call = client.makeUnaryRequest(path, asIs, asIs, first, new grpc.Metadata(), { deadline }, (err) => (err ? onError(err) : end(grpc.status.OK, "")));
      call.on("status", onStatus);
    } else if (kind === "server_streaming") {
      const call = client.makeServerStreamRequest(path, asIs, asIs, first, new grpc.Metadata(), { deadline });
      call.on("data", () => {});
      call.on("error", onError);
      call.on("status", onStatus);
    } else if (kind === "client_streaming") {
      const call = client.makeClientStreamRequest(path, asIs, asIs, new grpc.Metadata(), { deadline }, (err) => (err ? onError(err) : end(grpc.status.OK, "")));
      call.on("status", onStatus);
      for (const m of messages) call.write(Buffer.from(m));
      call.end();
    } else {
      const call = client.makeBidiStreamRequest(path, asIs, asIs, new grpc.Metadata(), { deadline });
      call.on("data", () => {});
      call.on("error", onError);
      call.on("status", onStatus);
      for (const m of messages) call.write(Buffer.from(m));
      call.end();
    }
  });
}
