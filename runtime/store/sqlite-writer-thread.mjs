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
const prepared = Object.fromEntries(
  Object.entries(statements).map(([table, s]) => [
    table,
    { width: s.width, row: db.prepare(s.row), chunk: db.prepare(s.chunk), chunkSize: s.width * s.chunkRows },
  ]),
);

// Each table's rows arrive as one flat array of values, `width` per row in parameter order; they
// are written `chunkRows` at a time, the rest one by one, in order.
const apply = db.transaction((batches) => {
  for (const batch of batches) {
    for (const [table, values] of Object.entries(batch.tables)) {
      const { width, row, chunk, chunkSize } = prepared[table];
      let i = 0;
      for (; i + chunkSize <= values.length; i += chunkSize) chunk.run(values.slice(i, i + chunkSize));
      for (; i < values.length; i += width) row.run(values.slice(i, i + width));
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
