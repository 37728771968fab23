// The URL is the page's state: which page, which workflow or execution, which node, which filters.
// Pages read it here and change it with navigate()/setQuery(), so any view can be opened directly
// (a link, a reload, a test) and the back button works.
import { type MouseEvent, type ReactNode, useSyncExternalStore } from "react";

export interface Place {
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();
let current = read();

function read(): { path: string; search: string } {
  return { path: location.pathname, search: location.search };
}

function changed(): void {
  const next = read();
  if (next.path === current.path && next.search === current.search) return;
  current = next;
  for (const l of listeners) l();
}

addEventListener("popstate", changed);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function usePlace(): Place {
  const snapshot = useSyncExternalStore(subscribe, () => current);
  return { path: snapshot.path, query: new URLSearchParams(snapshot.search) };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  changed();
}

/** Sets (or, with undefined or "", removes) query parameters of the current page, in place. */
export function setQuery(patch: Record<string, string | undefined>): void {
  const query = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === "") query.delete(k);
    else query.set(k, v);
  }
  const search = query.toString();
  navigate(`${location.pathname}${search ? `?${search}` : ""}`, { replace: true });
}

/** The segments of a route pattern like "/executions/:id"; undefined when the path does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/").filter(Boolean);
  const have = path.split("/").filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i]!.startsWith(":")) params[want[i]!.slice(1)] = decodeURIComponent(have[i]!);
    else if (want[i] !== have[i]) return undefined;
  }
  return params;
}

export function Link(props: { to: string; children: ReactNode; className?: string; title?: string; testId?: string }): ReactNode {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className} title={props.title} data-testid={props.testId}>
      {props.children}
    </a>
  );
}

export const paths = Object.freeze({
  workflows: () => "/workflows",
  workflow: (name: string) => `/workflows/${encodeURIComponent(name)}`,
  executions: (query?: Record<string, string>) => `/executions${query ? `?${new URLSearchParams(query)}` : ""}`,
  execution: (id: string, node?: string) => `/executions/${encodeURIComponent(id)}${node ? `?node=${encodeURIComponent(node)}` : ""}`,
  workers: () => "/workers",
});
