// One node of an execution: its state, its error with its code, its attempts (worker, GPU devices,
// queued / running times), its inputs and outputs as values, and its logs.
import type { ReactNode } from "react";
import { ErrorKind, type NodeExecution, type TaskTemplate, type WorkerInfo } from "../../../proto/messages.ts";
import { resourcesText } from "../graph/graph-node.tsx";
import { attemptState, isTerminalNode, nodeState } from "../states/display-state.ts";
import { StateChip } from "../states/state-chip.tsx";
import { instantText, ms, spanText } from "../time/time-text.ts";
import { LiteralView } from "../values/literal-view.tsx";
import { NodeLogs } from "./node-logs.tsx";
import type { ShownInput } from "./node-inputs.ts";

/**
 * The names the attempt's worker registered its devices under, equal names counted ("NVIDIA A100 ×2");
 * empty when the worker is gone from the list or registered none.
 */
function deviceNames(gpus: readonly number[], w: WorkerInfo | undefined): string {
  const counts = new Map<string, number>();
  for (const index of gpus) {
    const name = w?.gpus.find((g) => g.index === index)?.name;
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(", ");
}

export function NodePanel(props: {
  executionId: string;
  nodeId: string;
  node: NodeExecution | undefined;
  task: TaskTemplate | undefined;
  inputs: ShownInput[];
  workers: ReadonlyMap<string, WorkerInfo>;
  onClose: () => void;
}): ReactNode {
  const { node, task } = props;
  const state = node ? nodeState(node) : "pending";
  return (
    <aside className="node-panel card" data-testid="node-panel">
      <div className="panel-head">
        <h2>{props.nodeId}</h2>
        <StateChip state={state} testId="node-state" />
        <button type="button" className="link" onClick={props.onClose} title="close">
          ✕
        </button>
      </div>
      <div className="muted small">
        {node?.target || task?.name}
        {task ? ` · ${resourcesText(task).join(" · ")}` : ""}
        {node?.source ? ` · ${node.source.file}:${node.source.line}` : ""}
      </div>
      {node?.error && (
        <div className="node-error" data-testid="node-error">
          <div>
            <code className="error-code" data-testid="node-error-code">
              {node.error.code}
            </code>{" "}
            <span className="muted small">{node.error.kind === ErrorKind.SYSTEM ? "system error" : "user error"}</span>
          </div>
          <pre>{node.error.message}</pre>
        </div>
      )}
      <h3>Attempts</h3>
      {node && node.attempts.length > 0 ? (
        <table className="list compact" data-testid="attempts">
          <thead>
            <tr>
              <th>#</th>
              <th>state</th>
              <th>worker</th>
              <th>queued</th>
              <th>ran</th>
              <th>error</th>
            </tr>
          </thead>
          <tbody>
            {node.attempts.map((a) => {
              const w = props.workers.get(a.workerId);
              return (
                <tr key={a.number} data-testid={`attempt-${a.number}`}>
                  <td>{a.number}</td>
                  <td>
                    <StateChip state={attemptState(a)} />
                  </td>
                  <td>
                    {a.workerId || "—"}
                    {a.gpus.length > 0 && (
                      <div className="small muted" data-testid={`attempt-${a.number}-gpus`}>
                        GPU {a.gpus.join(", ")}
                        {deviceNames(a.gpus, w) && ` · ${deviceNames(a.gpus, w)}`}
                      </div>
                    )}
                  </td>
                  <td title={instantText(ms(a.queuedAt))}>{spanText(ms(a.queuedAt), ms(a.startedAt) ?? ms(a.finishedAt))}</td>
                  <td title={`${instantText(ms(a.startedAt))} → ${instantText(ms(a.finishedAt))}`}>{spanText(ms(a.startedAt), ms(a.finishedAt))}</td>
                  <td>{a.error ? <code title={a.error.message}>{a.error.code}</code> : ""}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="muted small">no attempts{node?.state && !isTerminalNode(node.state) ? " yet" : ""}</p>
      )}
      {props.inputs.length > 0 && (
        <>
          <h3>Inputs</h3>
          <dl className="values" data-testid="node-inputs">
            {props.inputs.map((i) => (
              <div key={i.name}>
                <dt>
                  {i.name} <span className="muted small">← {i.from}</span>
                </dt>
                <dd>
                  <LiteralView literal={i.literal} />
                </dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {node?.outputs && Object.keys(node.outputs.literals).length > 0 && (
        <>
          <h3>Outputs</h3>
          <dl className="values" data-testid="node-outputs">
            {Object.entries(node.outputs.literals)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([name, l]) => (
                <div key={name} data-testid={`output-${name}`}>
                  <dt>{name}</dt>
                  <dd>
                    <LiteralView literal={l} />
                  </dd>
                </div>
              ))}
          </dl>
        </>
      )}
      <h3>Logs</h3>
      <NodeLogs executionId={props.executionId} nodeId={props.nodeId} running={!node || !isTerminalNode(node.state)} />
    </aside>
  );
}
