//! The drill's "kubectl" prompt: a few of the runbook's raw commands, run against the
//! simulator as typed, so that the runbook's own mistakes can be made (and caught):
//!
//! - `kubectl scale deployment/NAME --replicas=N` (or `deployment NAME`)
//! - `kubectl patch hpa NAME -p '{"spec":{"minReplicas":N}}'` (a merge patch of the spec), or
//!   the runbook's `--type=json -p='[{"op": "remove", "path": "/spec/minReplicas"}]'`
//! - `kubectl annotate deployment NAME drain=true` (or `drain-`)
//! - `kubectl get hpa`, `kubectl get deployments`
//!
//! `-n NAMESPACE` is accepted and must be the configured namespace.

use super::platform::{By, DrillPlatform};
use crate::config::sources::KubeConfig;
use crate::model::state::Workload;
use crate::platform::{Platform, WriteOpts};
use serde_json::Value;

/// Split a command line as a shell would for these commands: words, and '…' or "…" quoted.
pub fn words(line: &str) -> Result<Vec<String>, String> {
    let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None::<char>, false);
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if quote.is_some() {
        return Err("a quote is not closed".into());
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

struct Args {
    pos: Vec<String>,
    flags: Vec<(String, String)>,
}

fn args(w: &[String]) -> Result<Args, String> {
    let (mut pos, mut flags) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < w.len() {
        let a = &w[i];
        if let Some(f) = a.strip_prefix("--") {
            match f.split_once('=') {
                Some((k, v)) => flags.push((k.to_string(), v.to_string())),
                None => {
                    let v = w.get(i + 1).ok_or_else(|| format!("--{f} needs a value"))?;
                    flags.push((f.to_string(), v.clone()));
                    i += 1;
                }
            }
        } else if a == "-n" || a == "-p" {
            let v = w.get(i + 1).ok_or_else(|| format!("{a} needs a value"))?;
            flags.push((if a == "-n" { "namespace" } else { "patch" }.to_string(), v.clone()));
            i += 1;
        } else if let Some(v) = a.strip_prefix("-p=") {
            flags.push(("patch".into(), v.to_string()));
        } else {
            pos.push(a.clone());
        }
        i += 1;
    }
    Ok(Args { pos, flags })
}

impl Args {
    fn flag(&self, k: &str) -> Option<&str> {
        self.flags.iter().rev().find(|(f, _)| f == k).map(|(_, v)| v.as_str())
    }
}

fn workload_of(kube: &KubeConfig, kind: &str, name: &str) -> Result<Workload, String> {
    for w in [Workload::Api, Workload::Workers] {
        let n = if kind == "hpa" { kube.hpa(w) } else { kube.deployment(w) };
        if n == name {
            return Ok(w);
        }
    }
    let what = if kind == "hpa" { "horizontalpodautoscalers.autoscaling" } else { "deployments.apps" };
    Err(format!("Error from server (NotFound): {what} \"{name}\" not found"))
}

/// (kind, name) from "deployment/NAME", or "deployment NAME".
fn target(pos: &[String]) -> Result<(String, String), String> {
    let kind_of = |k: &str| match k {
        "deployment" | "deployments" | "deploy" | "deployment.apps" => Some("deployment"),
        "hpa" | "horizontalpodautoscaler" | "horizontalpodautoscalers" => Some("hpa"),
        _ => None,
    };
    let first = pos.first().ok_or("error: you must specify the type of resource")?;
    if let Some((k, n)) = first.split_once('/') {
        let k = kind_of(k).ok_or_else(|| format!("error: the server doesn't have a resource type \"{k}\""))?;
        return Ok((k.into(), n.into()));
    }
    let k = kind_of(first).ok_or_else(|| format!("error: the server doesn't have a resource type \"{first}\""))?;
    let n = pos.get(1).ok_or("error: resource name may not be empty")?;
    Ok((k.into(), n.clone()))
}

/// Run one command line; the answer is what kubectl would print (an error included).
pub async fn run(p: &DrillPlatform, kube: &KubeConfig, line: &str) -> String {
    p.set_by(By::Prompt);
    let r = exec(p, kube, line).await;
    p.set_by(By::Action);
    r.unwrap_or_else(|e| e)
}

async fn exec(p: &DrillPlatform, kube: &KubeConfig, line: &str) -> Result<String, String> {
    let w = words(line)?;
    let w: Vec<String> = if w.first().map(String::as_str) == Some("kubectl") { w[1..].to_vec() } else { w };
    let verb = w.first().cloned().ok_or("usage: kubectl scale|patch|annotate|get …")?;
    let a = args(&w[1..])?;
    if let Some(ns) = a.flag("namespace").filter(|ns| *ns != kube.namespace) {
        return Err(format!("Error from server (NotFound): namespaces \"{ns}\" not found"));
    }
    let opts = WriteOpts::default();
    let fail = |e: crate::platform::PlatformError| format!("Error from server: {e}");
    match verb.as_str() {
        "scale" => {
            let (kind, name) = target(&a.pos)?;
            if kind != "deployment" {
                return Err(format!("error: cannot scale {kind} (only deployments here)"));
            }
            let n: u32 = a
                .flag("replicas")
                .ok_or("error: a replicas count is required (--replicas=N)")?
                .parse()
                .map_err(|_| "error: --replicas must be a whole number".to_string())?;
            let wl = workload_of(kube, &kind, &name)?;
            p.scale(wl, n, &opts).await.map_err(fail)?;
            Ok(format!("deployment.apps/{name} scaled"))
        }
        "patch" => {
            let (kind, name) = target(&a.pos)?;
            if kind != "hpa" {
                return Err("error: only `kubectl patch hpa` is served in the drill".into());
            }
            let wl = workload_of(kube, &kind, &name)?;
            let patch: Value = serde_json::from_str(a.flag("patch").ok_or("error: a patch is required (-p)")?)
                .map_err(|e| format!("error: unable to parse the patch: {e}"))?;
            let h = p
                .hpa(wl)
                .await
                .map_err(fail)?
                .ok_or_else(|| format!("Error from server (NotFound): hpa \"{name}\" not found"))?;
            let mut spec = h.spec.clone();
            if a.flag("type") == Some("json") {
                for op in patch.as_array().ok_or("error: a JSON patch is a list of operations")? {
                    let path = op.get("path").and_then(Value::as_str).unwrap_or("");
                    let field = path
                        .strip_prefix("/spec/")
                        .ok_or_else(|| format!("error: path {path:?} is not under /spec"))?;
                    match op.get("op").and_then(Value::as_str) {
                        Some("remove") => {
                            spec.as_object_mut().map(|o| o.remove(field));
                        }
                        Some("replace" | "add") => {
                            let v = op.get("value").cloned().unwrap_or(Value::Null);
                            spec.as_object_mut().map(|o| o.insert(field.to_string(), v));
                        }
                        other => return Err(format!("error: unsupported JSON patch op {other:?}")),
                    }
                }
            } else {
                let s =
                    patch.get("spec").and_then(Value::as_object).ok_or("error: the patch sets nothing under spec")?;
                for (k, v) in s {
                    spec.as_object_mut().map(|o| o.insert(k.clone(), v.clone()));
                }
            }
            p.replace_hpa(wl, &spec, &h.annotations, &opts).await.map_err(fail)?;
            Ok(format!("horizontalpodautoscaler.autoscaling/{name} patched"))
        }
        "annotate" => {
            let (kind, name) = target(&a.pos)?;
            let wl = workload_of(kube, &kind, &name)?;
            let at = if a.pos.first().is_some_and(|p| p.contains('/')) { 1 } else { 2 };
            let kv = a.pos.get(at).ok_or("error: an annotation is required (key=value or key-)")?;
            let (key, value) = match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (kv.strip_suffix('-').ok_or("error: key=value or key-")?.to_string(), None),
            };
            p.annotate(wl, &key, value.as_deref(), &opts).await.map_err(fail)?;
            Ok(format!("deployment.apps/{name} annotated"))
        }
        "get" => match a.pos.first().map(String::as_str) {
            Some("hpa" | "horizontalpodautoscalers") => {
                let mut o = "NAME  REFERENCE  MINPODS  MAXPODS  REPLICAS".to_string();
                for wl in [Workload::Api, Workload::Workers] {
                    if let Some(h) = p.hpa(wl).await.map_err(fail)? {
                        let s = &h.state;
                        o.push_str(&format!(
                            "\n{}  Deployment/{}  {}  {}  {}",
                            s.name,
                            kube.deployment(wl),
                            s.min,
                            s.max,
                            s.current
                        ));
                    }
                }
                Ok(o)
            }
            Some("deployments" | "deployment" | "deploy") => {
                let mut o = "NAME  READY  UP-TO-DATE  AVAILABLE".to_string();
                for wl in [Workload::Api, Workload::Workers] {
                    let d = p.deployment(wl).await.map_err(fail)?.state;
                    o.push_str(&format!("\n{}  {}/{}  {}  {}", d.name, d.ready, d.desired, d.updated, d.available));
                }
                Ok(o)
            }
            other => Err(format!("error: the drill serves `get hpa` and `get deployments`, not {other:?}")),
        },
        other => Err(format!("error: unknown command {other:?} (the drill serves scale, patch hpa, annotate, get)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_follow_shell_quotes() {
        let w =
            words(r#"kubectl patch hpa worker-hpa -n production --type=json -p='[{"op": "remove"}]'"#).expect("words");
        assert_eq!(w.last().map(String::as_str), Some(r#"-p=[{"op": "remove"}]"#));
        assert_eq!(w.len(), 8);
        assert!(words("kubectl 'open").is_err());
    }
}
