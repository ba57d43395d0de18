import { execFile } from "node:child_process";
import { copyFile, mkdir, readFile, readdir, rename, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DvcError } from "./dvc-error.js";

/** The default remote named by the DVC config. */
export interface DvcRemote {
  name: string;
  url: string;
}

/**
 * Parses DVC's INI config (configobj syntax: `[core]`, `['remote "name"']`, `key = value`, `#`
 * and `;` comments) into sections of keys.
 */
export function parseDvcConfig(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*(?:'(.*)'|"(.*)"|(.*?))\s*\]$/.exec(line);
    if (header) {
      const name = (header[1] ?? header[2] ?? header[3] ?? "").replace(/\s+/g, " ");
      current = sections[name] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0 || !current) continue;
    current[line.slice(0, eq).trim()] = unquote(line.slice(eq + 1).replace(/\s[#;].*$/, "").trim());
  }
  return sections;
}

function unquote(value: string): string {
  const q = value[0];
  return (q === "'" || q === '"') && value.endsWith(q) && value.length >= 2 ? value.slice(1, -1) : value;
}

/** The default remote of `.dvc/config` merged with `.dvc/config.local`, or null when none is set. */
export async function readDefaultRemote(dvcDir: string): Promise<DvcRemote | null> {
  const merged: Record<string, Record<string, string>> = {};
  for (const file of ["config", "config.local"]) {
    const text = await readFile(join(dvcDir, file), "utf8").catch(() => "");
    for (const [section, keys] of Object.entries(parseDvcConfig(text))) Object.assign((merged[section] ??= {}), keys);
  }
  const name = merged.core?.remote;
  if (!name) return null;
  const url = merged[`remote "${name}"`]?.url;
  if (!url) throw new DvcError("dvc_remote_invalid", `DVC default remote "${name}" has no url in .dvc/config`);
  return { name, url };
}

/**
 * Makes `name` the default remote with `url` in `.dvc/config.local` (DVC merges it over
 * `.dvc/config`; it is machine-local and git-ignored, the place for a remote that comes from the
 * environment). Other keys of config.local are kept.
 */
export async function setLocalDefaultRemote(dvcDir: string, remote: DvcRemote): Promise<void> {
  if (!/^[\w.-]+$/.test(remote.name)) throw new DvcError("dvc_remote_invalid", `DVC remote name "${remote.name}" must be letters, digits, '.', '_' or '-'`);
  if (/[\r\n]/.test(remote.url)) throw new DvcError("dvc_remote_invalid", "DVC remote url must be one line");
  const file = join(dvcDir, "config.local");
  const sections = parseDvcConfig(await readFile(file, "utf8").catch(() => ""));
  (sections.core ??= {}).remote = remote.name;
  (sections[`remote "${remote.name}"`] ??= {}).url = remote.url;
  const text = Object.entries(sections)
    .map(([section, keys]) => [`[${section.includes(" ") ? `'${section}'` : section}]`, ...Object.entries(keys).map(([k, v]) => `    ${k} = ${v}`)].join("\n"))
    .join("\n");
  await writeFile(file, `${text}\n`);
}

/** The directory of a local-path remote URL (relative paths resolve against `.dvc/`, as in DVC), or null. */
export function localRemotePath(url: string, dvcDir: string): string | null {
  if (url.startsWith("file://")) return fileURLToPath(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null;
  return isAbsolute(url) ? url : resolve(dvcDir, url);
}

/** Copies the DVC 3 objects (`files/md5/..`) of `cacheDir` that `remoteDir` lacks; returns how many. */
export async function copyMissingObjects(cacheDir: string, remoteDir: string): Promise<number> {
  const base = join(cacheDir, "files", "md5");
  const shards = await readdir(base).catch(() => [] as string[]);
  let copied = 0;
  for (const shard of shards.sort()) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const object of (await readdir(join(base, shard))).sort()) {
      if (!/^[0-9a-f]{30}(\.dir)?$/.test(object)) continue;
      const target = join(remoteDir, "files", "md5", shard, object);
      if (await stat(target).then(() => true, () => false)) continue;
      await mkdir(join(remoteDir, "files", "md5", shard), { recursive: true });
      // Copy then rename, so an interrupted push never leaves a truncated object under its hash.
      const partial = `${target}.partial-${process.pid}`;
      await copyFile(join(base, shard, object), partial);
      await rename(partial, target);
      copied++;
    }
  }
  return copied;
}

/** Runs `dvc push`; resolves false when the executable does not exist (not on PATH). */
export function runDvcPush(executable: string, cwd: string, timeoutMs: number): Promise<boolean> {
  return new Promise((done, fail) => {
    execFile(executable, ["push"], { cwd, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (!error) return done(true);
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return done(false);
      const timedOut = error.killed || (error as { signal?: string }).signal === "SIGTERM";
      const detail = timedOut ? `timed out after ${timeoutMs} ms` : `failed: ${String(stderr).trim().slice(-500) || error.message}`;
      fail(new DvcError("dvc_push_failed", `dvc push ${detail}`, { cause: error }));
    });
  });
}
