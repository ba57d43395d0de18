/** A value H2O accepts in a form-encoded request body. */
export type H2oParam = string | number | boolean | readonly string[] | undefined;

/**
 * Encodes a string array the way h2o-py does (section 5.1): a bracket string of double-quoted
 * items, e.g. `["key1","key2"]`. H2O strips the quotes, so names may hold commas.
 */
export function bracketList(items: readonly string[]): string {
  return `[${items.map((item) => `"${item.replace(/"/g, '\\"')}"`).join(",")}]`;
}

/** Turns request parameters into the form fields H2O reads, arrays as bracket strings. */
export function toForm(params: Record<string, H2oParam>): Record<string, string | number | boolean | undefined> {
  const form: Record<string, string | number | boolean | undefined> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    form[key] = isStringArray(value) ? bracketList(value) : value;
  }
  return form;
}

function isStringArray(value: H2oParam): value is readonly string[] {
  return Array.isArray(value);
}
