import path from "node:path";
import { createAuditRepo, migrate, openDatabase } from "../store/index.js";
import type { Config } from "../config.js";

/** `autopilot audit verify|head`: checks the hash chain of the audit trail, or prints its head. */
export async function runAudit(config: Config, action: string, out: (line: string) => void): Promise<number> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.home, "pgdata") });
  try {
    await migrate(db);
    const audit = createAuditRepo(db);
    if (action === "head") {
      out(JSON.stringify(await audit.head()));
      return 0;
    }
    if (action !== "verify") {
      out("usage: autopilot audit verify | audit head");
      return 2;
    }
    const result = await audit.verify();
    if (result.ok) {
      out(`audit chain intact: ${result.rows} rows, head ${JSON.stringify(result.head)}`);
      return 0;
    }
    out(`audit chain broken at seq ${result.firstBrokenSeq}: ${result.reason}`);
    return 1;
  } finally {
    await db.close();
  }
}
