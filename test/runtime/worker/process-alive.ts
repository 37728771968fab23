// Whether a process still runs, for tests that kill things. A killed process whose parent died
// stays a zombie until init reaps it (slowly, in some sandboxes): a zombie runs nothing, so it
// counts as gone.
import { readFileSync } from "node:fs";

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // no /proc (macOS): kill(0) is all there is
  }
}
