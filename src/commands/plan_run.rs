//! `cockpit plan ACTION` prints the plan and its preflight findings and changes nothing;
//! `cockpit run ACTION --yes` runs it without the UI, printing step progress. Both act on the
//! live platform, or with `--demo` on the simulator with a stepped clock (simulated time passes
//! only while the action waits, so a 10-minute wait takes no real time).

use super::{EXIT_FAILURE, EXIT_NOTIFY_FAILED, EXIT_OK, Setup};
use crate::actions::blind::{IfBlind, hidden_inputs};
use crate::actions::journal::{self, Unfinished};
use crate::actions::procedure::{FormCx, PlanCx};
use crate::actions::runner::{RunHandle, RunOpts, Runner};
use crate::actions::step::{Plan, RunEvent, Summary};
use crate::actions::text::{Progress, plan_text};
use crate::actions::{ActionError, ActionSettings, Form, Procedure, registry, rollback};
use crate::cli::ActionArgs;
use crate::model::{Board, SourceId};
use crate::platform::Platform;
use anyhow::Context as _;
use std::sync::{Arc, Mutex};

/// Wrong usage (unknown action, missing --yes or confirmation word).
const EXIT_USAGE: i32 = 2;
/// Simulated time the demo runs before acting, so the board has 15 minutes of history.
const DEMO_WARMUP_SECS: f64 = 960.0;

/// The platform to act on, the board the forms are prefilled from, the settings.
struct Target {
    platform: Arc<dyn Platform>,
    board: Board,
    settings: ActionSettings,
}

fn settings_for(setup: &Setup, args: &ActionArgs) -> ActionSettings {
    let mut s = ActionSettings::from_config(&setup.config);
    if args.demo {
        // The simulator's actions are journaled apart: never offered for resume on the live platform.
        s.journal_dir = crate::config::paths::state_dir().join("journal-demo");
    }
    s
}

async fn open(setup: &Setup, args: &ActionArgs, settings: ActionSettings) -> anyhow::Result<Target> {
    let config = &setup.config;
    if args.demo {
        let scenario = super::demo::scenario(args.scenario);
        let mut sim = crate::sim::Simulator::new(scenario, args.seed, super::demo::sim_settings(config));
        let mut board = Board::new(config.board_settings(), &SourceId::ALL);
        crate::sim::run_for(&mut sim, &mut board, args.after.unwrap_or(DEMO_WARMUP_SECS), 5.0);
        let platform = crate::sim::SimPlatform::new(Arc::new(Mutex::new(sim)), crate::sim::Clock::Stepped);
        return Ok(Target { platform: Arc::new(platform), board, settings });
    }
    crate::live::install_crypto_provider();
    let targets = crate::live::Targets::resolve(config, &crate::live::Env::process()).await;
    let clock = crate::live::Clock::start();
    let mut board = Board::new(config.board_settings(), &targets.configured());
    for u in crate::sources::refresh_all_once(&targets, config, clock).await {
        board.ingest(u);
    }
    let platform = crate::platform::live::LivePlatform::connect(config, &targets, clock).await;
    Ok(Target { platform: Arc::new(platform), board, settings })
}

/// The procedure's form, prefilled from the board, with the command line's values on top.
fn form_for(p: &dyn Procedure, t: &Target, args: &ActionArgs) -> Result<Form, String> {
    let mut form = p.form(&FormCx { board: &t.board, settings: &t.settings });
    let mut set = |key: &str, v: String| form.set(key, &v);
    if let Some(r) = args.replicas {
        set("replicas", r.to_string())?;
    }
    if let Some(d) = &args.direction {
        set("direction", d.clone())?;
    }
    if let Some(c) = &args.cpu {
        set("cpu", c.clone())?;
    }
    if let Some(m) = &args.memory {
        set("memory", m.clone())?;
    }
    if let Some(c) = &args.class {
        set("class", c.clone())?;
    }
    if args.at_window {
        set("apply", "window".into())?;
    }
    if args.apply_now {
        set("apply", "now".into())?;
    }
    if let Some(id) = &args.id {
        set("id", id.clone())?;
    }
    // Redis cluster (issue 9)
    if let Some(n) = args.shards {
        set("shards", n.to_string())?;
    }
    for kv in &args.set {
        let (k, v) = kv.split_once('=').ok_or_else(|| format!("--set {kv:?}: expected FIELD=VALUE"))?;
        set(k.trim(), v.to_string())?;
    }
    form.validate()?;
    Ok(form)
}

async fn make_plan(p: &dyn Procedure, t: &Target, args: &ActionArgs) -> anyhow::Result<Result<Plan, String>> {
    if args.undo {
        return Ok(rollback::from_journal(&t.settings.journal_dir, p.name())?
            .ok_or_else(|| format!("the latest run of {} applied nothing that can be undone", p.name())));
    }
    let form = match form_for(p, t, args) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    let cx = PlanCx { platform: Arc::clone(&t.platform), settings: t.settings.clone(), board: t.board.clone() };
    Ok(Ok(p.plan(&cx, &form).await.with_context(|| format!("planning {}", p.name()))?))
}

fn find(name: &str) -> Result<Box<dyn Procedure>, i32> {
    registry::find(name).map_err(|e| {
        eprintln!("cockpit: {e}");
        EXIT_USAGE
    })
}

pub async fn plan(setup: Setup, args: ActionArgs) -> anyhow::Result<i32> {
    let p = match find(&args.action) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let settings = settings_for(&setup, &args);
    let t = open(&setup, &args, settings).await?;
    let plan = match make_plan(p.as_ref(), &t, &args).await? {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("cockpit: {}: {e}", p.name());
            return Ok(EXIT_USAGE);
        }
    };
    print!("{}", plan_text(&plan, p.help()));
    if args.if_blind.policy() == IfBlind::Stop && !hidden_inputs(&plan, &t.board).is_empty() {
        println!(
            "\nWith --if-blind stop, `cockpit run {}` would not run: a verification cannot see all of its inputs.",
            p.name()
        );
    }
    if t.settings.read_only {
        println!("\nRead-only mode: `cockpit run {}` would be refused.", p.name());
    }
    println!("\nNothing was changed ({}).", t.platform.describe());
    Ok(0)
}

pub async fn run(setup: Setup, args: ActionArgs) -> anyhow::Result<i32> {
    let p = match find(&args.action) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let settings = settings_for(&setup, &args);
    // Refused before any request: not even a read is sent.
    if settings.read_only {
        eprintln!("cockpit: {}", ActionError::ReadOnly(p.name().into()));
        return Ok(EXIT_FAILURE);
    }
    let mut pending = journal::unfinished(&settings.journal_dir);
    if !args.yes {
        eprintln!("cockpit: {}", refusal(p.name(), &args, &pending));
        return Ok(EXIT_USAGE);
    }
    // A run whose process is alive on this machine is not unfinished: taking its lock over
    // (resume, abandon) would act beside it.
    if (args.resume || args.abandon)
        && let Some((u, pid)) = pending.iter().find_map(|u| u.running_pid().map(|pid| (u, pid)))
    {
        eprintln!(
            "cockpit: {} ({}) is still running in process {pid} on this machine: stop it (or let it end) first",
            u.action, u.id
        );
        return Ok(EXIT_FAILURE);
    }
    let resume: Option<Unfinished> = if args.resume {
        match pending.iter().rposition(|u| u.action == p.name()) {
            Some(i) => Some(pending.remove(i)),
            None => {
                eprintln!("cockpit: no unfinished {} in {}", p.name(), settings.journal_dir.display());
                return Ok(EXIT_FAILURE);
            }
        }
    } else {
        None
    };
    if resume.is_none() && !args.abandon && !pending.is_empty() {
        eprintln!("cockpit: an action was left unfinished (a crash or a dropped link):");
        for u in &pending {
            eprintln!("  {}", unfinished_line(u));
        }
        eprintln!("run it again with --resume to carry it on (repeating no change), or --abandon to drop it");
        return Ok(EXIT_FAILURE);
    }
    let t = open(&setup, &args, settings).await?;
    if args.abandon {
        for u in pending.drain(..) {
            println!("abandoning {}; running its clean-up steps", unfinished_line(&u));
            let plan = u.plan.clone();
            let (r, h) = Runner::abandon(Arc::clone(&t.platform), u, RunOpts::from_settings(&t.settings));
            if !follow(r, h, &plan).await.is_some_and(|s| s.outcome.ok()) {
                eprintln!(
                    "cockpit: {} not run: the abandoned {} did not end cleanly (its journal says where it stopped)",
                    p.name(),
                    plan.action
                );
                return Ok(EXIT_FAILURE);
            }
            println!();
        }
    }
    let mut opts = RunOpts::from_settings(&t.settings);
    opts.dry_run = args.dry_run;
    let (runner, handle, plan) = match resume {
        Some(u) => {
            println!("resuming {} ({}): {}", u.action, u.id, u.describe());
            let plan = u.plan.clone();
            let (r, h) = Runner::resume(Arc::clone(&t.platform), u, opts);
            (r, h, plan)
        }
        None => {
            let plan = match make_plan(p.as_ref(), &t, &args).await? {
                Ok(plan) => plan,
                Err(e) => {
                    eprintln!("cockpit: {}: {e}", p.name());
                    return Ok(EXIT_USAGE);
                }
            };
            print!("{}", plan_text(&plan, p.help()));
            if plan.blocked() {
                eprintln!("cockpit: {} not run: a finding blocks the plan", p.name());
                return Ok(EXIT_FAILURE);
            }
            if let Some(code) = refuse_blind(p.name(), &plan, &t.board, args.if_blind.policy()) {
                return Ok(code);
            }
            if let Some(word) = &plan.confirm_word
                && args.confirm_word.as_deref() != Some(word.as_str())
            {
                eprintln!("cockpit: {} needs --confirm-word {word}", p.name());
                return Ok(EXIT_USAGE);
            }
            let (r, h) = Runner::new(Arc::clone(&t.platform), plan.clone(), opts);
            (r, h, plan)
        }
    };
    println!("\nrunning {} on {}", plan.action, t.platform.describe());
    Ok(match follow(runner, handle, &plan).await {
        Some(summary) => exit_status(&summary),
        None => EXIT_FAILURE,
    })
}

/// EXIT_OK, EXIT_FAILURE when the action did not end well, EXIT_NOTIFY_FAILED when it did but
/// its notification could not be sent (nobody was told: never a quiet success).
fn exit_status(s: &Summary) -> i32 {
    if !s.outcome.ok() {
        EXIT_FAILURE
    } else if let Some(why) = &s.notify_failed {
        eprintln!("cockpit: {} {}, but its notification was NOT sent: {why}", s.action, s.outcome.describe());
        EXIT_NOTIFY_FAILED
    } else {
        EXIT_OK
    }
}

/// Why `run` without `--yes` does nothing, naming what it would do to an unfinished action.
fn refusal(name: &str, args: &ActionArgs, pending: &[Unfinished]) -> String {
    let plan_hint = format!("(`cockpit plan {name}` shows what it would do)");
    if args.abandon && !pending.is_empty() {
        let what: Vec<String> = pending
            .iter()
            .map(|u| {
                let cleanup = u.cleanup_steps();
                let cleanup = if cleanup.is_empty() {
                    "it has no clean-up steps".to_string()
                } else {
                    format!("its clean-up: {}", cleanup.join("; "))
                };
                format!("\n  abandon {} ({cleanup})", unfinished_line(u))
            })
            .collect();
        return format!(
            "`cockpit run {name} --abandon` changes the platform: it would{}\n  then run {name}\nadd --yes to do it {plan_hint}",
            what.concat()
        );
    }
    if let Some(u) = pending.iter().rev().find(|u| args.resume && u.action == name) {
        return format!(
            "`cockpit run {name} --resume` changes the platform: it would carry on {}\nadd --yes to do it",
            unfinished_line(u)
        );
    }
    let mut out = format!("`cockpit run {name}` changes the platform: add --yes {plan_hint}");
    if !pending.is_empty() {
        out.push_str("\nand first: an action was left unfinished (a crash or a dropped link):");
        for u in pending {
            out.push_str(&format!("\n  {}", unfinished_line(u)));
        }
        out.push_str(
            "\nadd --resume to carry it on (repeating no change), or --abandon to run its clean-up and drop it",
        );
    }
    out
}

/// "drain-workers 20250301T031245Z-4242-0000-drain-workers, started 2025-03-01T04:12:45+01:00
/// by alice@host: 1 of 6 steps done".
fn unfinished_line(u: &Unfinished) -> String {
    let started = u
        .started
        .parse::<jiff::Timestamp>()
        .map(|t| crate::model::report::rfc3339(&t.to_zoned(jiff::tz::TimeZone::system())))
        .unwrap_or_else(|_| u.started.clone());
    let running = u.running_pid().map(|pid| format!(" (still running in process {pid})")).unwrap_or_default();
    format!("{} {}, started {started} by {}: {}{running}", u.action, u.id, u.user, u.describe())
}

/// `--if-blind stop`: refuse, before anything is changed, a plan whose verifications cannot see
/// all of their inputs (EXIT_BLIND, naming each and the setting that would show it).
fn refuse_blind(action: &str, plan: &Plan, board: &Board, policy: IfBlind) -> Option<i32> {
    let hidden = hidden_inputs(plan, board);
    if policy != IfBlind::Stop || hidden.is_empty() {
        return None;
    }
    eprintln!("cockpit: {action} not run (--if-blind stop): a verification cannot see all of its inputs");
    for (step, id, gap) in hidden {
        eprintln!("  {step}: {} is {gap}", id.label());
    }
    eprintln!("set what is named, or run with --if-blind judge-visible to judge on what can be seen");
    Some(super::EXIT_BLIND)
}

/// Print the run's progress until it ends; Ctrl-C aborts at the next safe point.
async fn follow(runner: Runner, handle: RunHandle, plan: &Plan) -> Option<Summary> {
    let RunHandle { mut events, abort } = handle;
    let task = runner.spawn();
    let mut progress = Progress::new(plan, 30.0);
    let mut interrupted = false;
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Some(RunEvent::Finished(summary)) => {
                    println!();
                    for (_, line) in summary.lines() {
                        println!("{line}");
                    }
                    return Some(summary);
                }
                Some(ev) => {
                    if let Some(line) = progress.line(plan, &ev) {
                        println!("{line}");
                    }
                }
                None => break,
            },
            _ = tokio::signal::ctrl_c(), if !interrupted => {
                interrupted = true;
                eprintln!("cockpit: aborting at the next safe point (Ctrl-C)");
                abort.abort();
            }
        }
    }
    match task.await {
        Ok(summary) => Some(summary),
        Err(e) => {
            eprintln!("cockpit: the action's task failed: {e}");
            None
        }
    }
}
