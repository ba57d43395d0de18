import type { AnyTool } from "../tool.js";
import { getApplicationTool } from "./get-application.js";
import { rollbackApplicationTool } from "./rollback-application.js";
import { syncApplicationTool } from "./sync-application.js";

/** The Argo CD tools of the devops agent. */
export const argocdTools: AnyTool[] = [getApplicationTool, syncApplicationTool, rollbackApplicationTool];
