// Admin: the kill switch of each environment and the feature flags. Every change asks for a
// reason, which the server keeps in the audit trail; the server still decides, and its refusal is
// shown as it said it.

import { api } from "../lib/api.js";
import { h, replace } from "../lib/dom.js";
import { field, formatTime } from "../lib/format.js";
import { hasRole } from "../lib/session.js";
import { createNotices } from "../components/notices.js";
import { jsonBlock } from "../components/json-block.js";

/** @typedef {import("../types.js").Flag} Flag */

const ENV_ORDER = ["production", "staging", "dev"];

/**
 * An inline form asking for a reason before a change; `run` receives the reason.
 * @param {{ id: string, label: string, submitText: string, danger?: boolean, run: (reason: string) => Promise<void> }} o
 */
function reasonForm(o) {
  const notices = createNotices();
  const input = h("input", { id: o.id, name: "reason", type: "text", minlength: 3, maxlength: 2000, autocomplete: "off" });
  const button = h("button", { type: "submit", class: o.danger ? "danger" : "primary" }, o.submitText);
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    const reason = input.value.trim();
    if (reason.length < 3) {
      notices.error(new Error("Say why (at least 3 characters): the reason goes to the audit trail."));
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    button.disabled = true;
    try {
      await o.run(reason);
    } catch (error) {
      notices.error(error, "The server refused");
      button.disabled = false;
    }
  };
  return h("form", { class: "inline-form", onsubmit: submit }, h("label", { for: o.id }, o.label), h("div", { class: "row" }, input, button), notices.el);
}

/** @param {import("../types.js").PageContext} ctx */
export function mountAdmin(ctx) {
  const notices = createNotices();
  const kill = h("div", { class: "kill-switches" });
  const flags = h("div", { class: "flags" });
  if (!hasRole(ctx.principal, "admin")) {
    replace(ctx.root, h("section", {}, h("h1", { tabindex: -1 }, "Admin"), h("p", { class: "notice notice-info" }, `The kill switch and the feature flags need the admin role; you are signed in as ${ctx.principal.role}.`)));
    return;
  }

  const load = async () => {
    try {
      /** @type {{ flags: Flag[] }} */
      const res = await api.get("/api/v1/flags", ctx.signal);
      const envs = [...new Set(res.flags.map((f) => f.environment))].sort((a, b) => rank(a) - rank(b));
      replace(kill, envs.map((env) => killSwitchCard(env, res.flags.find((f) => flagName(f) === "kill_switch" && f.environment === env))));
      replace(flags, envs.map((env) => flagTable(env, res.flags.filter((f) => f.environment === env && flagName(f) !== "kill_switch"))));
    } catch (error) {
      notices.error(error, "Could not load the flags");
    }
  };

  /**
   * @param {string} env
   * @param {Flag | undefined} flag
   */
  const killSwitchCard = (env, flag) => {
    const stopped = Boolean(flag?.enabled);
    return h(
      "article",
      { class: `card kill-switch ${stopped ? "stopped" : "running"}`, "data-environment": env, "aria-labelledby": `kill-${env}` },
      h("h3", { id: `kill-${env}` }, env),
      h("p", { class: "state" }, stopped ? "Stopped: the kill switch is on, every tool call that changes anything is denied." : "Running: the optimizer may act within its policies."),
      flag ? h("p", { class: "muted small" }, `Last set by ${field(flag, "updated_by")} at ${formatTime(field(flag, "updated_at"))}`) : null,
      reasonForm({
        id: `kill-reason-${env}`,
        label: stopped ? "Reason to resume" : "Reason to stop",
        submitText: stopped ? `Resume ${env}` : `Stop ${env}`,
        danger: !stopped,
        run: async (reason) => {
          await api.post(`/api/v1/optimizer/${stopped ? "resume" : "stop"}`, { environment: env, reason }, ctx.signal);
          notices.info(`${env}: ${stopped ? "resumed" : "stopped"}.`);
          await load();
        },
      }),
    );
  };

  /**
   * @param {string} env
   * @param {Flag[]} rows
   */
  const flagTable = (env, rows) =>
    h(
      "section",
      { class: "flag-env", "aria-labelledby": `flags-${env}` },
      h("h3", { id: `flags-${env}` }, env),
      h(
        "ul",
        { class: "flag-list" },
        rows.map((f) => flagItem(env, f)),
      ),
    );

  /**
   * @param {string} env
   * @param {Flag} f
   */
  const flagItem = (env, f) => {
    const name = flagName(f);
    const meta = f.metadata && Object.keys(f.metadata).length ? f.metadata : null;
    const formHolder = h("div");
    const toggle = h(
      "button",
      {
        type: "button",
        class: "switch",
        "aria-pressed": String(f.enabled),
        "aria-label": `${name} in ${env}: ${f.enabled ? "on" : "off"}; turn ${f.enabled ? "off" : "on"}`,
        onclick: () => {
          if (formHolder.firstChild) return replace(formHolder);
          const form = reasonForm({
            id: `flag-reason-${env}-${name}`,
            label: `Reason to turn ${name} ${f.enabled ? "off" : "on"}`,
            submitText: `Turn ${f.enabled ? "off" : "on"}`,
            run: async (reason) => {
              await api.put(`/api/v1/flags/${encodeURIComponent(env)}/${encodeURIComponent(name)}`, { enabled: !f.enabled, reason }, ctx.signal);
              notices.info(`${name} in ${env} is now ${f.enabled ? "off" : "on"}.`);
              await load();
            },
          });
          replace(formHolder, form);
          /** @type {HTMLInputElement} */ (form.querySelector("input")).focus();
        },
      },
      f.enabled ? "On" : "Off",
    );
    return h(
      "li",
      { class: "flag", "data-flag": name, "data-environment": env },
      h("div", { class: "flag-head" }, h("code", { class: "flag-name" }, name), toggle),
      h("p", { class: "muted small" }, `Set by ${field(f, "updated_by")} at ${formatTime(field(f, "updated_at"))}`),
      meta ? h("details", {}, h("summary", {}, "Settings"), jsonBlock(meta, `Settings of ${name}`)) : null,
      formHolder,
    );
  };

  replace(
    ctx.root,
    h(
      "section",
      { class: "admin" },
      h("h1", { tabindex: -1 }, "Admin"),
      notices.el,
      h("h2", {}, "Kill switch"),
      h("p", { class: "muted" }, "Stopping an environment denies every tool call that changes it, mid-cycle included, until it is resumed."),
      kill,
      h("h2", {}, "Feature flags"),
      flags,
    ),
  );
  void load();
}

/** @param {Flag} f */
function flagName(f) {
  return String(field(f, "flag_name"));
}

/** @param {string} env */
function rank(env) {
  const i = ENV_ORDER.indexOf(env);
  return i === -1 ? ENV_ORDER.length : i;
}
