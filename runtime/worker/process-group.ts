// Child processes that cannot outlive the worker. Each runs in a process group of its own (a kill
// reaches everything it started), led by a POSIX sh that forks a watcher and then execs the program.
// The watcher holds one end of a pipe whose other end only the worker holds: when the worker dies,
// even by SIGKILL, the kernel closes it, the watcher reads EOF and SIGKILLs the whole group. The
// worker closes it too once the program has exited, so nothing the program left behind keeps running.
import { spawn, type ChildProcess } from "node:child_process";

// fd 3 is the worker's pipe; an IPC channel, when asked for, is fd 4. The watcher ignores the
// signals a stop sends the group (it must outlive a SIGTERM to do its job) and closes every other
// descriptor, so it holds neither the program's output nor its IPC channel open.
const LEADER = `{ trap '' INT TERM HUP; read -r _ <&3; kill -s KILL 0; } </dev/null >/dev/null 2>&1 4<&- &
exec 3<&- "$@"`;

export interface GroupOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** Adds an IPC channel (fd 4) for child.send, with this serialization. */
  ipc?: "json" | "advanced";
}

export interface GroupChild {
  /** The program (sh execs it: same pid, its exit code and signal are the program's). */
  readonly child: ChildProcess;
  /** Sends `signal` to the whole group; a group already gone is fine. */
  kill(signal: NodeJS.Signals): void;
  /** Closes the worker's end of the pipe: the watcher SIGKILLs whatever is left in the group. */
  release(): void;
}

/**
 * Spawns `program args` in its own process group under a parent-death watch. stdin is /dev/null,
 * stdout and stderr are pipes. The group is released (and emptied) when the program exits.
 */
export function spawnInGroup(program: string, args: readonly string[], options: GroupOptions): GroupChild {
  const stdio: ("ignore" | "pipe" | "ipc")[] = ["ignore", "pipe", "pipe", "pipe"];
  if (options.ipc) stdio.push("ipc");
  const child = spawn("/bin/sh", ["-c", LEADER, "weir-task", program, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio,
    // setsid: a group (and session) of its own, away from the worker's terminal.
    detached: true,
    serialization: options.ipc,
  });
  const watchPipe = child.stdio[3] as NodeJS.WritableStream & { destroy(): void };
  // A watcher that died early must not take the worker down with an EPIPE.
  (watchPipe as unknown as NodeJS.EventEmitter).on("error", () => undefined);
  const release = (): void => watchPipe.destroy();
  child.once("exit", release);
  child.once("error", release);
  return {
    child,
    kill: (signal) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    },
    release,
  };
}
