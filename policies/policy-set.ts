import { policySetTextToParts, policyToJson, validate } from "@cedar-policy/cedar-wasm/nodejs";
import type { DetailedError, PolicyJson } from "@cedar-policy/cedar-wasm/nodejs";
import { errorMessage } from "../core/index.js";
import type { CedarSchema } from "./schema.js";
import { PolicyLoadError } from "./errors.js";
import type { PolicyProblem } from "./errors.js";
import { parseObligations } from "./obligations.js";
import type { Obligation } from "./obligations.js";

/** A policy file as read from disk (or given by a test). */
export interface PolicyFile {
  path: string;
  text: string;
}

/** One loaded policy with the annotations the engine reads. */
export interface PolicyInfo {
  /** The `@id` annotation; also the policy's id inside Cedar. */
  id: string;
  file: string;
  line: number;
  effect: "permit" | "forbid";
  /** The `@reason` annotation, shown in decisions. */
  reason: string;
  /** A forbid annotated `@hard_stop("true")`: no approval lifts it. */
  hardStop: boolean;
  obligations: Obligation[];
  /** The policy's own text, as Cedar receives it. */
  text: string;
  /** Cedar's JSON form of the policy: the scope and condition trees the engine slices on. */
  json: PolicyJson;
}

/** A validated policy set, ready to pre-parse. */
export interface CompiledPolicySet {
  files: PolicyFile[];
  policies: Map<string, PolicyInfo>;
}

interface Located {
  info: PolicyInfo;
  /** Byte offset of the policy's first character in its file (Cedar reports UTF-8 offsets). */
  startByte: number;
  /** The file's UTF-8 bytes. */
  bytes: Buffer;
}

/**
 * Parses each file on its own, checks the annotations (`@id` unique and `@reason` on every policy,
 * `@hard_stop` only on forbids, `@obligation` only on permits) and validates the policies strictly
 * against the schema, warnings included. Throws a PolicyLoadError listing every problem by file
 * and line.
 */
export function compilePolicyFiles(schema: CedarSchema, files: readonly PolicyFile[]): CompiledPolicySet {
  const problems: PolicyProblem[] = [];
  const located = files.flatMap((file) => parseFile(file, problems));
  validateStrictly(schema, located, problems);
  const policies = new Map<string, PolicyInfo>();
  for (const { info } of located) {
    const first = policies.get(info.id);
    if (first) problems.push({ file: info.file, line: info.line, reason: `duplicate @id("${info.id}"), first at ${first.file}:${first.line}` });
    else policies.set(info.id, info);
  }
  const [first, ...rest] = problems;
  if (first) throw new PolicyLoadError([first, ...rest]);
  return { files: files.map((f) => ({ ...f })), policies };
}

/** Splits one file into its policies; syntax and annotation problems name this file. */
function parseFile(file: PolicyFile, problems: PolicyProblem[]): Located[] {
  const bytes = Buffer.from(file.text, "utf8");
  const problem = (byteOffset: number, reason: string) => problems.push({ file: file.path, line: lineAt(bytes, byteOffset), reason });
  const parts = policySetTextToParts(file.text);
  if (parts.type === "failure") {
    for (const error of parts.errors) problem(error.sourceLocations?.[0]?.start ?? -1, describe(error));
    return [];
  }
  for (const template of parts.policy_templates) problem(byteOffsetOf(file.text, template), "policy templates (?principal, ?resource) are not supported");
  const located: Located[] = [];
  for (const text of parts.policies) {
    const startByte = byteOffsetOf(file.text, text);
    const info = readPolicy(text, file.path, lineAt(bytes, startByte), (reason) => problem(startByte, reason));
    if (info) located.push({ info, startByte, bytes });
  }
  return located;
}

/** Validates every policy in one call (the schema is parsed once), mapping each error to its file and line. */
function validateStrictly(schema: CedarSchema, located: Located[], problems: PolicyProblem[]): void {
  if (located.length === 0) return;
  // Local keys, so every error maps back to its policy even when an @id is taken twice.
  const byKey = new Map(located.map((l, i) => [`p${i}`, l]));
  const answer = validate({
    schema,
    policies: { staticPolicies: Object.fromEntries([...byKey].map(([key, l]) => [key, l.info.text])) },
    validationSettings: { mode: "strict" },
  });
  if (answer.type === "failure") {
    for (const error of answer.errors) problems.push({ file: "(schema)", line: 0, reason: describe(error) });
    return;
  }
  const seen = new Set<string>();
  for (const { policyId, error } of [...answer.validationErrors, ...answer.validationWarnings]) {
    const at = byKey.get(policyId);
    const reason = describe(error).replace(/^for policy `[^`]*`, /, "");
    if (!at) {
      problems.push({ file: "(policy set)", line: 0, reason });
      continue;
    }
    const offset = at.startByte + (error.sourceLocations?.[0]?.start ?? 0);
    // The validator repeats an error once per action the policy applies to; one per spot is enough.
    const key = `${policyId}@${offset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file: at.info.file, line: lineAt(at.bytes, offset), reason });
  }
}

function readPolicy(text: string, file: string, line: number, problem: (reason: string) => void): PolicyInfo | null {
  const json = policyToJson(text);
  if (json.type === "failure") {
    problem(json.errors.map(describe).join("; "));
    return null;
  }
  const { effect, annotations = {} } = json.json;
  const id = annotations["id"];
  const reason = annotations["reason"];
  if (!id) problem('every policy needs a non-empty @id("...")');
  if (!reason) problem('every policy needs a non-empty @reason("...")');
  const hardStopText = annotations["hard_stop"];
  if (hardStopText !== undefined && (hardStopText !== "true" || effect !== "forbid")) {
    problem('@hard_stop must read @hard_stop("true") and sits on forbid policies only');
  }
  let obligations: Obligation[] = [];
  const obligationText = annotations["obligation"];
  if (obligationText !== undefined) {
    if (effect !== "permit") problem("@obligation sits on permit policies only");
    try {
      obligations = parseObligations(obligationText);
    } catch (error) {
      problem(errorMessage(error));
    }
  }
  if (!id || !reason) return null;
  return { id, file, line, effect, reason, hardStop: hardStopText === "true", obligations, text, json: json.json };
}

function describe(error: DetailedError): string {
  const label = error.sourceLocations?.find((l) => l.label)?.label;
  return `${error.message}${label ? `: ${label}` : ""}${error.help ? ` (${error.help})` : ""}`;
}

function byteOffsetOf(text: string, part: string): number {
  const index = text.indexOf(part);
  return index < 0 ? -1 : Buffer.byteLength(text.slice(0, index), "utf8");
}

/** 1-based line of a UTF-8 byte offset; 0 when Cedar gave no location. */
function lineAt(bytes: Buffer, byteOffset: number): number {
  if (byteOffset < 0) return 0;
  let line = 1;
  for (let i = 0; i < Math.min(byteOffset, bytes.length); i++) if (bytes[i] === 0x0a) line++;
  return line;
}
