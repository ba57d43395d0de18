import { Hono, type Context } from "hono";
import type { Random } from "../random.js";
import type { World } from "../world/world.js";
import { frameJson, frameKey, meta } from "./frame.js";
import { ALGOS, modelJson, mojoBytes, modelKeyJson, predict, startModelBuild } from "./models.js";
import { builderErrorJson, cloudJson, H2oError, h2oErrorJson } from "./schemas.js";
import { parseH2oList, type H2oStore } from "./store.js";

/** What the H2O API needs. */
export interface H2oDeps {
  store: H2oStore;
  world: World;
  random: Random;
}

/**
 * The H2O-3 REST API subset (`/3/...`) the tools call, mounted under `/h2o`. Requests are
 * form-encoded (query parameters also work); errors are H2OErrorV3, and a rejected model build is
 * a 412 H2OModelBuilderErrorV3 with field messages.
 */
export function createH2oApi(deps: H2oDeps): Hono {
  const { store, world, random } = deps;
  const app = new Hono();
  let built = 0;

  app.get("/3/Cloud", (c) => c.json(cloudJson(world.now() - world.startMs + 3_600_000)));
  const importFiles = async (c: Context) => {
    const p = await params(c);
    return c.json(await store.importFiles(p.path, p.pattern));
  };
  app.get("/3/ImportFiles", importFiles);
  app.post("/3/ImportFiles", importFiles);
  app.post("/3/ParseSetup", async (c) => c.json(store.parseSetup(parseH2oList((await params(c)).source_frames))));
  app.post("/3/Parse", async (c) => {
    const p = await params(c);
    return c.json(
      store.parse({
        source_frames: parseH2oList(p.source_frames),
        destination_frame: p.destination_frame ? unquote(p.destination_frame) : undefined,
        column_names: p.column_names ? parseH2oList(p.column_names) : undefined,
        column_types: p.column_types ? parseH2oList(p.column_types) : undefined,
        check_header: p.check_header === undefined ? 0 : Number(p.check_header),
        delete_on_done: p.delete_on_done === undefined ? true : p.delete_on_done === "true",
        blocking: p.blocking === "true",
      }),
    );
  });
  app.get("/3/Jobs/:key", (c) => c.json(store.pollJob(c.req.param("key"))));

  app.post("/3/ModelBuilders/:algo", async (c) => {
    const algo = c.req.param("algo").toLowerCase();
    if (!ALGOS[algo]) throw new H2oError(404, `Unknown algo: ${algo}`);
    built += 1;
    return c.json(startModelBuild(store, world, algo, await params(c), built));
  });
  app.get("/3/Models/:id", (c) => c.json({ __meta: meta("ModelsV3", "Models"), models: [modelJson(store.model(c.req.param("id")))] }));
  app.get("/3/Models/:id/mojo", (c) => {
    const model = store.model(c.req.param("id"));
    return new Response(mojoBytes(model), { headers: { "content-type": "application/octet-stream", "content-disposition": `attachment; filename=${model.key}.zip` } });
  });
  app.delete("/3/Models/:id", (c) => {
    const model = store.model(c.req.param("id"));
    store.models.delete(model.key);
    return c.json({ __meta: meta("ModelsV3", "Models"), model_id: modelKeyJson(model.key), models: [] });
  });
  app.post("/3/Predictions/models/:model/frames/:frame", async (c) => {
    const p = await params(c);
    return c.json(predict(store, world, c.req.param("model"), c.req.param("frame"), p.predictions_frame, random.hex(8)));
  });

  app.get("/3/Frames/:id", (c) => {
    const frame = store.frame(c.req.param("id"));
    const rowCount = c.req.query("row_count");
    const rowOffset = c.req.query("row_offset");
    return c.json({ __meta: meta("FramesV3", "Frames"), frame_id: frameKey(frame.key), frames: [frameJson(frame, Number(rowOffset ?? 0) || 0, rowCount === undefined ? 0 : Number(rowCount) || 0)] });
  });
  app.delete("/3/Frames/:id", (c) => {
    const frame = store.frame(c.req.param("id"));
    store.frames.delete(frame.key);
    return c.json({ __meta: meta("FramesV3", "Frames"), frame_id: frameKey(frame.key), frames: [] });
  });

  // Registered last: Hono ignores a mounted app's notFound, so unknown paths end here.
  app.all("*", (c) => c.json(h2oErrorJson(404, `Resource ${pathOf(c)} not found`, pathOf(c), world.now()), 404));
  app.onError((error, c) => {
    const url = pathOf(c);
    if (error instanceof H2oError) {
      const body = error.builder ? builderErrorJson(error, url, world.now()) : h2oErrorJson(error.status, error.message, url, world.now());
      return c.json(body, error.status as 400);
    }
    return c.json(h2oErrorJson(500, `Caught exception: ${error.message}`, url, world.now()), 500);
  });
  return app;
}

/** The H2OErrorV3 body of a 500, for fault injection. */
export function h2oFaultBody(message: string, url: string, now: number) {
  return h2oErrorJson(500, message, url, now);
}

// H2O reads form bodies, and query parameters for any method.
async function params(c: Context): Promise<Record<string, string>> {
  const out: Record<string, string> = { ...c.req.query() };
  const type = c.req.header("content-type") ?? "";
  if (type.includes("application/json")) {
    const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    for (const [k, v] of Object.entries(body)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  } else if (c.req.method !== "GET") {
    const text = await c.req.text();
    for (const [k, v] of new URLSearchParams(text)) out[k] = v;
  }
  return out;
}

function pathOf(c: Context): string {
  return new URL(c.req.url).pathname.replace(/^\/h2o/, "");
}

function unquote(text: string): string {
  return /^(["']).*\1$/.test(text) ? text.slice(1, -1) : text;
}
