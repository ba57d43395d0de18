import { existsSync, mkdirSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (installed by .ci/run); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Starts headless Chromium as CI runs it (no sandbox in containers, no GPU, no background calls home). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install chromium, as .ci/run does) or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}

/** A phone's viewport (an iPhone SE/mini width, the narrowest the console supports). */
export const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** A console open in its own browser context (its own cookies), and what went wrong in it. */
export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Script errors, console errors (CSP refusals among them) and failed loads of the console's files. */
  problems: string[];
  close(): Promise<void>;
}

/** Opens the console at `hash` in a fresh context. */
export async function openConsole(browser: Browser, url: string, options: { hash?: string; device?: typeof PHONE } = {}): Promise<ConsolePage> {
  const context = await browser.newContext({ baseURL: url, ...(options.device ?? { viewport: { width: 1280, height: 900 } }) });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    // A refused API call is logged by Chromium as "Failed to load resource"; the page handles those.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console: ${message.text()}`);
  });
  page.on("response", (res) => {
    const pathname = new URL(res.url()).pathname;
    if (!pathname.startsWith("/api/") && res.status() >= 400) problems.push(`${res.status()} for ${pathname}`);
  });
  await page.goto(`/${options.hash ?? ""}`);
  return { page, context, problems, close: () => context.close() };
}

/** Signs in through the form and waits for the signed-in header. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator(".who .principal").waitFor();
}

/** How far the page is wider than its viewport (0 when nothing scrolls sideways). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth);
}

/**
 * A proxy in front of `target` that passes everything through, but sends the event streams of the
 * paths `paced` selects one event at a time with a pause between them, as a real network delivers
 * a slow answer. On loopback a fast answer arrives in one read, and whether a page draws an answer
 * as it comes could not be told from whether it draws it at the end.
 */
export async function startPacedProxy(target: string, options: { paced: (path: string) => boolean; gapMs?: number }): Promise<{ url: string; close(): Promise<void> }> {
  const gapMs = options.gapMs ?? 25;
  const server = createServer((req, res) => {
    // Headers pass unchanged (Host and Origin included), so the server's same-origin checks see the browser's view.
    const upstream = request(new URL(req.url ?? "/", target), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (!options.paced(req.url ?? "")) return void up.pipe(res);
      let buffer = "";
      let sent = Promise.resolve();
      up.setEncoding("utf8");
      up.on("data", (chunk: string) => {
        const events = (buffer + chunk).split("\n\n");
        buffer = events.pop()!;
        for (const event of events) sent = sent.then(() => new Promise((resolve) => res.write(`${event}\n\n`, () => setTimeout(resolve, gapMs))));
      });
      up.on("end", () => void sent.then(() => res.end(buffer)));
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** Saves a screenshot when CONSOLE_SCREENSHOTS names a folder (for reviewing the console by eye). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
