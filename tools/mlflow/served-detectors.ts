import { AutopilotError } from "../../core/index.js";
import { AnomalyDetector } from "../anomaly/index.js";
import { isUpstreamError } from "../http.js";
import type { MlflowClient } from "./client.js";
import { DETECTOR_ALIAS, detectorModelName, loadDetectorVersion } from "./detector-store.js";

/** The detector serving a series: the registry version its `champion` alias points at, loaded in ONNX Runtime. */
export interface ServedDetector {
  name: string;
  version: string;
  detector: AnomalyDetector;
  /** Metrics recorded on the version (precision, recall, ...). */
  metrics: Record<string, number>;
  /** The resolution of the series it was trained on, in seconds; null when the version does not say. */
  stepSeconds: number | null;
}

interface Slot {
  served: ServedDetector;
  /** Calls using this detector right now; a swapped-out detector closes when the last one ends. */
  users: number;
  retired: boolean;
}

/**
 * The detectors that serve, one per series, following the registry: every `use` reads where the
 * series' `champion` alias points (one small request) and, when the alias has moved, loads the new
 * version and swaps it in; the old session closes once no call uses it. A series without a
 * registered champion has no detector (null).
 */
export class ServedDetectors {
  private readonly slots = new Map<string, Slot>();
  private readonly loading = new Map<string, Promise<Slot>>();

  constructor(private readonly mlflow: MlflowClient) {}

  /** Runs `fn` with the series' serving detector (null when none is registered), keeping it open meanwhile. */
  async use<T>(series: string, fn: (served: ServedDetector | null) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const name = detectorModelName(series);
    let slot: Slot;
    try {
      const alias = await this.mlflow.getModelVersionByAlias(name, DETECTOR_ALIAS, signal);
      if (!alias) {
        this.retire(name);
        return fn(null);
      }
      slot = await this.slotFor(name, alias.version, signal);
    } catch (error) {
      // Only a registry that did not answer (not a broken artifact) is a reason to score without it.
      if (isUpstreamError(error)) throw new AutopilotError("detector_registry_unavailable", `the detector registry could not be read for ${name}: ${error.message}`, { cause: error });
      throw error;
    }
    slot.users++;
    try {
      return await fn(slot.served);
    } finally {
      slot.users--;
      if (slot.retired && slot.users === 0) await slot.served.detector.close();
    }
  }

  /** The version serving each series loaded so far. */
  loaded(): Array<{ name: string; version: string }> {
    return [...this.slots.values()].map((s) => ({ name: s.served.name, version: s.served.version }));
  }

  /** Closes every loaded detector. */
  async close(): Promise<void> {
    for (const name of [...this.slots.keys()]) this.retire(name);
    await Promise.all([...this.loading.values()].map((p) => p.then((s) => (s.users === 0 ? s.served.detector.close() : undefined), () => undefined)));
  }

  private async slotFor(name: string, version: string, signal?: AbortSignal): Promise<Slot> {
    const current = this.slots.get(name);
    if (current?.served.version === version) return current;
    const key = `${name}@${version}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = (async () => {
        const loaded = await loadDetectorVersion(this.mlflow, name, version, signal);
        const detector = await AnomalyDetector.load(loaded.model);
        return { served: { name, version, detector, metrics: loaded.metrics, stepSeconds: loaded.stepSeconds }, users: 0, retired: false };
      })();
      this.loading.set(key, pending);
      pending.finally(() => this.loading.delete(key)).catch(() => undefined);
    }
    const slot = await pending;
    // Another call may have swapped in the same or a newer version meanwhile; the last alias read wins.
    if (this.slots.get(name) !== slot) {
      this.retire(name);
      this.slots.set(name, slot);
    }
    return slot;
  }

  private retire(name: string): void {
    const slot = this.slots.get(name);
    if (!slot) return;
    this.slots.delete(name);
    slot.retired = true;
    if (slot.users === 0) void slot.served.detector.close();
  }
}
