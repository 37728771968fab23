// A real tsserver (the `typescript` package's), spoken to over its JSON protocol as an editor does:
// requests as JSON lines on stdin, responses framed by Content-Length on stdout. Each request
// waits for the response with its seq, never for a fixed time.
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TSSERVER = path.join(REPO, "node_modules", "typescript", "lib", "tsserver.js");

export interface TsDiagnostic {
  start: { line: number; offset: number };
  end: { line: number; offset: number };
  text: string;
  code: number;
  category: string;
  source?: string;
}

export interface FileCodeEdits {
  fileName: string;
  textChanges: Array<{ start: { line: number; offset: number }; end: { line: number; offset: number }; newText: string }>;
}

interface Response {
  seq: number;
  type: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: unknown;
}

export class TsServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private seq = 0;
  private buffer = Buffer.alloc(0);
  /** The text of each open file, as tsserver holds it. */
  private readonly buffers = new Map<string, string>();
  private readonly waiting = new Map<number, { resolve(r: Response): void; reject(e: Error): void }>();
  /** tsserver's log (the plugin logs its check times here, prefixed "[weir]"). */
  readonly logFile: string;

  /**
   * `probe`: where tsserver looks for plugins (a folder whose node_modules/weir links here). With
   * `global`, every project gets the plugin (as `--globalPlugins`), not only those whose tsconfig names it.
   */
  constructor(probe: string, options: { global?: boolean } = {}) {
    this.logFile = path.join(mkdtempSync(path.join(tmpdir(), "weir-tsserver-log-")), "tsserver.log");
    const plugins = options.global ? ["--globalPlugins", "weir/ts-plugin"] : [];
    this.child = spawn(
      process.execPath,
      [TSSERVER, "--disableAutomaticTypingAcquisition", "--pluginProbeLocations", probe, ...plugins, "--logVerbosity", "normal", "--logFile", this.logFile],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    this.child.stdout.on("data", (chunk: Buffer) => this.read(chunk));
    this.child.on("exit", (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`tsserver exited (${code})`));
      this.waiting.clear();
    });
  }

  request<T>(command: string, args: object): Promise<T> {
    const seq = ++this.seq;
    const reply = new Promise<Response>((resolve, reject) => this.waiting.set(seq, { resolve, reject }));
    this.child.stdin.write(`${JSON.stringify({ seq, type: "request", command, arguments: args })}\n`);
    return reply.then((r) => {
      if (!r.success) throw new Error(`tsserver ${command} failed: ${r.message}`);
      return r.body as T;
    });
  }

  /** Opens `file` with its disk text (or `content`), as an editor opening a tab. */
  async open(file: string, content?: string): Promise<void> {
    const text = content ?? readFileSync(file, "utf8");
    await this.request("updateOpen", { openFiles: [{ file, fileContent: text }] });
    this.buffers.set(file, text);
  }

  /** Replaces the open buffer's whole text (an edit the user has not saved). */
  async replace(file: string, text: string): Promise<void> {
    const lines = (this.buffers.get(file) ?? "").split("\n");
    const end = { line: lines.length, offset: lines[lines.length - 1].length + 1 };
    await this.request("updateOpen", { changedFiles: [{ fileName: file, textChanges: [{ start: { line: 1, offset: 1 }, end, newText: text }] }] });
    this.buffers.set(file, text);
  }

  semanticDiagnostics(file: string): Promise<TsDiagnostic[]> {
    return this.request("semanticDiagnosticsSync", { file });
  }

  async weirDiagnostics(file: string): Promise<TsDiagnostic[]> {
    return (await this.semanticDiagnostics(file)).filter((d) => d.source === "weir");
  }

  codeFixes(file: string, d: TsDiagnostic): Promise<Array<{ fixName: string; description: string; changes: FileCodeEdits[] }>> {
    return this.request("getCodeFixes", {
      file,
      startLine: d.start.line,
      startOffset: d.start.offset,
      endLine: d.end.line,
      endOffset: d.end.offset,
      errorCodes: [d.code],
    });
  }

  /** The plugin's lines from tsserver's log. */
  pluginLog(): string[] {
    return readFileSync(this.logFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("[weir]"));
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.write(`${JSON.stringify({ seq: ++this.seq, type: "request", command: "exit" })}\n`);
    await exited;
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const header = this.buffer.indexOf("\r\n\r\n");
      if (header < 0) return;
      const length = Number(/Content-Length: (\d+)/.exec(this.buffer.subarray(0, header).toString())?.[1]);
      if (this.buffer.length < header + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(header + 4, header + 4 + length).toString()) as Response;
      this.buffer = this.buffer.subarray(header + 4 + length);
      if (message.type !== "response" || message.request_seq === undefined) continue;
      this.waiting.get(message.request_seq)?.resolve(message);
      this.waiting.delete(message.request_seq);
    }
  }
}
