import { watch, type FSWatcher } from "node:fs";
import { errorMessage } from "../core/index.js";
import { readPolicyFiles } from "../policies/index.js";
import type { Autopilot } from "./autopilot.js";

/**
 * Reloads the policies when a `.cedar` file of the policy directory changes (debounced). A set
 * that does not validate is refused and the active one stays; both outcomes are audited and logged.
 */
export function watchPolicies(ap: Autopilot, debounceMs = 300): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  const reload = async () => {
    const at = ap.platform.clock.now();
    try {
      ap.engine.reload(await readPolicyFiles(ap.policyDir));
      ap.logger.info({ dir: ap.policyDir }, "policies reloaded");
      await ap.store.audit.append({ at, cycleId: null, kind: "admin_action", actor: { type: "Operator", id: "policy-watcher" }, decision: "policies_reloaded", data: { files: ap.engine.policyTexts().map((f) => f.path) } });
    } catch (error) {
      ap.logger.error({ dir: ap.policyDir, err: errorMessage(error) }, "policy reload refused; the active policies stay");
      await ap.store.audit
        .append({ at, cycleId: null, kind: "admin_action", actor: { type: "Operator", id: "policy-watcher" }, decision: "policies_reload_failed", data: { error: errorMessage(error) } })
        .catch(() => undefined);
    }
  };
  let watcher: FSWatcher;
  try {
    watcher = watch(ap.policyDir, (_event, file) => {
      if (file && !String(file).endsWith(".cedar")) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), debounceMs);
    });
  } catch (error) {
    ap.logger.warn({ dir: ap.policyDir, err: errorMessage(error) }, "cannot watch the policy directory; reload with POST /api/v1/policies/reload");
    return { close: () => undefined };
  }
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
