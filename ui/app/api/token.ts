// The runtime's shared token, asked for once and kept for this tab only (sessionStorage): a page
// reload keeps it, closing the tab forgets it.
const KEY = "weir.token";

export function readToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) || undefined;
  } catch {
    return undefined;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token.trim());
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
