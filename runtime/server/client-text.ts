// Client text inside the runtime's own messages. A message quotes what a client sent (an id, a
// name, a path) so the caller sees what was wrong, but never unbounded: an answer carrying a 128 KiB
// id would not fit in a gRPC trailer, and the call would never end.

/** How much of one client string a message quotes, and how long a status message may grow. */
export const CLIENT_TEXT_LIMITS = Object.freeze({
  quotedChars: 80,
  /** Whole status details (a spec's diagnostics can be many lines); far below HTTP/2's 64 KiB header limit. */
  detailsChars: 16 * 1024,
});

/** `text` as a message quotes it: itself when short, else its start and its full size. */
export function quoted(text: string, max: number = CLIENT_TEXT_LIMITS.quotedChars): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…(${Buffer.byteLength(text)} bytes)`;
}

/** Status details cut to what a trailer carries, saying how much was left out. */
export function boundedDetails(details: string): string {
  const max = CLIENT_TEXT_LIMITS.detailsChars;
  if (details.length <= max) return details;
  return `${details.slice(0, max)}\n…(${details.length - max} more characters left out)`;
}
