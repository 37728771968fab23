// The hand codecs of the runtime's hot paths, each kept for a measured margin over protobuf-es
// (bench/codecs, docs/architecture.md "Hand codecs"): one reader (reader.ts), one writer
// (writer.ts), every tag from the generated descriptors (field-tag.ts). They take and give plain
// values, encoded sub-messages and protocol messages; nothing of the runtime.
export {
  decodeServerFrame,
  encodeAssign,
  encodeAssignBatch,
  isEncodedAssign,
  type AssignFields,
  type AssignFrame,
  type ServerFrame,
} from "./assign.ts";
export { encodeResult, encodeResultBatch, readResults, type EncodedOutcome, type ResultFrame } from "./result.ts";
export {
  encodeExecution,
  encodeExecutionResponse,
  encodeNodeExecution,
  encodeNodesEvent,
  encodeSnapshotEvent,
  type AttemptView,
  type ExecutionView,
  type NodeView,
  type Sub,
} from "./execution-encoding.ts";
export { decodeExecutionEvent } from "./execution-event-decoding.ts";
