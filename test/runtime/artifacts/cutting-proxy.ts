// A TCP proxy the tests control, between a worker and the runtime (or a runtime and PostgreSQL): it
// forwards both ways and, once armed, cuts every connection through it (both sockets destroyed, as
// a broken network would) after a number of bytes went from the runtime to the worker. New
// connections are forwarded again. Partitioned, it forwards nothing either way and keeps every
// socket open, as a network that silently drops packets does (the client's calls hang, not fail).
import { createServer, connect, type Server, type Socket } from "node:net";

export interface CuttingProxy {
  /** host:port to give the worker instead of the runtime's. */
  readonly address: string;
  /** Connections cut so far. */
  readonly cuts: number;
  /** Bytes forwarded from the runtime to clients so far. */
  readonly bytesDown: number;
  /** Cuts every open connection once `bytes` more have gone from the runtime to clients. */
  cutAfter(bytes: number): void;
  /** From now on nothing is forwarded, and nothing is closed. */
  partition(): void;
  close(): Promise<void>;
}

export async function startCuttingProxy(target: string): Promise<CuttingProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
  const open = new Set<Socket>();
  let cuts = 0;
  let bytesDown = 0;
  let cutAt: number | undefined;
  let partitioned = false;
  const cutAll = () => {
    cutAt = undefined;
    cuts++;
    for (const socket of open) socket.destroy();
    open.clear();
  };
  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        open.delete(s);
        (s === client ? upstream : client).destroy();
      });
    }
    client.on("data", (chunk: Buffer) => partitioned || upstream.write(chunk));
    upstream.on("data", (chunk: Buffer) => {
      if (partitioned) return;
      bytesDown += chunk.byteLength;
      client.write(chunk);
      if (cutAt !== undefined && bytesDown >= cutAt) cutAll();
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    address,
    get cuts() {
      return cuts;
    },
    get bytesDown() {
      return bytesDown;
    },
    cutAfter(bytes) {
      cutAt = bytesDown + bytes;
    },
    partition() {
      partitioned = true;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
}
