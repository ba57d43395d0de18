// Child process of pglite-lock.test.ts: opens a PGlite data directory another process serves.
import { openDatabase } from "../db.js";

const db = await openDatabase({ dataDir: process.argv[2]! });
const r = await db.query("SELECT note FROM shared_note");
process.stdout.write(JSON.stringify({ kind: db.kind, notes: r.rows.map((x) => x.note) }));
await db.query("INSERT INTO shared_note (note) VALUES ('from the child')");
await db.close();
