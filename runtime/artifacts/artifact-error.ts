// An artifact-store failure as a value: a code plus a message saying what was wrong and what to do.

export type ArtifactErrorCode = "ARTIFACT_MISSING" | "ARTIFACT_OUTSIDE_STORE" | "ARTIFACT_SOURCE_MISSING" | "ARTIFACT_INVALID";

export class ArtifactError extends Error {
  readonly code: ArtifactErrorCode;
  constructor(code: ArtifactErrorCode, message: string) {
    super(message);
    this.name = "ArtifactError";
    this.code = code;
  }
}

/** Refs and hashes may be hostile and huge: quote at most 200 characters of one. */
export function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text;
}

/** What a sha256 is written as everywhere in weir: 64 lowercase hex digits. */
export const SHA256 = /^[0-9a-f]{64}$/;

/** `sha256`, checked to be one (ARTIFACT_INVALID otherwise): names built from it cannot leave the store. */
export function checkSha256(sha256: string): string {
  if (!SHA256.test(sha256)) throw new ArtifactError("ARTIFACT_INVALID", `'${clip(sha256)}' is not a sha256 (64 lowercase hex digits)`);
  return sha256;
}
