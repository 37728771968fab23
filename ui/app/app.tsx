// The shell: the bar with the pages, the page the URL names, and the token prompt when the runtime
// refuses a call for want of one.
import { type FormEvent, type ReactNode, useEffect, useState } from "react";
import { onUnauthenticated } from "./api/admin.ts";
import { readToken, saveToken } from "./api/token.ts";
import { ExecutionPage } from "./pages/execution-page.tsx";
import { ExecutionsPage } from "./pages/executions-page.tsx";
import { WorkersPage } from "./pages/workers-page.tsx";
import { WorkflowPage } from "./pages/workflow-page.tsx";
import { WorkflowsPage } from "./pages/workflows-page.tsx";
import { Link, matchPath, navigate, type Place, paths, usePlace } from "./routing/router.tsx";

export function App(): ReactNode {
  const place = usePlace();
  const [needsToken, setNeedsToken] = useState(false);
  useEffect(() => onUnauthenticated(() => setNeedsToken(true)), []);
  useEffect(() => {
    if (place.path === "/" || place.path === "") navigate(paths.workflows(), { replace: true });
  }, [place.path]);
  const section = place.path.split("/")[1] ?? "";
  return (
    <div className="app">
      <header className="top">
        <Link to={paths.workflows()} className="brand">
          weir
        </Link>
        <nav>
          <Link to={paths.workflows()} className={section === "workflows" ? "active" : undefined} testId="nav-workflows">
            Workflows
          </Link>
          <Link to={paths.executions()} className={section === "executions" ? "active" : undefined} testId="nav-executions">
            Executions
          </Link>
          <Link to={paths.workers()} className={section === "workers" ? "active" : undefined} testId="nav-workers">
            Workers
          </Link>
        </nav>
        <span className="muted small host">{location.host}</span>
      </header>
      <main>{needsToken ? <TokenPrompt /> : <Page place={place} />}</main>
    </div>
  );
}

function Page(props: { place: Place }): ReactNode {
  const { path } = props.place;
  let m: Record<string, string> | undefined;
  if ((m = matchPath("/workflows/:name", path))) return <WorkflowPage key={m.name} name={m.name!} />;
  if (matchPath("/workflows", path) || path === "/") return <WorkflowsPage />;
  if ((m = matchPath("/executions/:id", path))) return <ExecutionPage key={m.id} id={m.id!} />;
  if (matchPath("/executions", path)) return <ExecutionsPage />;
  if (matchPath("/workers", path)) return <WorkersPage />;
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. <Link to={paths.workflows()}>Workflows</Link>
      </p>
    </div>
  );
}

/** The runtime asks for its token: taken once, kept for this tab (sessionStorage), sent on every call. */
function TokenPrompt(): ReactNode {
  const [token, setToken] = useState("");
  const had = readToken() !== undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) return;
    saveToken(token);
    location.reload();
  };
  return (
    <div className="page">
      <form className="token-prompt card" onSubmit={submit} data-testid="token-prompt">
        <h1>This runtime needs its token</h1>
        <p className="muted">
          {had ? "The token this tab sent was refused. " : ""}Every call carries it as <code>authorization: Bearer …</code>; it is kept for this tab only.
        </p>
        <input type="password" autoComplete="off" placeholder="token" value={token} onChange={(e) => setToken(e.target.value)} data-testid="token-input" />
        <button type="submit" className="primary" data-testid="token-submit">
          Use token
        </button>
      </form>
    </div>
  );
}
