// The hand codecs the benchmark measures (the ones that still exist).
import { readFileSync } from "node:fs";
import { decodeExecutionEvent } from "../../runtime/execution-event-decoding.ts";
import { encodeAssign } from "../../runtime/scheduler/assign-encoding.ts";
import { encodeExecution, encodeNodesEvent, encodeSnapshotEvent } from "../../runtime/scheduler/execution-encoding.ts";
import { decodeWorkerFrame } from "../../runtime/server/worker-message-decoding.ts";
import { decodeServerFrame, encodeResult } from "../../runtime/worker/wire.ts";

export function codecs() {
  const packageJson = new URL("../../node_modules/@bufbuild/protobuf/package.json", import.meta.url);
  const runtimeVersion: string = JSON.parse(readFileSync(packageJson, "utf8")).version;
  return {
    runtimeVersion,
    encodeAssign,
    decodeServerFrame,
    encodeResult,
    decodeWorkerFrame,
    encodeNodesEvent,
    encodeExecution,
    encodeSnapshotEvent,
    decodeExecutionEvent,
  };
}
