/** A duration as scenarios write it: one or more `<number><unit>` parts, units ms, s, m, h, d ("90s", "1h30m"). */
export const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration string such as "90s", "20m", "2h" or "1h30m"; throws on anything else. */
export function parseDuration(text: string): number {
  if (!DURATION_PATTERN.test(text)) throw new RangeError(`"${text}" is not a duration such as "90s", "20m" or "2h"`);
  let total = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(value) * (UNIT_MS[unit!] ?? 0);
  return total;
}
