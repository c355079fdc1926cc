//! deploy/ and the Dockerfile: the Roles grant exactly what `cockpit check` verifies (NEEDS),
//! read needs to the dashboard's Role and action needs to the actions' Role, both ways; the
//! bindings, the ServiceAccount and the Deployment fit together; the Dockerfile has the shape
//! the project asks for (no container tool runs on the development machines: it is linted).

use cockpit::commands::check::{NEEDS, Need};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const NAMESPACE: &str = "production";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every document of every YAML file under deploy/, as JSON values with the file they came from.
fn documents() -> Vec<(String, serde_json::Value)> {
    let mut docs = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("deploy"))
        .expect("deploy/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let values: Vec<serde_json::Value> =
            serde_saphyr::from_multiple(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        docs.extend(values.into_iter().filter(|v| !v.is_null()).map(|v| (name.clone(), v)));
    }
    docs
}

fn of_kind<T: serde::de::DeserializeOwned>(kind: &str) -> Vec<T> {
    documents()
        .into_iter()
        .filter(|(_, v)| v["kind"] == kind)
        .map(|(f, v)| serde_json::from_value(v).unwrap_or_else(|e| panic!("{f}: a {kind} that does not parse: {e}")))
        .collect()
}

/// The dashboard's reads vs what only the guided actions do: every write, and the one read
/// that only an action makes (the health check through the pods' proxy). The lock's Lease is
/// read by the dashboard (who holds it) and written by the actions.
fn is_action(n: &Need) -> bool {
    !matches!(n.0, "get" | "list" | "watch") || n.3 == "proxy"
}

/// (verb, group, resource[/subresource]) of a need.
fn key(n: &Need) -> (String, String, String) {
    let resource = if n.3.is_empty() { n.2.to_string() } else { format!("{}/{}", n.2, n.3) };
    (n.0.to_string(), n.1.to_string(), resource)
}

/// Every (verb, group, resource) a Role grants; wildcards and resourceNames are refused.
fn grants(role: &Role) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for rule in role.rules.as_deref().unwrap_or_default() {
        assert!(rule.resource_names.is_none(), "{:?}: resourceNames", role.metadata.name);
        assert!(rule.non_resource_urls.is_none(), "{:?}: nonResourceURLs", role.metadata.name);
        for verb in &rule.verbs {
            for group in rule.api_groups.as_deref().unwrap_or_default() {
                for resource in rule.resources.as_deref().unwrap_or_default() {
                    for x in [verb, group, resource] {
                        assert!(!x.contains('*'), "{:?} grants a wildcard: {x}", role.metadata.name);
                    }
                    out.insert((verb.clone(), group.clone(), resource.clone()));
                }
            }
        }
    }
    out
}

fn role(name: &str) -> Role {
    let roles: Vec<Role> = of_kind("Role");
    let found: Vec<Role> = roles.into_iter().filter(|r| r.metadata.name.as_deref() == Some(name)).collect();
    assert_eq!(found.len(), 1, "one Role {name}");
    let r = found.into_iter().next().expect("one");
    assert_eq!(r.metadata.namespace.as_deref(), Some(NAMESPACE), "{name}: namespace-scoped");
    r
}

fn needs(action: bool) -> BTreeSet<(String, String, String)> {
    NEEDS.iter().filter(|n| is_action(n) == action).map(key).collect()
}

#[test]
fn the_read_role_grants_exactly_the_dashboards_needs() {
    let granted = grants(&role("cockpit-read"));
    let needed = needs(false);
    let missing: Vec<_> = needed.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&needed).collect();
    assert!(missing.is_empty(), "cockpit-read lacks what `check` verifies: {missing:?}");
    assert!(extra.is_empty(), "cockpit-read grants what `check` does not need: {extra:?}");
    assert!(granted.iter().all(|(v, _, _)| matches!(v.as_str(), "get" | "list" | "watch")), "read-only");
}

#[test]
fn the_actions_role_grants_exactly_the_actions_needs_with_the_lease() {
    let granted = grants(&role("cockpit-actions"));
    let needed = needs(true);
    let missing: Vec<_> = needed.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&needed).collect();
    assert!(missing.is_empty(), "cockpit-actions lacks what `check` verifies: {missing:?}");
    assert!(extra.is_empty(), "cockpit-actions grants what `check` does not need: {extra:?}");
    for verb in ["create", "update"] {
        assert!(granted.contains(&(verb.into(), "coordination.k8s.io".into(), "leases".into())), "lease {verb}");
    }
    let read = grants(&role("cockpit-read"));
    for verb in ["get", "list", "watch"] {
        assert!(read.contains(&(verb.into(), "coordination.k8s.io".into(), "leases".into())), "lease {verb}");
    }
}

#[test]
fn every_need_is_in_one_role_and_no_role_else_exists() {
    let roles: Vec<Role> = of_kind("Role");
    let names: BTreeSet<_> = roles.iter().filter_map(|r| r.metadata.name.clone()).collect();
    assert_eq!(names, BTreeSet::from(["cockpit-actions".to_string(), "cockpit-read".to_string()]));
    let all: Vec<serde_json::Value> = documents().into_iter().map(|(_, v)| v).collect();
    assert!(!all.iter().any(|v| v["kind"] == "ClusterRole" || v["kind"] == "ClusterRoleBinding"), "no cluster scope");
    let union: BTreeSet<_> = roles.iter().flat_map(grants).collect();
    let needed: BTreeSet<_> = NEEDS.iter().map(key).collect();
    assert_eq!(union, needed);
}

#[test]
fn the_deployment_runs_collect_read_only_as_a_non_root_user() {
    let accounts: Vec<ServiceAccount> = of_kind("ServiceAccount");
    assert_eq!(accounts.len(), 1);
    let sa = &accounts[0];
    assert_eq!(sa.metadata.namespace.as_deref(), Some(NAMESPACE));
    let sa_name = sa.metadata.name.clone().expect("named");

    let bindings: Vec<RoleBinding> = of_kind("RoleBinding");
    let bound_to_sa: Vec<&str> = bindings
        .iter()
        .filter(|b| {
            b.subjects
                .iter()
                .flatten()
                .any(|s| s.kind == "ServiceAccount" && s.name == sa_name && s.namespace.as_deref() == Some(NAMESPACE))
        })
        .map(|b| b.role_ref.name.as_str())
        .collect();
    assert_eq!(bound_to_sa, ["cockpit-read"], "the in-cluster identity only reads");
    for b in &bindings {
        assert_eq!(b.role_ref.kind, "Role");
        assert!(["cockpit-read", "cockpit-actions"].contains(&b.role_ref.name.as_str()), "{}", b.role_ref.name);
    }
    assert!(bindings.iter().any(|b| b.role_ref.name == "cockpit-actions"), "the actions' Role is bound to someone");

    let deployments: Vec<Deployment> = of_kind("Deployment");
    assert_eq!(deployments.len(), 1);
    let d = &deployments[0];
    assert_eq!(d.metadata.namespace.as_deref(), Some(NAMESPACE));
    let pod = d.spec.template.spec.as_ref().expect("pod spec");
    assert_eq!(pod.service_account_name.as_deref(), Some(sa_name.as_str()));
    assert_eq!(pod.security_context.as_ref().and_then(|s| s.run_as_non_root), Some(true));
    assert!(pod.security_context.as_ref().and_then(|s| s.run_as_user).is_some_and(|u| u != 0));
    let c = &pod.containers[0];
    assert_eq!(c.args.as_deref().and_then(|a| a.first()).map(String::as_str), Some("collect"));
    let sc = c.security_context.as_ref().expect("container securityContext");
    assert_eq!(sc.allow_privilege_escalation, Some(false));
    assert_eq!(sc.read_only_root_filesystem, Some(true));
    // The state dir is writable (a volume) under a read-only root.
    let state = c.env.iter().flatten().find(|e| e.name == "COCKPIT_STATE_DIR").and_then(|e| e.value.clone());
    let mounts: Vec<&str> = c.volume_mounts.iter().flatten().map(|m| m.mount_path.as_str()).collect();
    assert!(state.as_deref().is_some_and(|s| mounts.contains(&s)), "state dir {state:?} mounted: {mounts:?}");
    // Every file of the kustomization exists, and every manifest is in it.
    let kustomization: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(root().join("deploy/kustomization.yaml")).expect("read"))
            .expect("yaml");
    let listed: BTreeSet<String> = kustomization["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r.as_str().map(String::from))
        .collect();
    let files: BTreeSet<String> =
        documents().into_iter().map(|(f, _)| f).filter(|f| f != "kustomization.yaml").collect();
    assert_eq!(listed, files);
}

/// The Dockerfile's instructions, continuation lines joined, comments dropped.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && current.is_empty()) {
            continue;
        }
        match t.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(t);
                let (word, rest) = current.split_once(' ').unwrap_or((current.as_str(), ""));
                out.push((word.to_ascii_uppercase(), rest.trim().to_string()));
                current.clear();
            }
        }
    }
    out
}

#[test]
fn the_dockerfile_builds_in_one_stage_and_runs_the_binary_as_non_root_in_a_slim_one() {
    let text = std::fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile");
    let ins = instructions(&text);
    let froms: Vec<usize> = ins.iter().enumerate().filter(|(_, (w, _))| w == "FROM").map(|(i, _)| i).collect();
    assert_eq!(froms.len(), 2, "two stages");
    let first = &ins[froms[0]].1;
    assert!(first.starts_with("rust:bookworm") && first.ends_with(" AS builder"), "{first}");
    let last = &ins[froms[1]].1;
    assert!(last.starts_with("debian:bookworm-slim"), "{last}");
    let runtime = &ins[froms[1]..];
    // No toolchain in the runtime: only ca-certificates is installed, the binary is copied.
    let runs: String = runtime.iter().filter(|(w, _)| w == "RUN").map(|(_, r)| r.as_str()).collect();
    assert!(!runs.contains("cargo") && !runs.contains("rustup") && !runs.contains("build-essential"), "{runs}");
    let installs: Vec<&str> = runs
        .split("&&")
        .filter_map(|c| c.trim().strip_prefix("apt-get install"))
        .flat_map(|c| c.split_whitespace().filter(|w| !w.starts_with('-')))
        .collect();
    assert_eq!(installs, ["ca-certificates"]);
    assert!(runs.contains("rm -rf /var/lib/apt/lists"), "apt lists removed");
    assert!(
        runtime.iter().any(|(w, r)| w == "COPY" && r.starts_with("--from=builder") && r.contains("cockpit")),
        "the binary comes from the builder"
    );
    let user = runtime.iter().rev().find(|(w, _)| w == "USER").map(|(_, u)| u.clone()).expect("a USER");
    let who = user.split(':').next().unwrap_or_default();
    assert!(who != "root" && who != "0" && !who.is_empty(), "USER {user}");
    let entry = runtime.iter().rev().find(|(w, _)| w == "ENTRYPOINT").map(|(_, e)| e.clone()).expect("ENTRYPOINT");
    let entry: Vec<String> = serde_json::from_str(&entry).expect("ENTRYPOINT in exec form");
    assert_eq!(entry, ["/usr/local/bin/cockpit"]);
    // The Deployment's runAsUser is the image's user.
    let deployments: Vec<Deployment> = of_kind("Deployment");
    let uid = deployments[0]
        .spec
        .template
        .spec
        .as_ref()
        .and_then(|p| p.security_context.as_ref())
        .and_then(|s| s.run_as_user);
    assert_eq!(uid.map(|u| u.to_string()).as_deref(), Some(who));
}

#[test]
fn the_build_stage_copies_everything_the_build_reads_and_dockerignore_keeps_it() {
    let text = std::fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile");
    let ins = instructions(&text);
    let copied: Vec<String> = ins
        .iter()
        .filter(|(w, r)| w == "COPY" && !r.starts_with("--from"))
        .flat_map(|(_, r)| {
            let words: Vec<&str> = r.split_whitespace().collect();
            words[..words.len().saturating_sub(1)].iter().map(|s| s.to_string()).collect::<Vec<_>>()
        })
        .collect();
    // What the compiler reads outside src/: include_str! / include_bytes! paths.
    let mut wanted: BTreeSet<String> = ["Cargo.toml", "Cargo.lock", "src"].iter().map(|s| s.to_string()).collect();
    for file in walk(&root().join("src")) {
        let code = std::fs::read_to_string(&file).unwrap_or_default();
        for part in code.split("include_str!(\"").chain(code.split("include_bytes!(\"")).skip(1) {
            let rel = part.split('"').next().unwrap_or_default();
            let target = file.parent().expect("dir").join(rel);
            let target = std::fs::canonicalize(&target).unwrap_or(target);
            if let Ok(inside) = target.strip_prefix(std::fs::canonicalize(root()).expect("root"))
                && let Some(top) = inside.components().next()
            {
                wanted.insert(top.as_os_str().to_string_lossy().into_owned());
            }
        }
    }
    // Cargo.toml's [[bench]] targets must exist for the manifest to load.
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).expect("read")).expect("Cargo.toml");
    if manifest.get("bench").is_some() {
        wanted.insert("benches".into());
    }
    for w in &wanted {
        assert!(copied.iter().any(|c| c.trim_end_matches('/') == w), "the build stage does not COPY {w}: {copied:?}");
    }
    let ignored: Vec<String> = std::fs::read_to_string(root().join(".dockerignore"))
        .expect(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.trim_end_matches('/').to_string())
        .collect();
    for w in &wanted {
        assert!(!ignored.contains(w), ".dockerignore drops {w}, which the build needs");
    }
    for heavy in ["target", ".git"] {
        assert!(ignored.iter().any(|i| i == heavy), ".dockerignore keeps {heavy} out of the context");
    }
    // The build stage's tree alone (what it COPYs) loads as a package whose Cargo.lock agrees with
    // its manifest (`--locked`, as the build runs). Cargo checks bench paths only when it builds:
    // the `benches` line above covers those.
    let tree = tempfile::tempdir().expect("tmp");
    for c in &copied {
        copy(&root().join(c), &tree.path().join(c));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let o = std::process::Command::new(cargo)
        .args(["metadata", "--locked", "--offline", "--no-deps", "--format-version", "1"])
        .current_dir(tree.path())
        .output()
        .expect("cargo runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("read_dir").flatten() {
            copy(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}
