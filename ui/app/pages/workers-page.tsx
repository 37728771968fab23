// Workers and pools: each pool's connected workers, capacity and running attempts, then every
// worker with its pools, load, GPU devices, labels and last heartbeat.
import type { ReactNode } from "react";
import type { WorkerInfo } from "../../../proto/messages.ts";
import { admin } from "../api/admin.ts";
import { useCall } from "../api/use-call.ts";
import { agoText, instantText, ms } from "../time/time-text.ts";
import { bytesText } from "../values/literal-text.ts";

const REFRESH_MS = 2_000;

interface PoolRow {
  pool: string;
  workers: number;
  capacity: number;
  running: number;
  gpus: number;
}

export function pools(workers: readonly WorkerInfo[]): PoolRow[] {
  const byPool = new Map<string, PoolRow>();
  for (const w of workers) {
    if (!w.connected) continue;
    for (const pool of w.pools) {
      const row = byPool.get(pool) ?? { pool, workers: 0, capacity: 0, running: 0, gpus: 0 };
      row.workers += 1;
      row.capacity += w.capacity;
      row.running += w.running;
      row.gpus += w.gpus.length;
      byPool.set(pool, row);
    }
  }
  return [...byPool.values()].sort((a, b) => a.pool.localeCompare(b.pool));
}

export function WorkersPage(): ReactNode {
  const { data, error } = useCall((signal) => admin.listWorkers({}, { signal }), [], REFRESH_MS);
  const workers = data?.workers ?? [];
  return (
    <div className="page" data-testid="workers-page">
      <h1>Workers and pools</h1>
      {error && <div className="error">{error}</div>}
      <h2>Pools</h2>
      <table className="list" data-testid="pools-table">
        <thead>
          <tr>
            <th>pool</th>
            <th>workers</th>
            <th>running / capacity</th>
            <th>GPU devices</th>
          </tr>
        </thead>
        <tbody>
          {pools(workers).map((p) => (
            <tr key={p.pool} data-testid={`pool-row-${p.pool}`}>
              <td>
                <strong>{p.pool}</strong>
              </td>
              <td>{p.workers}</td>
              <td>
                <Load running={p.running} capacity={p.capacity} />
              </td>
              <td>{p.gpus || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Workers</h2>
      <table className="list" data-testid="workers-table">
        <thead>
          <tr>
            <th>worker</th>
            <th>host</th>
            <th>pools</th>
            <th>running / capacity</th>
            <th>GPU devices</th>
            <th>labels</th>
            <th>heartbeat</th>
          </tr>
        </thead>
        <tbody>
          {[...workers]
            .sort((a, b) => Number(b.connected) - Number(a.connected) || a.id.localeCompare(b.id))
            .map((w) => (
              <tr key={w.id} className={w.connected ? undefined : "gone"} data-testid={`worker-row-${w.id}`}>
                <td>
                  <strong>{w.id}</strong> {!w.connected && <span className="badge">disconnected</span>}
                </td>
                <td>{w.hostname}</td>
                <td>{w.pools.join(", ")}</td>
                <td>
                  <Load running={w.running} capacity={w.capacity} />
                </td>
                <td>
                  {w.gpus.length === 0
                    ? "—"
                    : w.gpus.map((g) => (
                        <div key={g.index} className="small" title={g.uuid}>
                          #{g.index} {g.name}
                          {g.memoryBytes ? ` · ${bytesText(g.memoryBytes)}` : ""}
                        </div>
                      ))}
                </td>
                <td className="small">
                  {Object.entries(w.labels)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(", ") || "—"}
                </td>
                <td title={instantText(ms(w.lastHeartbeat))}>{agoText(ms(w.lastHeartbeat))}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {workers.length === 0 && data && (
        <p className="muted">
          No worker has connected: start one with <code>weir worker --pool cpu</code> in your project.
        </p>
      )}
    </div>
  );
}

function Load(props: { running: number; capacity: number }): ReactNode {
  const share = props.capacity > 0 ? Math.min(1, props.running / props.capacity) : 0;
  return (
    <span className="load" title={`${props.running} of ${props.capacity} slots in use`}>
      <span className="load-bar">
        <span style={{ width: `${share * 100}%` }} />
      </span>
      {props.running} / {props.capacity}
    </span>
  );
}
