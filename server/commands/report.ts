import { errorMessage } from "../../core/index.js";
import type { Config } from "../config.js";
import { isIsoWeekError, parseIsoWeek, renderWeeklyMarkdown, WeeklyReportSchema } from "../report/index.js";
import { ApiClientError, apiClientFor, type ApiClientOptions } from "./api-client.js";

/** A week's report aggregates every cycle of the week in the database: it gets longer than a plain read. */
const REPORT_TIMEOUT_MS = 30_000;

/**
 * `autopilot report [--week [YYYY-Www]] [--json]`: the weekly report of the running server (the
 * same JSON as `GET /api/v1/report/weekly`), printed as markdown or, with --json, as it came. It goes
 * through the server, like cycles and approve, so a viewer token is all it needs and no database
 * credentials leave the server; the current week is the server's.
 */
export async function runReportCommand(
  config: Pick<Config, "client">,
  args: { week?: string; json: boolean },
  out: (line: string) => void,
  options: Pick<ApiClientOptions, "fetch"> = {},
): Promise<number> {
  let query = "";
  if (args.week) {
    try {
      query = `?week=${encodeURIComponent(parseIsoWeek(args.week).label)}`;
    } catch (error) {
      if (!isIsoWeekError(error)) throw error;
      out(`${error.message}; or leave --week out for the current week`);
      return 2;
    }
  }
  const client = apiClientFor(config, { timeoutMs: REPORT_TIMEOUT_MS, ...options });
  const answer = await client.request<unknown>("GET", `/api/v1/report/weekly${query}`);
  const report = WeeklyReportSchema.safeParse(answer);
  if (!report.success) {
    throw new ApiClientError({ code: "bad_answer", message: `the server at ${client.url} answered with something that is not a weekly report (${errorMessage(report.error).slice(0, 200)}): is it another version?` });
  }
  out(args.json ? JSON.stringify(report.data, null, 2) : renderWeeklyMarkdown(report.data));
  return 0;
}
