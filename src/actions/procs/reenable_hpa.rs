//! reenable-hpa: the runbook's "Re-enable HPA" (emergency step 7).

use super::common::{hpa_bounds, read_workload};
use crate::actions::SAVED_SPEC_KEY;
use crate::actions::effect::{Effect, spec_u32};
use crate::actions::error::ActionError;
use crate::actions::form::{Field, Form};
use crate::actions::journal::{self, Record};
use crate::actions::procedure::{FormCx, PlanCx, Procedure};
use crate::actions::step::{Finding, OnFail, Plan, Step};
use crate::actions::verify::Verify;
use crate::model::state::Workload;
use crate::platform::Hpa;
use async_trait::async_trait;
use serde_json::Value;

pub struct ReenableHpa;

const HELP: &str = "Put each HPA back exactly as it was before the cockpit pinned it: the spec saved in \
its cockpit.agentos.io/saved-spec annotation (the same spec is in the journal), byte for byte, and the \
annotation removed; then verify the HPA is able to scale and finds its metrics. Source 'journal' restores \
the spec recorded by the latest pin in the journal (when the annotation was lost); 'manifests' applies \
<hpa_manifests_dir>/<hpa name>.yaml (or .json) as the runbook's `kubectl apply -f k8s/hpa/…` does. Differs from \
the runbook: its `kubectl apply` of files in a repository brings back whatever the files say, which may \
not be what ran before the emergency; the saved spec is what ran.";

#[async_trait]
impl Procedure for ReenableHpa {
    fn name(&self) -> &'static str {
        "reenable-hpa"
    }
    fn summary(&self) -> &'static str {
        "Re-enable the HPAs exactly as they were before the cockpit pinned them"
    }
    fn help(&self) -> &'static str {
        HELP
    }

    fn form(&self, cx: &FormCx<'_>) -> Form {
        let mut options = vec!["saved", "journal"];
        if cx.settings.actions.hpa_manifests_dir.is_some() {
            options.push("manifests");
        }
        Form::new(vec![Field::choice("source", "Restore from", &options, "saved", "saved: the annotation on each HPA")])
    }

    async fn plan(&self, cx: &PlanCx, form: &Form) -> Result<Plan, ActionError> {
        let source = form.choice("source").unwrap_or("saved").to_string();
        let mut plan = Plan::new(self.name(), format!("Re-enable both HPAs from the {source} spec"));
        plan.params = form.values();
        for w in Workload::BOTH {
            let name = cx.settings.hpa(w).to_string();
            let (d, hpa) = read_workload(cx, w).await?;
            let Some(h) = hpa else {
                plan.findings.push(Finding::info(format!("no HPA {name}: nothing to restore")));
                continue;
            };
            let spec = match source.as_str() {
                "saved" => from_annotation(&h, &name),
                "journal" => from_journal(&cx.settings.journal_dir, &name),
                _ => from_manifest(cx, &name),
            };
            let spec = match spec {
                Ok(Some(s)) => s,
                Ok(None) => {
                    plan.findings.push(Finding::info(format!(
                        "HPA {name} carries no saved spec: it was not pinned by the cockpit"
                    )));
                    continue;
                }
                Err(e) => {
                    plan.findings.push(Finding::block(format!("HPA {name}: {e}")));
                    continue;
                }
            };
            if spec == h.spec && !h.annotations.contains_key(SAVED_SPEC_KEY) {
                plan.findings.push(Finding::info(format!("HPA {name} already runs that spec")));
                continue;
            }
            let (min, max) = hpa_bounds(&h);
            let (new_min, new_max) = (spec_u32(&spec, "minReplicas").unwrap_or(1), spec_u32(&spec, "maxReplicas"));
            let show = |m: Option<u32>| m.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
            plan.findings.push(Finding::info(format!(
                "HPA {name}: minReplicas {min} → {new_min}, maxReplicas {} → {}; it then scales {} ({} now) by its own policies",
                show(max),
                show(new_max),
                cx.settings.deployment(w),
                d.state.desired
            )));
            plan.push(
                Step::new(format!("Restore HPA {name}"))
                    .effect(Effect::RestoreHpa {
                        workload: w,
                        name: name.clone(),
                        spec,
                        expect_spec: Some(h.spec.clone()),
                    })
                    .verify(Verify::HpaActive { workload: w }, 180.0)
                    .on_fail(OnFail::Continue),
            );
        }
        if plan.steps.is_empty() && !plan.findings.iter().any(|f| f.severity == crate::actions::Severity::Block) {
            plan.findings.push(Finding::block("nothing to restore"));
        }
        Ok(plan)
    }
}

fn from_annotation(h: &Hpa, name: &str) -> Result<Option<Value>, String> {
    match h.annotations.get(SAVED_SPEC_KEY) {
        None => Ok(None),
        Some(text) => {
            serde_json::from_str(text).map(Some).map_err(|e| format!("the saved spec on {name} is not JSON: {e}"))
        }
    }
}

/// The spec recorded before the latest pin of this HPA from an unpinned state.
fn from_journal(dir: &std::path::Path, name: &str) -> Result<Option<Value>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(None) };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let target = format!("hpa/{name} minReplicas");
    let mut found = None;
    for p in paths {
        for line in journal::read(&p).unwrap_or_default() {
            if let Record::Before { target: t, full: Some(full), .. } = &line.record {
                let pinned = full.get("annotations").and_then(|a| a.get(SAVED_SPEC_KEY)).is_some();
                if *t == target && !pinned {
                    found = full.get("spec").cloned();
                }
            }
        }
    }
    Ok(found)
}

/// `<dir>/<hpa name>.yaml` (or `.yml`, `.json`): the manifests the runbook applies with
/// `kubectl apply -f k8s/hpa/…`. The manifest must name the HPA it is read for.
fn from_manifest(cx: &PlanCx, name: &str) -> Result<Option<Value>, String> {
    let Some(dir) = &cx.settings.actions.hpa_manifests_dir else {
        return Err("no hpa_manifests_dir configured".into());
    };
    let candidates = ["yaml", "yml", "json"].map(|ext| dir.join(format!("{name}.{ext}")));
    let Some(path) = candidates.iter().find(|p| p.exists()) else {
        return Err(format!("no manifest {name}.yaml, .yml or .json in {}", dir.display()));
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
    } else {
        serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
    };
    if v.get("kind").and_then(Value::as_str).is_some_and(|k| k != "HorizontalPodAutoscaler") {
        return Err(format!("{}: not a HorizontalPodAutoscaler", path.display()));
    }
    let named = v.pointer("/metadata/name").and_then(Value::as_str);
    if named.is_some_and(|n| n != name) {
        return Err(format!("{}: names HPA {:?}, not {name:?}", path.display(), named.unwrap_or_default()));
    }
    v.get("spec").cloned().map(Some).ok_or_else(|| format!("{}: no spec", path.display()))
}
