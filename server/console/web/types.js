// The shapes the console reads from the API (JSDoc only: nothing here runs).

/** @typedef {"viewer" | "operator" | "admin"} Role */

/** @typedef {{ name: string, role: Role, id?: string }} Principal */

/**
 * @typedef {object} CycleView
 * @property {string} id
 * @property {"queued" | "running" | "awaiting_approval" | "completed" | "failed"} status
 * @property {string} environment
 * @property {string | null} service
 * @property {string | null} signal
 * @property {Record<string, unknown>} trigger
 * @property {number} alert_count
 * @property {string} created_at
 * @property {string | null} started_at
 * @property {string | null} finished_at
 * @property {string | null} outcome
 * @property {string | null} error
 * @property {string | null} pending_approval_id
 * @property {number} attempts
 */

/**
 * @typedef {object} TimelineStep
 * @property {number} seq
 * @property {string} at
 * @property {string} [kind]
 * @property {string} agent
 * @property {string | null} step
 * @property {string | null} tool
 * @property {string | null} decision
 * @property {string[]} reasons
 * @property {string} status
 * @property {string} summary
 * @property {unknown} [input]
 * @property {number | null} duration_ms
 * @property {string | null} approval_id
 */

/** @typedef {{ cycle: CycleView, steps: TimelineStep[], trace_url: string | null }} Timeline */

/** @typedef {{ t: string, v: number }} ChartPoint */
/** @typedef {{ t: string, v: number, score: number }} ChartAnomaly */
/** @typedef {{ t: string, kind: string, label: string }} ChartMark */

/**
 * @typedef {object} Chart
 * @property {{ service: string, signal: string, title?: string, query: string, unit?: string } | null} metric
 * @property {string | null} [unavailable]
 * @property {ChartPoint[]} series
 * @property {ChartAnomaly[]} anomalies
 * @property {ChartMark[]} marks
 */

/** @typedef {{ id: string, kind: string, name: string, mediaType: string, sha256: string, size: number }} ArtifactRef */

/**
 * An approval request as the API returns it (the store's camelCase names, or snake_case ones).
 * @typedef {object} Approval
 * @property {string} id
 * @property {string} tool
 * @property {unknown} input
 * @property {unknown} reasons
 * @property {unknown} principal
 * @property {string} status
 * @property {string | null} [cycleId]
 * @property {string | null} [cycle_id]
 * @property {string} [requestedAt]
 * @property {string} [requested_at]
 * @property {string} [expiresAt]
 * @property {string} [expires_at]
 */

/**
 * A feature flag of one environment.
 * @typedef {object} Flag
 * @property {string} [flagName]
 * @property {string} [flag_name]
 * @property {string} environment
 * @property {boolean} enabled
 * @property {Record<string, unknown>} [metadata]
 * @property {string} [updatedAt]
 * @property {string} [updated_at]
 * @property {string} [updatedBy]
 * @property {string} [updated_by]
 */

/**
 * What a page gets when the router mounts it; `signal` aborts when the page is left, which stops
 * its requests, streams and timers.
 * @typedef {object} PageContext
 * @property {HTMLElement} root
 * @property {Record<string, string>} params
 * @property {Principal} principal
 * @property {AbortSignal} signal
 * @property {(hash: string) => void} navigate
 */

export {};
