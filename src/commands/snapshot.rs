//! `cockpit snapshot`: run for a while (the simulator, without waiting) and print every metric.

use super::Setup;
use crate::cli::{Format, SnapshotArgs};
use crate::model::report::Report;
use crate::model::{Board, SourceId};
use crate::sim::Simulator;

pub async fn run(setup: Setup, args: SnapshotArgs) -> anyhow::Result<i32> {
    if !args.demo {
        return super::live::snapshot(setup, args).await;
    }
    let scen = super::demo::scenario(args.scenario);
    let mut sim = Simulator::new(scen, args.seed, super::demo::sim_settings(&setup.config));
    let mut board = Board::new(setup.config.board_settings(), &SourceId::ALL);
    // Sample as the demo does at speed 1, so rates and trends match what the screen shows.
    let every = setup.config.refresh_secs.clamp(1.0, 10.0);
    crate::sim::driver::run_for(&mut sim, &mut board, args.after.max(every), every);
    let origin = format!("demo {} (seed {})", scen.name(), args.seed);
    print(&Report::from_board(&board, origin), args.format);
    Ok(0)
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
