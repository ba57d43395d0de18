import { pino, type Logger as PinoLogger } from "pino";

/** The structured JSON logger (pino). */
export type Logger = PinoLogger;

/** Creates the process logger; secret values are replaced before any line is written. */
export function createLogger(options: { level: string; secrets?: readonly string[]; destination?: NodeJS.WritableStream } = { level: "info" }): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  return pino(
    {
      level: options.level,
      base: { service: "mlops-autopilot" },
      redact: { paths: ["*.authorization", "*.cookie", "*.token", "*.secret", "*.apiKey", "*.password", "req.headers.authorization", "req.headers.cookie"], censor: "[REDACTED]" },
      hooks: {
        // A second line of defence: a secret that slipped into a message is cut out.
        logMethod(args, method) {
          if (secrets.length === 0) return method.apply(this, args);
          const scrub = (v: unknown): unknown => (typeof v === "string" ? secrets.reduce((s, x) => s.split(x).join("[REDACTED]"), v) : v);
          return method.apply(this, args.map((a) => (typeof a === "object" && a !== null ? JSON.parse(scrub(JSON.stringify(a)) as string) : scrub(a))) as Parameters<typeof method>);
        },
      },
    },
    (options.destination as never) ?? pino.destination(2),
  );
}
