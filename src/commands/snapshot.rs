//! `cockpit snapshot`: one refresh of every configured live source (or, with `--demo`, the
//! simulator run for a while without waiting), printed for an incident channel; with
//! `--fail-on` its exit status tells a script how bad things are.
//!
//! Exit statuses, the first that applies:
//! 1. `--fail-on LEVEL` and the board reaches LEVEL: the highest step reached, EXIT_EMERGENCY
//!    (6, a runbook emergency condition holds), EXIT_CRIT (5) or EXIT_WARN (4);
//! 2. EXIT_FAILURE (1): a configured source failed (the report shows the rest);
//! 3. EXIT_BLIND (3): every configured source answered, but a metric that feeds a threshold or
//!    an emergency condition has no value (named in the report with the setting that gives it);
//! 4. EXIT_OK (0).
//!
//! A level comes first because it is what a script acts on, and the report it prints already
//! says which source failed or what is blind; without `--fail-on` levels never change the
//! status.

use super::{EXIT_BLIND, EXIT_CRIT, EXIT_EMERGENCY, EXIT_FAILURE, EXIT_OK, EXIT_WARN, Setup};
use crate::cli::{FailOn, Format, SnapshotArgs};
use crate::live::{Clock, Env, Targets};
use crate::model::report::{Alarm, KubeTarget, Report, Taken};
use crate::model::{Board, SourceId};
use crate::sim::Simulator;

pub async fn run(setup: Setup, args: SnapshotArgs) -> anyhow::Result<i32> {
    if !args.demo {
        return live(setup, args).await;
    }
    let scen = super::demo::scenario(args.scenario);
    let mut sim = Simulator::new(scen, args.seed, super::demo::sim_settings(&setup.config));
    let mut board = Board::new(setup.config.board_settings(), &SourceId::ALL);
    // Sample as the demo does at speed 1, so rates and trends match what the screen shows.
    let every = setup.config.refresh_secs.clamp(1.0, 10.0);
    crate::sim::driver::run_for(&mut sim, &mut board, args.after.max(every), every);
    let mut taken = Taken::now(format!("demo {} (seed {})", scen.name(), args.seed));
    taken.simulated = Some(board.now);
    let report = Report::from_board(&board, taken);
    print(&report, args.format);
    Ok(exit_status(&report, args.fail_on, false))
}

/// One refresh of every configured source, then the report.
async fn live(setup: Setup, args: SnapshotArgs) -> anyhow::Result<i32> {
    let config = setup.config;
    let targets = Targets::resolve(&config, &Env::process()).await;
    let configured = targets.configured();
    if configured.is_empty() {
        eprintln!("{}", super::live::NOTHING_CONFIGURED);
        return Ok(EXIT_FAILURE);
    }
    let clock = Clock::start();
    let mut board = Board::new(config.board_settings(), &configured);
    let updates = crate::sources::refresh_all_once(&targets, &config, clock).await;
    for u in updates {
        board.ingest(u);
    }
    let mut taken = Taken::now(format!("live: {}", targets.describe()));
    taken.kubernetes = match &targets.kube {
        Some(Ok(k)) => {
            let server = k.server.trim_end_matches('/').to_string();
            Some(KubeTarget { context: k.context.clone(), namespace: k.namespace.clone(), server })
        }
        _ => None,
    };
    let report = Report::from_board(&board, taken);
    print(&report, args.format);
    let failed: Vec<&str> =
        SourceId::ALL.iter().filter(|s| board.source_status(**s).is_stale()).map(|s| s.name()).collect();
    if !failed.is_empty() {
        eprintln!("cockpit: {} failed: see `cockpit check`", failed.join(", "));
    }
    let blind: Vec<&str> = report.configured_blind_spots().map(|b| b.label).collect();
    if failed.is_empty() && !blind.is_empty() {
        eprintln!("cockpit: blind: {} (the report says why and what to set)", blind.join(", "));
    }
    Ok(exit_status(&report, args.fail_on, !failed.is_empty()))
}

/// The exit status of a snapshot (the order is in this module's documentation).
pub fn exit_status(report: &Report, fail_on: Option<FailOn>, source_failed: bool) -> i32 {
    let asked = fail_on.map(|f| match f {
        FailOn::Warn => Alarm::Warn,
        FailOn::Crit => Alarm::Crit,
        FailOn::Emergency => Alarm::Emergency,
    });
    match (asked, report.reached()) {
        (Some(asked), Some(reached)) if reached >= asked => match reached {
            Alarm::Emergency => EXIT_EMERGENCY,
            Alarm::Crit => EXIT_CRIT,
            Alarm::Warn => EXIT_WARN,
        },
        _ if source_failed => EXIT_FAILURE,
        _ if report.configured_blind_spots().next().is_some() => EXIT_BLIND,
        _ => EXIT_OK,
    }
}

/// Print a report in the chosen format.
pub fn print(report: &Report, format: Format) {
    let out = match format {
        Format::Text => report.to_text(),
        Format::Json => report.to_json(),
        Format::Markdown => report.to_markdown(),
    };
    println!("{}", out.trim_end());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gap::{Gap, GapKind};
    use crate::model::report::BlindSpot;
    use crate::model::{BoardSettings, Level};

    fn report(level: Level, emergency: bool, blind: Option<GapKind>) -> Report {
        let board = Board::new(BoardSettings::default(), &SourceId::ALL);
        let mut r = Report::from_board(&board, Taken::now("test"));
        r.worst = level;
        r.emergency = if emergency { vec!["queue 12k > 10000 and growing".into()] } else { Vec::new() };
        r.blind_spots = blind
            .map(|k| BlindSpot {
                key: "api_latency_p99",
                label: "API latency p99",
                gap: Gap::new(k, "no load balancer"),
            })
            .into_iter()
            .collect();
        r
    }

    #[test]
    fn fail_on_gives_the_highest_step_reached_and_levels_outrank_failures_and_blind_spots() {
        let blind = Some(GapKind::NotSet);
        // Without --fail-on levels never change the status.
        assert_eq!(exit_status(&report(Level::Crit, true, None), None, false), EXIT_OK);
        assert_eq!(exit_status(&report(Level::Ok, false, None), Some(FailOn::Warn), false), EXIT_OK);
        assert_eq!(exit_status(&report(Level::Warn, false, None), Some(FailOn::Warn), false), EXIT_WARN);
        assert_eq!(exit_status(&report(Level::Warn, false, None), Some(FailOn::Crit), false), EXIT_OK);
        assert_eq!(exit_status(&report(Level::Crit, false, None), Some(FailOn::Warn), false), EXIT_CRIT);
        assert_eq!(exit_status(&report(Level::Crit, false, None), Some(FailOn::Emergency), false), EXIT_OK);
        assert_eq!(exit_status(&report(Level::Crit, true, None), Some(FailOn::Warn), false), EXIT_EMERGENCY);
        assert_eq!(exit_status(&report(Level::Crit, true, None), Some(FailOn::Emergency), false), EXIT_EMERGENCY);
        // A level reached outranks a failed source, which outranks a blind spot.
        assert_eq!(exit_status(&report(Level::Crit, false, blind), Some(FailOn::Crit), true), EXIT_CRIT);
        assert_eq!(exit_status(&report(Level::Warn, false, blind), Some(FailOn::Crit), true), EXIT_FAILURE);
        assert_eq!(exit_status(&report(Level::Warn, false, blind), Some(FailOn::Crit), false), EXIT_BLIND);
        assert_eq!(exit_status(&report(Level::Ok, false, blind), None, false), EXIT_BLIND);
        // A source nobody configured is not a blind spot of a configured one.
        assert_eq!(exit_status(&report(Level::Ok, false, Some(GapKind::NotConfigured)), None, false), EXIT_OK);
    }
}
