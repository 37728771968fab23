// AdminService (and ArtifactService, for a dataframe's rows) over the Connect protocol on the page's
// own origin, binary-encoded (an execution of 10,000 nodes decodes several times faster than from
// JSON). Every call carries the token when the tab has one; a call the runtime refuses for want of
// it tells the shell to ask for it.
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AdminService, ArtifactService } from "../../../proto/messages.ts";
import { readToken } from "./token.ts";

export type Admin = Client<typeof AdminService>;

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called whenever a call is refused UNAUTHENTICATED (no token, or a wrong one). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

const bearer: Interceptor = (next) => async (req) => {
  const token = readToken();
  if (token) req.header.set("authorization", `Bearer ${token}`);
  try {
    return await next(req);
  } catch (err) {
    if (ConnectError.from(err).code === Code.Unauthenticated) for (const l of unauthenticatedListeners) l();
    throw err;
  }
};

const transport = createConnectTransport({ baseUrl: location.origin, useBinaryFormat: true, interceptors: [bearer] });

export const admin: Admin = createClient(AdminService, transport);

/** The runtime's artifact store, read by sha256 (StatBlob, DownloadBlob). */
export const artifacts: Client<typeof ArtifactService> = createClient(ArtifactService, transport);

/** A call's failure as people read it: the Connect code's name and the runtime's message. */
export function errorText(err: unknown): string {
  const e = ConnectError.from(err);
  return `${Code[e.code] ?? e.code}: ${e.rawMessage}`;
}

export function isAborted(err: unknown): boolean {
  return ConnectError.from(err).code === Code.Canceled;
}
