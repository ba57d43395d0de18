/**
 * Replaces every occurrence of the given secret values in `text` with `[REDACTED]`. Used on
 * anything that leaves the process (logs, traces, tool output, error messages) as a second line of
 * defence after "never put the secret there in the first place".
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join("[REDACTED]");
  }
  return out;
}
