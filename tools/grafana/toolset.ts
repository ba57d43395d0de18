import type { AnyTool } from "../tool.js";
import { createAnnotationTool } from "./create-annotation.js";

/** The Grafana tools: annotate a dashboard. */
export const grafanaTools: AnyTool[] = [createAnnotationTool];
