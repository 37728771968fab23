// The server's side of transport security: TLS credentials, and the shared-token check as a grpc-js
// server interceptor, so a call without the token never reaches a handler (its request is never
// read). Health checking stays open for load balancers; reflection needs the token like the rest
// (`grpcurl -H "authorization: Bearer $WEIR_TOKEN"` sends it to both). The HTTP port checks the
// same header with the same check and refusals (http/http-server.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { createSecureContext } from "node:tls";
import { ServerCredentials, ServerInterceptingCall, ServerListenerBuilder, status, type ServerInterceptor } from "@grpc/grpc-js";
import type { ServerTls } from "../config.ts";
import { CredentialError, TOKEN_ENV } from "../credentials.ts";
import type { Logger } from "../log.ts";

/** Services any caller may use: `grpc.health.v1.Health` (Check, Watch, List). */
export const OPEN_SERVICES = Object.freeze(["grpc.health.v1.Health"]);

/** Why a call was refused, each with the message the caller sees (it never quotes the token). */
export const REFUSALS = Object.freeze({
  MISSING: `this weir runtime requires a token: send \`authorization: Bearer <token>\` metadata (weir worker and the weir CLI: set $${TOKEN_ENV} or pass --token-file <file>)`,
  MALFORMED: "the authorization metadata must be one `Bearer <token>` value",
  WRONG: `the token sent does not match this weir runtime's token; check $${TOKEN_ENV} or --token-file against the runtime's`,
});
export type Refusal = keyof typeof REFUSALS;

export function serverCredentials(tls: ServerTls | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  try {
    // What grpc-js would otherwise report only from bindAsync, as a bare OpenSSL line.
    createSecureContext({ cert: tls.cert, key: tls.key });
  } catch (err) {
    throw new CredentialError(
      "BAD_TLS_FILE",
      `--tls-cert and --tls-key are not a usable certificate and key (${(err as Error).message}); pass the server's certificate chain and the private key it was issued for`,
    );
  }
  return ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false);
}

/** Where a call's `authorization` values are read: gRPC metadata, or an HTTP request's headers. */
export interface AuthorizationSource {
  get(key: "authorization"): readonly unknown[];
}

/** Checks a call's `authorization` value against the token in constant time. */
export function tokenCheck(token: string): (source: AuthorizationSource) => Refusal | undefined {
  // Digests have one length, so timingSafeEqual never sees unequal lengths and leaks none.
  const expected = createHash("sha256").update(token).digest();
  return (source) => {
    const values = source.get("authorization");
    if (values.length === 0) return "MISSING";
    const match = values.length === 1 && typeof values[0] === "string" ? /^bearer +(\S+) *$/i.exec(values[0]) : null;
    if (!match) return "MALFORMED";
    return timingSafeEqual(createHash("sha256").update(match[1]!).digest(), expected) ? undefined : "WRONG";
  };
}

/** Refuses every call outside OPEN_SERVICES that does not carry the token, with UNAUTHENTICATED. */
export function tokenInterceptor(token: string, log: Logger): ServerInterceptor {
  const check = tokenCheck(token);
  return (method, call) => {
    if (OPEN_SERVICES.some((service) => method.path.startsWith(`/${service}/`))) return new ServerInterceptingCall(call);
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const refusal = check(metadata);
        if (refusal === undefined) return next(metadata);
        log.warn({ method: method.path, peer: call.getPeer(), refusal }, "refused a call without a valid token");
        call.sendStatus({ code: status.UNAUTHENTICATED, details: REFUSALS[refusal] });
      })
      .build();
    return new ServerInterceptingCall(call, { start: (next) => next(listener) });
  };
}

/** What an operator should hear about the way the server is exposed, if anything. */
export function exposureWarnings(host: string, tls: boolean, token: boolean): string[] {
  const loopback = host === "localhost" || (isIP(host) !== 0 && (host.startsWith("127.") || host === "::1"));
  if (loopback) return [];
  const warnings: string[] = [];
  if (!token)
    warnings.push(
      `listening on ${host} without a token: anyone who reaches this port can register workflows and take work (pass --token-file or set $${TOKEN_ENV})`,
    );
  if (token && !tls) warnings.push(`listening on ${host} with a token but without TLS: the token crosses the network in clear (pass --tls-cert and --tls-key)`);
  return warnings;
}
