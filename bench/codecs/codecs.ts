// The hand codecs the benchmark measures (the ones that still exist): proto/wire/, and the server's
// worker-message decoding (protobuf-es first, the hand reader only for what protobuf-es refuses).
import { readFileSync } from "node:fs";
import {
  decodeExecutionEvent,
  decodeServerFrame,
  encodeAssign,
  encodeExecution,
  encodeNodesEvent,
  encodeResult,
  encodeSnapshotEvent,
} from "../../proto/index.ts";
import { decodeWorkerFrame } from "../../runtime/server/worker-message-decoding.ts";

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
