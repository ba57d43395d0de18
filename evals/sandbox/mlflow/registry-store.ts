import { invalidParameter, MlflowError, notFound } from "./errors.js";
import { matchesFilter, orderItems, paginate, parseFilter } from "./filter.js";
import { keyValues, type KeyValue } from "./tracking-store.js";

interface VersionRecord {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  run_link: string;
  status: "PENDING_REGISTRATION" | "READY";
  tags: Map<string, string>;
}

interface ModelRecord {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  tags: Map<string, string>;
  aliases: Map<string, string>;
  versions: Map<string, VersionRecord>;
}

/** A model version as the registry API returns it. */
export interface ModelVersionJson {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: string;
  description: string;
  source: string;
  run_id: string;
  run_link: string;
  status: "PENDING_REGISTRATION" | "READY";
  tags: KeyValue[];
  aliases: string[];
}

/** Registered models, their versions and aliases. */
export class RegistryStore {
  private readonly models = new Map<string, ModelRecord>();

  constructor(private readonly now: () => number) {}

  /** Creates a registered model; a taken name is RESOURCE_ALREADY_EXISTS. */
  createModel(body: { name?: unknown; tags?: unknown; description?: unknown }) {
    const name = requireString(body.name, "name");
    if (this.models.has(name)) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Registered Model (name=${name}) already exists.`);
    const record: ModelRecord = {
      name,
      creation_timestamp: this.now(),
      last_updated_timestamp: this.now(),
      description: typeof body.description === "string" ? body.description : "",
      tags: new Map(keyValues(body.tags).map((t) => [t.key, t.value])),
      aliases: new Map(),
      versions: new Map(),
    };
    this.models.set(name, record);
    return this.modelJson(record);
  }

  /** A registered model with its latest version and aliases. */
  getModel(name: unknown) {
    return this.modelJson(this.model(name));
  }

  /** Registered models matching a filter such as `name='x'` or `name LIKE 'search%'`. */
  searchModels(q: { filter?: string; max_results?: number; order_by?: string[]; page_token?: string }) {
    const conditions = parseFilter(q.filter);
    const get = (m: ModelRecord, key: string) => (key.startsWith("tags.") ? m.tags.get(key.slice(5)) : (m as unknown as Record<string, string | number>)[key]);
    const sorted = orderItems([...this.models.values()].filter((m) => matchesFilter(m, conditions, get)), q.order_by ?? [], get, (a, b) => a.name.localeCompare(b.name));
    const page = paginate(sorted, Math.min(q.max_results ?? 100, 1000), q.page_token);
    return { registered_models: page.items.map((m) => this.modelJson(m)), ...(page.next_page_token ? { next_page_token: page.next_page_token } : {}) };
  }

  /** Registers a new version (PENDING_REGISTRATION in the answer, READY for every later read). */
  createVersion(body: { name?: unknown; source?: unknown; run_id?: unknown; tags?: unknown; run_link?: unknown; description?: unknown }): ModelVersionJson {
    const model = this.model(body.name);
    const source = requireString(body.source, "source");
    if (source.split(/[/\\]/).includes("..")) throw invalidParameter(`Invalid model version source: '${source}'. '..' is not allowed.`);
    const version = String(Math.max(0, ...[...model.versions.keys()].map(Number)) + 1);
    const record: VersionRecord = {
      name: model.name,
      version,
      creation_timestamp: this.now(),
      last_updated_timestamp: this.now(),
      current_stage: "None",
      description: typeof body.description === "string" ? body.description : "",
      source,
      run_id: typeof body.run_id === "string" ? body.run_id : "",
      run_link: typeof body.run_link === "string" ? body.run_link : "",
      status: "READY",
      tags: new Map(keyValues(body.tags).map((t) => [t.key, t.value])),
    };
    model.versions.set(version, record);
    model.last_updated_timestamp = this.now();
    return { ...this.versionJson(record), status: "PENDING_REGISTRATION" };
  }

  /** Seeds a version directly with a given number (the scenario's champion). */
  seedVersion(name: string, version: string, fields: { source: string; run_id: string; tags: Record<string, string> }): void {
    const model = this.model(name);
    const at = this.now();
    model.versions.set(version, {
      name,
      version,
      creation_timestamp: at,
      last_updated_timestamp: at,
      current_stage: "None",
      description: "",
      source: fields.source,
      run_id: fields.run_id,
      run_link: "",
      status: "READY",
      tags: new Map(Object.entries(fields.tags)),
    });
  }

  /** A version by model name and number. */
  getVersion(name: unknown, version: unknown): ModelVersionJson {
    return this.versionJson(this.version(name, version));
  }

  /** A version's tag, or undefined (used to link a deployed version to its H2O model). */
  versionTag(name: string, version: string, key: string): string | undefined {
    return this.models.get(name)?.versions.get(version)?.tags.get(key);
  }

  /** Versions matching a filter such as `name='m'`, `run_id='...'` or `tags.k='v'`. */
  searchVersions(q: { filter?: string; max_results?: number; order_by?: string[]; page_token?: string }) {
    const conditions = parseFilter(q.filter);
    const get = (v: VersionRecord, key: string): string | number | undefined => {
      if (key.startsWith("tags.")) return v.tags.get(key.slice(5));
      if (key === "version_number") return Number(v.version);
      return (v as unknown as Record<string, string | number>)[key];
    };
    const all = [...this.models.values()].flatMap((m) => [...m.versions.values()]).filter((v) => matchesFilter(v, conditions, get));
    const sorted = orderItems(all, q.order_by ?? [], get, (a, b) => a.name.localeCompare(b.name) || Number(b.version) - Number(a.version));
    const page = paginate(sorted, Math.min(q.max_results ?? 200_000, 200_000), q.page_token);
    return { model_versions: page.items.map((v) => this.versionJson(v)), ...(page.next_page_token ? { next_page_token: page.next_page_token } : {}) };
  }

  /** Changes a version's description. */
  updateVersion(body: { name?: unknown; version?: unknown; description?: unknown }): ModelVersionJson {
    const record = this.version(body.name, body.version);
    if (typeof body.description === "string") record.description = body.description;
    record.last_updated_timestamp = this.now();
    return this.versionJson(record);
  }

  /** Sets a tag on a version. */
  setVersionTag(body: { name?: unknown; version?: unknown; key?: unknown; value?: unknown }): void {
    const record = this.version(body.name, body.version);
    record.tags.set(requireString(body.key, "key"), body.value === undefined ? "" : String(body.value));
    record.last_updated_timestamp = this.now();
  }

  /** Points an alias at a version (re-pointing is allowed). */
  setAlias(body: { name?: unknown; alias?: unknown; version?: unknown }): void {
    const model = this.model(body.name);
    const alias = requireString(body.alias, "alias");
    const record = this.version(body.name, body.version);
    model.aliases.set(alias, record.version);
  }

  /** Removes an alias. */
  deleteAlias(name: unknown, alias: unknown): void {
    this.model(name).aliases.delete(requireString(alias, "alias"));
  }

  /** The version an alias points at. */
  getByAlias(name: unknown, alias: unknown): ModelVersionJson {
    const model = this.model(name);
    const version = model.aliases.get(requireString(alias, "alias"));
    // MLflow's registry stores raise INVALID_PARAMETER_VALUE (400) here, not RESOURCE_DOES_NOT_EXIST.
    if (version === undefined) throw invalidParameter(`Registered model alias ${String(alias)} not found.`);
    return this.getVersion(model.name, version);
  }

  /** The version number an alias points at, or undefined. */
  aliasVersion(name: string, alias: string): string | undefined {
    return this.models.get(name)?.aliases.get(alias);
  }

  private model(name: unknown): ModelRecord {
    const model = this.models.get(requireString(name, "name"));
    if (!model) throw notFound(`Registered Model with name=${String(name)} not found`);
    return model;
  }

  private version(name: unknown, version: unknown): VersionRecord {
    const model = this.model(name);
    const record = model.versions.get(requireString(version === undefined ? undefined : String(version), "version"));
    if (!record) throw notFound(`Model Version (name=${model.name}, version=${String(version)}) not found`);
    return record;
  }

  private versionJson(v: VersionRecord): ModelVersionJson {
    const aliases = [...(this.models.get(v.name)?.aliases ?? [])].filter(([, version]) => version === v.version).map(([alias]) => alias);
    const { tags, ...rest } = v;
    return { ...rest, tags: [...tags].map(([key, value]) => ({ key, value })), aliases };
  }

  private modelJson(m: ModelRecord) {
    const versions = [...m.versions.values()].sort((a, b) => Number(b.version) - Number(a.version));
    return {
      name: m.name,
      creation_timestamp: m.creation_timestamp,
      last_updated_timestamp: m.last_updated_timestamp,
      description: m.description,
      latest_versions: versions.slice(0, 1).map((v) => this.versionJson(v)),
      tags: [...m.tags].map(([key, value]) => ({ key, value })),
      aliases: [...m.aliases].map(([alias, version]) => ({ alias, version })),
    };
  }
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw invalidParameter(`Missing value for required parameter '${field}'.`);
  return value;
}
