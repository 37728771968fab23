// How a client's flags, address and environment become a channel: when TLS is on, which CA is
// trusted, where the token comes from, and which settings are refused as usage errors. Plus the
// server's token check on its own (Bearer parsing) and the warnings about how it is exposed.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { callMetadata, resolveChannel } from "../../runtime/channel-security.ts";
import { CredentialError } from "../../runtime/credentials.ts";
import { exposureWarnings, tokenCheck } from "../../runtime/server/auth.ts";

const CA_FILE = join(import.meta.dirname, "../fixtures/tls/ca.pem");
const dir = mkdtempSync(join(tmpdir(), "weir-security-"));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

function refusal(fn: () => unknown): CredentialError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CredentialError);
    return err as CredentialError;
  }
  throw new Error("expected a CredentialError");
}

describe("resolveChannel", () => {
  it("is plaintext without a token by default", () => {
    expect(resolveChannel("127.0.0.1:7070", {}, {})).toEqual({ target: "127.0.0.1:7070", security: {} });
  });

  it("turns TLS on for https://, --tls, --tls-ca or $WEIR_TLS_CA (not for http://), with the CA read from its file", () => {
    expect(resolveChannel("https://runtime.internal:7070/", {}, {})).toEqual({ target: "runtime.internal:7070", security: { tls: {} } });
    expect(resolveChannel("runtime:7070", { tls: true }, {}).security).toEqual({ tls: {} });
    const ca = readFileSync(CA_FILE);
    expect(resolveChannel("runtime:7070", { tlsCa: CA_FILE }, {}).security.tls?.ca).toEqual(ca);
    expect(resolveChannel("runtime:7070", {}, { WEIR_TLS_CA: CA_FILE }).security.tls?.ca).toEqual(ca);
    expect(resolveChannel("http://runtime:7070", {}, { WEIR_TLS_CA: CA_FILE })).toEqual({ target: "runtime:7070", security: {} });
  });

  it("reads the token from --token-file before $WEIR_TOKEN, trimmed", () => {
    const tokenFile = file("token", "  from-file\n");
    expect(resolveChannel("h:1", { tokenFile }, { WEIR_TOKEN: "from-env" }).security.token).toBe("from-file");
    expect(resolveChannel("h:1", {}, { WEIR_TOKEN: "from-env" }).security.token).toBe("from-env");
    expect(resolveChannel("h:1", {}, { WEIR_TOKEN: "" }).security.token).toBeUndefined();
  });

  it("refuses settings it cannot use, naming the flag and never echoing the token", () => {
    expect(refusal(() => resolveChannel("http://h:1", { tlsCa: CA_FILE }, {})).code).toBe("BAD_TLS_SETTING");
    expect(refusal(() => resolveChannel("http://h:1", { tls: true }, {})).message).toContain("--tls asks for TLS");
    const missing = refusal(() => resolveChannel("h:1", { tlsCa: join(dir, "nope.pem") }, {}));
    expect(missing.message).toMatch(/^--tls-ca .*nope\.pem: cannot read it \(ENOENT\)/);
    expect(refusal(() => resolveChannel("h:1", {}, { WEIR_TLS_CA: file("x.txt", "not a certificate") })).message).toContain("$WEIR_TLS_CA");
    expect(refusal(() => resolveChannel("h:1", { tokenFile: file("empty", "\n") }, {})).message).toContain("is empty");
    const spaced = refusal(() => resolveChannel("h:1", {}, { WEIR_TOKEN: "two words" }));
    expect(spaced.code).toBe("BAD_TOKEN");
    expect(spaced.message).not.toContain("two words");
  });

  it("sends the token as a Bearer authorization on each call", () => {
    expect(callMetadata({ token: "abc" }).get("authorization")).toEqual(["Bearer abc"]);
    expect(callMetadata({}).get("authorization")).toEqual([]);
  });
});

describe("the server's token check", () => {
  const check = tokenCheck("s3cret");
  const with_ = (...values: string[]) => {
    const metadata = new grpc.Metadata();
    for (const v of values) metadata.add("authorization", v);
    return check(metadata);
  };

  it("takes `Bearer <token>` (scheme in any case) and refuses the rest by reason", () => {
    expect(with_("Bearer s3cret")).toBeUndefined();
    expect(with_("bearer s3cret")).toBeUndefined();
    expect(with_()).toBe("MISSING");
    expect(with_("s3cret")).toBe("MALFORMED");
    expect(with_("Basic s3cret")).toBe("MALFORMED");
    expect(with_("Bearer s3cret", "Bearer s3cret")).toBe("MALFORMED");
    expect(with_("Bearer s3cre")).toBe("WRONG");
    expect(with_("Bearer s3cret-and-more")).toBe("WRONG");
  });

  it("warns about a non-loopback interface without a token, or with a token but no TLS", () => {
    expect(exposureWarnings("127.0.0.1", false, false)).toEqual([]);
    expect(exposureWarnings("localhost", false, true)).toEqual([]);
    expect(exposureWarnings("0.0.0.0", false, false)[0]).toContain("without a token");
    expect(exposureWarnings("0.0.0.0", false, true)[0]).toContain("without TLS");
    expect(exposureWarnings("0.0.0.0", true, true)).toEqual([]);
  });
});
