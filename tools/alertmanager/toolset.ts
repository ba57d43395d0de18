import type { AnyTool } from "../tool.js";
import { createSilenceTool } from "./create-silence.js";
import { expireSilenceTool } from "./expire-silence.js";
import { listAlertsTool } from "./list-alerts.js";
import { postAlertsTool } from "./post-alerts.js";

/** The Alertmanager tools: read and raise alerts, silence them for a while, end a silence. */
export const alertmanagerTools: AnyTool[] = [listAlertsTool, postAlertsTool, createSilenceTool, expireSilenceTool];
