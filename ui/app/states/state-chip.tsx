// A state as a small coloured chip; its colour comes from styles.css's one table.
import type { ReactNode } from "react";
import { type DisplayState, stateLabel } from "./display-state.ts";

export function StateChip(props: { state: DisplayState; testId?: string; children?: ReactNode }): ReactNode {
  return (
    <span className={`chip state-${props.state}`} data-testid={props.testId} data-state={props.state}>
      {props.children ?? stateLabel(props.state)}
    </span>
  );
}

/** A square swatch (grid cells, last runs), its state in the title for hovering. */
export function StateDot(props: { state: DisplayState; title?: string }): ReactNode {
  return <span className={`dot state-${props.state}`} data-state={props.state} title={props.title ?? stateLabel(props.state)} />;
}
