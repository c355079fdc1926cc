//! Agent workers: each ready worker holds up to WORKER_CONCURRENCY tasks taken FIFO from the
//! queue; a task takes ~30 s (seeded jitter, slower when the database is); a deployment with
//! `drain=true` takes nothing new but finishes what it holds; memory grows with tasks (and, in
//! the soak scenario, with uptime) and an over-limit container is OOMKilled and restarted, its
//! tasks going back to the queue.

use super::events::EventLog;
use super::pods::{Deploy, Task};
use super::queue::TaskQueue;
use super::rng::Rng;
use super::settings::WORKER_REQUESTS;

/// What the workers did in one second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WorkerTick {
    pub started: u64,
    pub completed: u64,
    /// Tasks handed back to the queue by OOMKilled containers.
    pub requeued: u64,
    pub oom_killed: u64,
    /// Tasks held by all workers after the second.
    pub in_flight: u64,
    /// Sum of queue waits (seconds) of the tasks started this second.
    pub wait_sum: f64,
}

/// The knobs of one worker step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkerParams {
    pub concurrency: usize,
    pub avg_task_secs: f64,
    /// Multiplier of task duration (database slowness, refused connections).
    pub slowdown: f64,
    pub leak_mib_per_sec: f64,
    /// CPU per task, percent of the 1-core request ([`TASK_CPU_PCT`] unless a drill's tasks
    /// are I/O-bound).
    pub task_cpu_pct: f64,
}

/// Worker use: idle, plus per task (percent of the 1-core request; MiB).
const IDLE_CPU_PCT: f64 = 8.0;
pub const TASK_CPU_PCT: f64 = 15.0;
const BASE_MIB: f64 = 600.0;
const TASK_MIB: f64 = 150.0;

pub fn step(
    now: u64,
    d: &mut Deploy,
    queue: &mut TaskQueue,
    p: &WorkerParams,
    tasks_rng: &mut Rng,
    noise: &mut Rng,
    log: &mut EventLog,
) -> WorkerTick {
    let mut out = WorkerTick::default();
    let draining = d.draining();
    let object_prefix = "pod/";
    for pod in d.pods.iter_mut() {
        if pod.terminating() {
            pod.cpu_pct = 2.0;
            continue;
        }
        let before = pod.tasks.len();
        pod.tasks.retain(|t| t.done_at > now);
        out.completed += (before - pod.tasks.len()) as u64;
        let ready = pod.ready(now);
        if ready && !draining {
            while pod.tasks.len() < p.concurrency {
                let Some(arrived) = queue.pop() else { break };
                let secs = p.avg_task_secs * tasks_rng.range(0.5, 1.5) * p.slowdown;
                pod.tasks.push(Task { arrived, done_at: now + (secs.round() as u64).max(1) });
                out.started += 1;
                out.wait_sum += now.saturating_sub(arrived) as f64;
            }
        }
        if now < pod.running_at {
            pod.cpu_pct = 0.0;
            pod.memory_pct = 0.0;
            continue;
        }
        let uptime = now.saturating_sub(pod.started) as f64;
        let mib = (BASE_MIB + TASK_MIB * pod.tasks.len() as f64 + p.leak_mib_per_sec * pod.leak_factor * uptime)
            * noise.jitter(0.01);
        if mib > pod.memory_limit_mib {
            out.oom_killed += 1;
            out.requeued += pod.tasks.len() as u64;
            for t in pod.tasks.drain(..) {
                queue.requeue(t.arrived);
            }
            pod.restarts += 1;
            pod.last_reason = Some("OOMKilled");
            let backoff = (10u64 << (pod.restarts - 1).min(5)).min(300);
            pod.started = now + backoff;
            pod.running_at = now + backoff;
            pod.ready_at = now + backoff + noise.between(10, 20);
            pod.cpu_pct = 0.0;
            pod.memory_pct = 0.0;
            log.warning(
                now as f64,
                format!("{object_prefix}{}", pod.name),
                "OOMKilled",
                format!(
                    "Container worker exceeded its memory limit ({}) and was killed; restart {} in {backoff}s",
                    pod.memory_limit, pod.restarts
                ),
            );
            continue;
        }
        pod.memory_pct = mib / WORKER_REQUESTS.1 * 100.0;
        let cpu =
            if ready { IDLE_CPU_PCT + p.task_cpu_pct * pod.tasks.len() as f64 + 2.0 * noise.noise() } else { 30.0 };
        pod.cpu_pct = cpu.clamp(1.0, pod.cpu_limit_cores / WORKER_REQUESTS.0 * 100.0);
        out.in_flight += pod.tasks.len() as u64;
    }
    out
}
