import path from "node:path";
import { createTokensRepo, migrate, openDatabase, type TokenRole } from "../store/index.js";
import type { Config } from "../config.js";

const ROLES: readonly TokenRole[] = ["viewer", "operator", "admin"];

/** `autopilot token create|list|revoke`: manages API tokens (the secret is printed once). */
export async function runToken(config: Config, args: { action: string; role?: string; name?: string; id?: string }, out: (line: string) => void): Promise<number> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.home, "pgdata") });
  try {
    await migrate(db);
    const tokens = createTokensRepo(db);
    const now = new Date();
    switch (args.action) {
      case "create": {
        const role = args.role as TokenRole;
        if (!ROLES.includes(role)) {
          out(`token create needs --role ${ROLES.join("|")}`);
          return 2;
        }
        const { token, row } = await tokens.create({ name: args.name ?? `${role}-${dateSuffix(now)}`, role, by: "cli", now });
        out(`created ${row.role} token ${row.id} (${row.name}); it is shown only this once:`);
        out(token);
        return 0;
      }
      case "list":
        for (const t of await tokens.list()) out(`${t.id}  ${t.role.padEnd(8)}  ${t.name}  created ${t.createdAt.toISOString()}${t.revokedAt ? `  revoked ${t.revokedAt.toISOString()}` : ""}`);
        return 0;
      case "revoke": {
        if (!args.id) {
          out("token revoke needs a token id (see `autopilot token list`)");
          return 2;
        }
        const row = await tokens.revoke(args.id, now);
        out(`revoked ${row.id} (${row.name})`);
        return 0;
      }
      default:
        out("usage: autopilot token create --role viewer|operator|admin [--name NAME] | token list | token revoke ID");
        return 2;
    }
  } finally {
    await db.close();
  }
}

function dateSuffix(now: Date): string {
  return now.toISOString().slice(0, 10);
}
