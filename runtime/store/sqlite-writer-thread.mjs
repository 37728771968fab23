// The SQLite store's writer thread: applies batches in transactions on its own connection, so the
// runtime's event loop keeps working while a commit waits for fsync. Batches that queued up during
// one commit are applied together in the next transaction (group commit). Plain JavaScript: the
// thread needs no TypeScript loader; the SQL comes from sqlite-store.ts in workerData.
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { path, pragmas, statements } = workerData;
const db = new Database(path);
for (const p of pragmas) db.pragma(p);
db.defaultSafeIntegers(false);
const prepared = Object.fromEntries(Object.entries(statements).map(([table, sql]) => [table, db.prepare(sql)]));

const apply = db.transaction((batches) => {
  for (const batch of batches) {
    for (const [table, rows] of Object.entries(batch.tables)) {
      const stmt = prepared[table];
      for (const row of rows) stmt.run(row);
    }
  }
});

parentPort.on("message", (first) => {
  if (first.type === "close") {
    db.close();
    parentPort.close();
    return;
  }
  const batches = [first];
  let closing = false;
  for (let next = receiveMessageOnPort(parentPort); next; next = receiveMessageOnPort(parentPort)) {
    if (next.message.type === "close") closing = true;
    else batches.push(next.message);
  }
  try {
    apply(batches);
    parentPort.postMessage({ ids: batches.map((b) => b.id) });
  } catch (err) {
    parentPort.postMessage({ ids: batches.map((b) => b.id), error: err instanceof Error ? err.message : String(err) });
  }
  if (closing) {
    db.close();
    parentPort.close();
  }
});
