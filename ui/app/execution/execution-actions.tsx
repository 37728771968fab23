// What can be done to an execution: terminate it while it runs; recover it once it failed (a new
// execution that reruns only what failed); clear chosen nodes, and optionally their downstream, of an
// ended one so they run again in place.
import { type ReactNode, useState } from "react";
import { ExecutionState } from "../../../proto/messages.ts";
import { admin, errorText } from "../api/admin.ts";
import { navigate, paths } from "../routing/router.tsx";
import { isExecutionDone } from "../states/display-state.ts";

export function ExecutionActions(props: { id: string; state: ExecutionState; nodeIds: readonly string[]; onCleared: () => void }): ReactNode {
  const [mode, setMode] = useState<"" | "terminate" | "clear">("");
  const [reason, setReason] = useState("");
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [downstream, setDownstream] = useState(true);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const done = isExecutionDone(props.state);

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await what();
      setMode("");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="actions">
      {!done && mode !== "terminate" && (
        <button type="button" className="danger" onClick={() => setMode("terminate")} data-testid="terminate">
          Terminate
        </button>
      )}
      {mode === "terminate" && (
        <span className="confirm">
          <input placeholder="reason (optional)" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="terminate-reason" />
          <button
            type="button"
            className="danger"
            disabled={busy}
            data-testid="terminate-confirm"
            onClick={() => act(async () => void (await admin.terminateExecution({ id: props.id, reason: reason || "terminated from the web UI" })))}
          >
            Confirm terminate
          </button>
          <button type="button" onClick={() => setMode("")}>
            Cancel
          </button>
        </span>
      )}
      {props.state === ExecutionState.FAILED && (
        <button
          type="button"
          disabled={busy}
          data-testid="recover"
          onClick={() =>
            act(async () => {
              const { execution } = await admin.recoverExecution({ id: props.id });
              if (execution) navigate(paths.execution(execution.id));
            })
          }
        >
          Recover
        </button>
      )}
      {done && (
        <button type="button" onClick={() => setMode(mode === "clear" ? "" : "clear")} data-testid="clear">
          Clear nodes…
        </button>
      )}
      {mode === "clear" && (
        <div className="clear-panel card" data-testid="clear-panel">
          <div className="clear-list">
            {props.nodeIds.map((id) => (
              <label key={id} className="check">
                <input
                  type="checkbox"
                  checked={chosen.has(id)}
                  data-testid={`clear-node-${id}`}
                  onChange={(e) =>
                    setChosen((s) => {
                      const next = new Set(s);
                      if (e.target.checked) next.add(id);
                      else next.delete(id);
                      return next;
                    })
                  }
                />{" "}
                {id}
              </label>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" checked={downstream} onChange={(e) => setDownstream(e.target.checked)} data-testid="clear-downstream" /> and everything
            downstream
          </label>
          <button
            type="button"
            className="primary"
            disabled={busy || chosen.size === 0}
            data-testid="clear-confirm"
            onClick={() =>
              act(async () => {
                await admin.clearNodes({ executionId: props.id, nodeIds: [...chosen], downstream });
                setChosen(new Set());
                props.onCleared();
              })
            }
          >
            Clear and rerun {chosen.size || ""}
          </button>
        </div>
      )}
      {error && (
        <div className="error" data-testid="action-error">
          {error}
        </div>
      )}
    </div>
  );
}
