// A Connect or gRPC-Web call refused before it is read (no valid token; a body over its method's
// size), answered in the protocol the client speaks, so its library reports the code and the text
// as it would a handler's error: Connect unary as a JSON error under the code's HTTP status (401 for
// unauthenticated), Connect streaming as an end-stream message, gRPC-Web as a trailers-only response.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, contentTypeStreamRegExp, endStreamFlag, endStreamToJson, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";

export function refuseCall(req: IncomingMessage, res: ServerResponse, code: Code, message: string): void {
  const type = req.headers["content-type"] ?? "";
  const error = new ConnectError(message, code);
  if (/^application\/grpc-web/i.test(type)) {
    res.writeHead(200, { "content-type": type, "grpc-status": String(code), "grpc-message": encodeURIComponent(message) });
    res.end();
  } else if (contentTypeStreamRegExp.test(type)) {
    const json = Buffer.from(JSON.stringify(endStreamToJson(new Headers(), error, undefined)));
    const envelope = Buffer.alloc(5 + json.byteLength);
    envelope[0] = endStreamFlag;
    envelope.writeUInt32BE(json.byteLength, 1);
    json.copy(envelope, 5);
    res.writeHead(200, { "content-type": type });
    res.end(envelope);
  } else {
    const body = errorToJsonBytes(error, undefined);
    res.writeHead(codeToHttpStatus(code), { "content-type": "application/json", "content-length": body.byteLength });
    res.end(body);
  }
}
