import { answer, deployments, detectorSeries, finding, step, type SpecialistRunbook } from "./decision.js";

/** The DevOps runbook: canary, promotion and rollback, always through GitOps and Argo CD. */
export const devopsRunbook: SpecialistRunbook = (task, results) => {
  const catalog = task.catalog;
  if (!catalog) return answer("The cycle has no catalogued service; I will not touch any deployment.");
  const { app, model } = catalog;
  const candidate = finding<{ version: string }>(task, "candidate");
  const cycle = task.cycle_id;
  const pct = Number((task.contract as { abTrafficPercent?: number } | null)?.abTrafficPercent ?? 20);
  const sync = (revision: unknown, say: string, next: () => ReturnType<SpecialistRunbook>) =>
    step(results, "argocd_sync_application", () => ({ app, revision }), say, (r) =>
      r.status === "success" ? next() : answer(`Sync did not complete: ${r.summary}`),
    );

  if (task.signal === "detector_drift" && task.step === "promote") {
    const series = detectorSeries(task);
    if (!series || !candidate) return answer("No detector candidate passed its gate in this cycle; nothing to promote.");
    return step(results, "mlflow_promote_detector", () => ({ ...series, version: candidate.version }), `Promoting detector v${candidate.version}.`, (r) =>
      answer(`Detector promotion: ${r.summary}`),
    );
  }
  switch (task.step) {
    case "ab_test.canary": {
      if (!candidate) return answer("No candidate is registered in this cycle; no A/B test to start.");
      return step(results, "mlflow_get_model", () => ({ model_name: model, alias: "champion" }), "Reading the champion version.", (champ) => {
        const championVersion = String((champ.data as { version?: unknown } | undefined)?.version ?? "");
        if (!championVersion) return answer(`No champion version is registered for ${model}: ${champ.summary}`);
        return step(
          results,
          "gitops_write_values",
          () => ({
            app,
            model_version: championVersion,
            canary_version: candidate.version,
            canary_weight: pct,
            reason: `A/B test: ${model} v${candidate.version} takes ${pct}% of traffic next to v${championVersion} (cycle ${cycle}).`,
          }),
          `Writing the canary values (${pct}% to v${candidate.version}).`,
          (written) => sync(written.data?.revision, "Syncing the canary.", () => answer(`Canary of v${candidate.version} is serving ${pct}% of traffic.`)),
        );
      });
    }
    case "promote": {
      const proposal = finding<{ proposal?: { processors?: Record<string, { workers: number }> } }>(task, "evaluation")?.proposal;
      if (proposal?.processors) {
        // A capacity change: deploy exactly what the quality gate approved.
        return step(
          results,
          "gitops_write_values",
          () => ({ app, processors: proposal.processors, reason: `Scale ETL processors as the gate approved (cycle ${cycle}).` }),
          "Writing the processor capacity change.",
          (written) => sync(written.data?.revision, "Syncing the capacity change.", () => answer("The processors run with their new capacity.")),
        );
      }
      if (!candidate) return answer("No candidate is registered in this cycle; nothing to promote.");
      return step(
        results,
        "gitops_write_values",
        () => ({ app, model_version: candidate.version, canary_weight: 0, reason: `Promote ${model} v${candidate.version} to all traffic (cycle ${cycle}).` }),
        `Writing the promotion of v${candidate.version}.`,
        (written) =>
          sync(written.data?.revision, "Syncing the promotion.", () =>
            step(
              results,
              "mlflow_set_model_alias",
              () => ({ model_name: model, alias: "champion", version: candidate.version }),
              "Moving the champion alias.",
              () => answer(`v${candidate.version} serves all traffic and is the champion.`),
            ),
          ),
      );
    }
    case "promote.baseline": {
      if (!candidate) return answer("No new model was promoted in this cycle; there is no baseline to record.");
      const metric = task.signal === "recall_drop" ? "recall_at_20" : "ndcg_at_10";
      const dataset = finding<{ name?: string }>(task, "dataset")?.name;
      return step(
        results,
        "mlflow_record_baseline",
        () => ({ model_name: model, version: candidate.version, metric }),
        `Recording v${candidate.version} as a stable baseline.`,
        (recorded) =>
          dataset
            ? step(
                results,
                "dvc_tag_dataset",
                () => ({ dataset, tag: `stable-${candidate.version}`, note: `trained ${model} v${candidate.version} (cycle ${cycle})` }),
                `Tagging ${dataset} as stable-${candidate.version}.`,
                () => answer(`Baseline recorded: ${recorded.summary}`),
              )
            : answer(`Baseline recorded: ${recorded.summary}`),
      );
    }
    case "rollback": {
      const all = deployments(task);
      const first = all[0];
      if (!first) return answer("This cycle deployed nothing, so there is nothing to roll back.");
      const target = first.previous_history_id;
      const previous = first.previous_model_version ? String(first.previous_model_version) : null;
      if (target === null || target === undefined) return answer("The first deployment of this cycle has no previous history entry to return to.");
      // The champion alias moved only if a full rollout changed the model.
      const aliasMoved = all.some((d) => d.step === "promote" && Number(d.canary_weight) === 0 && String(d.model_version) !== previous);
      return step(results, "argocd_rollback_application", () => ({ app, history_id: target }), `Rolling ${app} back to history ${target}.`, (rolled) => {
        if (rolled.status !== "success") return answer(`Rollback did not complete: ${rolled.summary}`);
        const revision = rolled.data?.revision;
        const restoreGit = () =>
          step(
            results,
            "gitops_restore_values",
            () => ({ app, revision, reason: `Restore the values Argo CD rolled back to (cycle ${cycle}).` }),
            "Restoring the rolled-back values in Git so it matches what serves.",
            () => answer(`Rolled back to history ${target}${previous ? `; v${previous} serves` : ""} and Git matches it.`),
          );
        if (!aliasMoved || !previous) return restoreGit();
        return step(
          results,
          "mlflow_set_model_alias",
          () => ({ model_name: model, alias: "champion", version: previous }),
          `Restoring the champion alias to v${previous}.`,
          restoreGit,
        );
      });
    }
    case "rollback.git": {
      // Commits of this cycle no sync deployed: withdraw a sync Argo CD accepted after all, then make Git say what serves.
      const commits = (task.git_changes as Array<{ revision?: string; previous_revision?: string | null; changed?: boolean; restored_from?: string | null }>).filter(
        (c) => c.changed && !c.restored_from,
      );
      const written = new Set(commits.map((c) => String(c.revision)));
      const restore = (revision: string, done: string) =>
        step(
          results,
          "gitops_restore_values",
          () => ({ app, revision, reason: `Withdraw values this cycle committed that never deployed (cycle ${cycle}).` }),
          `Restoring Git to ${revision.slice(0, 7)}, which serves.`,
          () => answer(done),
        );
      // Argo CD not answering is no reason to leave Git ahead of what serves: its sync failed, so the
      // values from before this cycle's first commit are what Argo CD last deployed.
      const read = results.filter((r) => r.tool === "argocd_get_application").at(-1);
      const before = commits[0]?.previous_revision;
      if (read?.status === "error" && before)
        return restore(before, `Argo CD could not be read (${read.summary}); Git restored to ${before.slice(0, 7)}, the values from before this cycle.`);
      return step(results, "argocd_get_application", () => ({ app }), `Reading what ${app} serves.`, (read) => {
        const history = ((read.data as { history?: Array<{ id: number; revision: string | null }> } | undefined)?.history ?? []).slice();
        const newest = history.at(-1);
        if (!newest?.revision) return answer(`${app} has no deployment history to restore Git to.`);
        if (!written.has(newest.revision)) return restore(newest.revision, `Git restored to ${newest.revision.slice(0, 7)}, the revision that serves; nothing of this cycle was deployed.`);
        // A sync of this cycle's commit was accepted after all: roll back to the entry before the first of them.
        const before = history.slice(0, history.findIndex((h) => h.revision !== null && written.has(h.revision))).at(-1);
        if (!before?.revision) return answer(`${app}'s history holds no deployment from before this cycle to roll back to.`);
        return step(results, "argocd_rollback_application", () => ({ app, history_id: before.id }), `A sync of this cycle's commit was accepted; rolling ${app} back to history ${before.id}.`, (rolled) =>
          rolled.status === "success" ? restore(before.revision!, `Rolled back to history ${before.id} and Git matches it.`) : answer(`Rollback did not complete: ${rolled.summary}`),
        );
      });
    }
    default:
      return answer(`Step ${task.step} is not a DevOps step.`);
  }
};
