import { doctorTargets, formatDoctorTable, runDoctor } from "../doctor.js";
import type { Config } from "../config.js";

/** `autopilot doctor [--json]`: checks every configured system and prints a table; exits 1 when one fails. */
export async function runDoctorCommand(config: Config, options: { json: boolean }, out: (line: string) => void): Promise<number> {
  const rows = await runDoctor(doctorTargets(config));
  if (options.json) out(JSON.stringify({ rows }, null, 2));
  else {
    out(formatDoctorTable(rows));
    const failed = rows.filter((r) => r.status === "fail").map((r) => r.system);
    const warned = rows.filter((r) => r.status === "warn").map((r) => r.system);
    out("");
    out(failed.length ? `FAILED: ${failed.join(", ")}` : warned.length ? `OK with warnings: ${warned.join(", ")}` : "All checks passed.");
  }
  return rows.some((r) => r.status === "fail") ? 1 : 0;
}
