// Start a backfill: one run per tick of the workflow's schedule between two days (in the schedule's
// zone), at most `max active` at once (the schedule's own limit when empty). A dry run lists the
// ticks and creates nothing.
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { type FormEvent, type ReactNode, useState } from "react";
import type { CreateBackfillResponse, Schedule } from "../../../proto/messages.ts";
import { admin, errorText } from "../api/admin.ts";
import { Link, paths } from "../routing/router.tsx";
import { instantText } from "../time/time-text.ts";
import { dayEnd, dayStart } from "../../../core/zoned-time.ts";

export function BackfillForm(props: { workflow: string; schedule: Schedule }): ReactNode {
  const zone = props.schedule.timezone || "UTC";
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [maxActive, setMaxActive] = useState("");
  const [dryRun, setDryRun] = useState(true);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<{ dry: boolean; r: CreateBackfillResponse }>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!from || !to) return setError("choose both days");
    const start = dayStart(from, zone);
    const end = dayEnd(to, zone);
    if (end < start) return setError("the last day is before the first");
    const max = maxActive.trim() === "" ? 0 : Number(maxActive);
    if (!Number.isInteger(max) || max < 0) return setError("max active runs is a whole number");
    setBusy(true);
    try {
      const r = await admin.createBackfill({
        workflow: props.workflow,
        start: timestampFromMs(start),
        end: timestampFromMs(end),
        maxActiveRuns: max,
        dryRun,
      });
      setResult({ dry: dryRun, r });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="backfill-form" onSubmit={submit} data-testid="backfill-form">
      <div className="row">
        <label className="field">
          <span className="field-name">from ({zone})</span>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="backfill-from" />
        </label>
        <label className="field">
          <span className="field-name">to</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="backfill-to" />
        </label>
        <label className="field">
          <span className="field-name">max active</span>
          <input
            type="number"
            min="0"
            step="1"
            value={maxActive}
            placeholder={String(props.schedule.maxActiveRuns || "no limit")}
            onChange={(e) => setMaxActive(e.target.value)}
            data-testid="backfill-max-active"
          />
        </label>
      </div>
      <label className="check">
        <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} data-testid="backfill-dry-run" /> dry run (list the ticks only)
      </label>
      {error && <div className="error">{error}</div>}
      <button type="submit" disabled={busy} data-testid="backfill-submit">
        {dryRun ? "List ticks" : "Start backfill"}
      </button>
      {result && (
        <div className="backfill-result" data-testid="backfill-result">
          {result.dry ? "would run" : `backfill ${result.r.backfillId}:`} {result.r.ticks.length} tick{result.r.ticks.length === 1 ? "" : "s"}
          <ul>
            {result.r.ticks.slice(0, 50).map((t, i) => {
              const id = result.r.executionIds[i];
              const at = instantText(timestampMs(t));
              return <li key={at}>{id ? <Link to={paths.execution(id)}>{at}</Link> : at}</li>;
            })}
          </ul>
        </div>
      )}
    </form>
  );
}
