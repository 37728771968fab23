// The client side of transport security, shared by the CLI's AdminService client and the worker's
// Connect stream: which channel to open (TLS with a given CA or the system's roots, or plaintext),
// the token as per-call metadata, and what a connection that failed most likely means.
import { isIP } from "node:net";
import { connect as connectTls, type ConnectionOptions } from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { CredentialError, readPem, resolveToken } from "./credentials.ts";

/** The environment variable naming the CA file, like --tls-ca. */
export const TLS_CA_ENV = "WEIR_TLS_CA";

export interface ChannelSecurity {
  /** Speak TLS, trusting `ca` (PEM) or, without it, the system's roots. */
  readonly tls?: { readonly ca?: Buffer };
  /** Sent as `authorization: Bearer <token>` on every call. */
  readonly token?: string;
}

export const PLAINTEXT: ChannelSecurity = Object.freeze({});

/** The flags every command that talks to the runtime takes. */
export interface SecurityFlags {
  tls?: boolean;
  tlsCa?: string;
  tokenFile?: string;
}

/**
 * The target and security for an address and flags. TLS when the address is `https://…`, or
 * --tls, or a CA (--tls-ca, else $WEIR_TLS_CA); `http://…` means plaintext whatever
 * $WEIR_TLS_CA says (a flag asking for TLS with it is refused). The token comes from
 * --token-file, else $WEIR_TOKEN. A setting that cannot be used is a CredentialError.
 */
export function resolveChannel(address: string, flags: SecurityFlags, env: NodeJS.ProcessEnv = process.env): { target: string; security: ChannelSecurity } {
  const scheme = /^(https?):\/\//i.exec(address)?.[1]?.toLowerCase();
  const target = scheme ? address.slice(scheme.length + 3).replace(/\/+$/, "") : address;
  if (scheme === "http" && (flags.tls || flags.tlsCa !== undefined)) {
    throw new CredentialError(
      "BAD_TLS_SETTING",
      `${address} asks for plaintext but ${flags.tls ? "--tls" : "--tls-ca"} asks for TLS; use https://${target}, or drop the flag`,
    );
  }
  const envCa = scheme === "http" ? undefined : env[TLS_CA_ENV] || undefined;
  const caPath = flags.tlsCa ?? envCa;
  const tls = scheme === "https" || flags.tls === true || caPath !== undefined;
  const token = resolveToken(flags.tokenFile, env);
  const ca = caPath !== undefined ? readPem(flags.tlsCa !== undefined ? "--tls-ca" : `$${TLS_CA_ENV}`, caPath) : undefined;
  return { target, security: { ...(tls ? { tls: ca ? { ca } : {} } : {}), ...(token ? { token } : {}) } };
}

export function channelCredentials(security: ChannelSecurity): grpc.ChannelCredentials {
  return security.tls ? grpc.credentials.createSsl(security.tls.ca ?? null) : grpc.credentials.createInsecure();
}

/** Metadata for one call (grpc-js may add to it), carrying the token when there is one. */
export function callMetadata(security: ChannelSecurity): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (security.token) metadata.set("authorization", `Bearer ${security.token}`);
  return metadata;
}

/** Errors of the TCP connection itself: nothing a TLS probe could explain. */
const NETWORK_ERRORS = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT/;
/** Node's codes for a certificate the client does not trust. */
const UNTRUSTED = /CERT|SIGNATURE|ISSUER|SELF_SIGNED/;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Whether an UNAVAILABLE from `target` is a TLS problem, and which: grpc-js says little ("Failed
 * to connect"), so one probe connection with Node's TLS tells a TLS runtime from a plaintext one
 * and an untrusted certificate from a network failure. Returns the message for a person, or
 * undefined when TLS is not the cause; `details` (grpc-js's) skips the probe when the TCP
 * connection itself failed.
 */
export async function diagnoseTlsFailure(target: string, security: ChannelSecurity, details = ""): Promise<string | undefined> {
  const hostPort = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  if (!hostPort || NETWORK_ERRORS.test(details)) return undefined;
  const host = hostPort[1]!;
  const probe: ConnectionOptions = { host, port: Number(hostPort[2]), ...(isIP(host) ? {} : { servername: host }) };
  if (!security.tls) {
    const outcome = await probeTls({ ...probe, rejectUnauthorized: false });
    if (outcome !== "secure") return undefined;
    return `the weir runtime at ${target} serves TLS but this client spoke plaintext — pass --tls-ca <ca.pem> (or set ${TLS_CA_ENV}), or --tls or an https:// address when its certificate is publicly trusted`;
  }
  const outcome = await probeTls({ ...probe, ca: security.tls.ca });
  if (outcome === "secure" || outcome === "timeout") return undefined;
  const { code = "", message } = outcome;
  if (NETWORK_ERRORS.test(code)) return undefined;
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number/.test(message)) {
    return `the weir runtime at ${target} does not speak TLS (it serves plaintext) — drop --tls, --tls-ca and https://, or start it with --tls-cert and --tls-key`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return `the TLS certificate of the weir runtime at ${target} is not valid for ${host} (${message}) — connect with a name it lists, or reissue it with ${host} in its subjectAltName`;
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return `the TLS certificate of the weir runtime at ${target} is outside its validity period (${message}) — renew it`;
  }
  if (UNTRUSTED.test(code)) {
    const which = security.tls.ca ? `the CA given (--tls-ca or ${TLS_CA_ENV}) did not sign it` : "no CA was given and the system's roots do not trust it";
    return `the TLS certificate of the weir runtime at ${target} is not trusted (${message}): ${which} — pass the CA that signed it with --tls-ca <ca.pem> (or set ${TLS_CA_ENV})`;
  }
  return `the TLS handshake with the weir runtime at ${target} failed (${message})`;
}

type ProbeOutcome = "secure" | "timeout" | { code?: string; message: string };

function probeTls(options: ConnectionOptions): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connectTls({ ...options, ALPNProtocols: ["h2"] });
    const done = (outcome: ProbeOutcome): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done("timeout"), PROBE_TIMEOUT_MS);
    socket.once("secureConnect", () => done("secure"));
    socket.once("error", (err: NodeJS.ErrnoException) => done({ code: err.code, message: err.message }));
  });
}
