//! `cockpit run emergency` through the binary, on the live platform (kmock for Kubernetes), with
//! a notification webhook that refuses: the scaling goes on, the summary says first that
//! nobody was told, the journal has it, and the exit status is 7 (EXIT_NOTIFY_FAILED), not 0.

mod desk_support;
mod support;

use anyhow::{Context, Result};
use desk_support::refusing_webhook;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use std::sync::Arc;
use support::Kmock;
use support::live::kube_objects::{deployment, hpa};

const NS: &str = "production";

/// The cluster's part kmock does not play: a deployment's pods are ready as soon as it wants them.
async fn ready_as_scaled(kmock: &Kmock) -> Result<()> {
    let deps: Api<Deployment> = Api::namespaced(kmock.client().await?, NS);
    for name in ["api-server", "agent-worker"] {
        let d = deps.get(name).await?;
        let want = d.spec.replicas.unwrap_or(1);
        let generation = d.metadata.generation.unwrap_or(1);
        let status = json!({"status": {"replicas": want, "readyReplicas": want, "updatedReplicas": want,
                                        "availableReplicas": want, "observedGeneration": generation}});
        deps.patch_status(name, &PatchParams::default(), &Patch::Merge(status)).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_a_refusing_webhook_scales_says_so_first_and_exits_7() -> Result<()> {
    let kmock = Arc::new(Kmock::start()?);
    kmock.apply(deployment(NS, "api-server", 3, 3)).await?;
    kmock.apply(deployment(NS, "agent-worker", 5, 5)).await?;
    kmock.apply(hpa(NS, "api-server-hpa", "api-server", 3, 50, 3)).await?;
    kmock.apply(hpa(NS, "worker-hpa", "agent-worker", 5, 100, 5)).await?;
    let k = Arc::clone(&kmock);
    let player = tokio::spawn(async move {
        loop {
            if let Err(e) = ready_as_scaled(&k).await {
                eprintln!("cluster player: {e:#}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        }
    });
    let (url, requests) = refusing_webhook();
    let home = tempfile::tempdir()?;
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[kubernetes]\nkubeconfig = {:?}\nnamespace = {NS:?}\n\n[aws]\nenabled = false\n\n[notify]\nwebhook = {url:?}\n",
            kmock.kubeconfig_path().display().to_string()
        ),
    )?;
    let state = home.path().join("state");
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_cockpit"));
    cmd.env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("USER", "oncall")
        .env("COCKPIT_STATE_DIR", &state)
        .args(["--config", &config.display().to_string()])
        .args(["run", "emergency", "--yes", "--confirm-word", "EMERGENCY"])
        // A short watch for recovery: nothing feeds the queue or latency here.
        .args(["--set", "api=6", "--set", "workers=8", "--set", "monitor=1"]);
    let out = cmd.output().await?;
    player.abort();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("status {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}", out.status);
    assert_eq!(out.status.code(), Some(7), "{all}");
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(requests.first().is_some_and(|r| r.starts_with("POST /hooks/oncall")), "{requests:?}");
    // The summary's first line says nobody was told; the scaling went on.
    let first = stdout
        .lines()
        .skip_while(|l| !l.starts_with("running emergency"))
        .find(|l| l.starts_with("NOTIFICATION NOT SENT") || l.starts_with("emergency: "))
        .context("a summary")?;
    assert!(first.starts_with("NOTIFICATION NOT SENT: nobody was told") && first.contains("403"), "{all}");
    assert!(stdout.contains("emergency: completed"), "{all}");
    assert!(stderr.contains("but its notification was NOT sent"), "{all}");
    let replicas = kmock.kubectl(&["-n", NS, "get", "deployment", "api-server", "-o", "jsonpath={.spec.replicas}"])?;
    assert_eq!(replicas.trim(), "6", "the scaling was not held up");
    // The journal says so.
    let journal = std::fs::read_dir(state.join("journal"))?
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(journal.contains("the notification was NOT sent"), "{journal}");
    Ok(())
}
