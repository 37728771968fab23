// Disables Nagle's algorithm on the server's accepted sockets. grpc-js sets TCP_NODELAY on client
// sockets only; on the server, small Assign/Cancel writes then wait for the peer's delayed ACK
// (tens of ms a hop). grpc-js has no option for it, so this wraps the (internal) factory of its
// HTTP/2 servers on one instance; if a grpc-js release renames it, this is a no-op, not a failure.
import type { Server as NetServer, Socket } from "node:net";
import type { Server } from "@grpc/grpc-js";

type Factory = (this: Server, ...args: unknown[]) => NetServer;

export function enableNoDelay(server: Server): boolean {
  const target = server as unknown as { createHttp2Server?: Factory };
  const original = target.createHttp2Server;
  if (typeof original !== "function") return false;
  target.createHttp2Server = function (this: Server, ...args: unknown[]) {
    const http2Server = original.apply(this, args);
    http2Server.on("connection", (socket: Socket) => socket.setNoDelay(true));
    return http2Server;
  };
  return true;
}
