//! `cockpit report`: the incident report of a recorded window, from the state dir's
//! recordings. No recording in the window: the contexts and windows that exist are named, and
//! the exit status is 1.

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Setup};
use crate::cli::{GlobalArgs, ReportArgs, ReportFormat};
use crate::record::Entry;
use crate::record::report::{self, window};
use crate::record::store;
use jiff::tz::TimeZone;
use std::io::Write;
use std::path::Path;

pub async fn run(setup: Setup, args: ReportArgs, g: &GlobalArgs) -> anyhow::Result<i32> {
    let tz = TimeZone::system();
    let root = crate::record::session::root();
    let now = crate::record::session::wall_now();
    let (from, to) = match window::window(args.since, args.from.as_deref(), args.to.as_deref(), now, &tz) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("cockpit report: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let found = if g.share {
        match from_stream(&setup.config, from, to).await {
            Ok(f) => f,
            Err((code, text)) => {
                eprintln!("cockpit report --share: {text}");
                return Ok(code);
            }
        }
    } else {
        match &g.context {
            Some(c) => read(&root, c, from, to)?.map(|(e, s)| (c.clone(), e, s)),
            None => newest(&root, from, to)?,
        }
    };
    let Some((context, entries, skipped)) = found else {
        if g.share {
            eprintln!(
                "cockpit report --share: the stream holds nothing between {} and {}",
                report::date_time(from, &tz),
                report::date_time(to, &tz)
            );
        } else {
            eprintln!("{}", nothing_there(&root, g.context.as_deref(), from, to, &tz));
        }
        return Ok(EXIT_FAILURE);
    };
    if args.load_test {
        let settings = setup.config.board_settings();
        let lt = report::load_test::build(&entries, &context, from, to, &settings.capacity, &settings.limits);
        let text = match args.format {
            ReportFormat::Json => serde_json::to_string_pretty(&lt)? + "\n",
            ReportFormat::Html => {
                eprintln!("cockpit report --load-test: html is not offered; use markdown, text or json");
                return Ok(EXIT_USAGE);
            }
            ReportFormat::Markdown | ReportFormat::Text => report::load_test::markdown(&lt, &tz),
        };
        std::io::stdout().lock().write_all(text.as_bytes())?;
        return Ok(EXIT_OK);
    }
    let r = report::analyze::build(&entries, &context, from, to, skipped);
    let text = match args.format {
        ReportFormat::Markdown => report::markdown::render(&r, &tz),
        ReportFormat::Html => report::html::render(&r, &tz),
        ReportFormat::Text => report::text::render(&r, &tz),
        ReportFormat::Json => serde_json::to_string_pretty(&r)? + "\n",
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(EXIT_OK)
}

type Found = (Vec<Entry>, usize);

/// `--share`: the window from the war room's stream (its history is kept `share.history_minutes`).
async fn from_stream(
    config: &crate::config::Config,
    from: f64,
    to: f64,
) -> Result<Option<(String, Vec<Entry>, usize)>, (i32, String)> {
    use crate::share::{Bus, Keys, history};
    let mut bus = Bus::resolve(config, &crate::live::Env::process()).map_err(|e| (EXIT_USAGE, e))?;
    let name = crate::share::stream_name(config, &mut bus).await.map_err(|e| (EXIT_USAGE, e))?;
    let keys = Keys::new(&name);
    let fail = |e: crate::model::SourceFailure| (EXIT_FAILURE, e.to_string());
    let mut entries = history::range(&mut bus, &keys, from, Some(to)).await.map_err(fail)?;
    if !entries.iter().any(|e| !matches!(e, Entry::Start(_))) {
        return Ok(None);
    }
    if !matches!(entries.first(), Some(Entry::Start(_)))
        && let Some(start) = history::start_before(&mut bus, &keys, from).await.map_err(fail)?
    {
        entries.insert(0, start);
    }
    Ok(Some((name, entries, 0)))
}

/// The entries of `context` in the window, if it holds any sample or event.
fn read(root: &Path, context: &str, from: f64, to: f64) -> anyhow::Result<Option<Found>> {
    match store::read(root, context, from, to) {
        Ok((e, s)) if e.iter().any(|e| !matches!(e, Entry::Start(_))) => Ok(Some((e, s))),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::anyhow!("cannot read the recordings of {context} in {}: {e}", root.display())),
    }
}

/// Without `--context`: the context whose recording in the window is the most recent.
fn newest(root: &Path, from: f64, to: f64) -> anyhow::Result<Option<(String, Vec<Entry>, usize)>> {
    let mut best: Option<(f64, String, Found)> = None;
    for c in store::contexts(root) {
        if let Some(found) = read(root, &c, from, to)? {
            let last = found.0.iter().map(Entry::t).fold(f64::MIN, f64::max);
            if best.as_ref().is_none_or(|b| last > b.0) {
                best = Some((last, c, found));
            }
        }
    }
    Ok(best.map(|(_, c, (e, s))| (c, e, s)))
}

fn nothing_there(root: &Path, context: Option<&str>, from: f64, to: f64, tz: &TimeZone) -> String {
    let what = context.map(|c| format!(" of context {c:?}")).unwrap_or_default();
    let mut out = format!(
        "cockpit report: no recording{what} between {} and {} (in {}).",
        report::date_time(from, tz),
        report::date_time(to, tz),
        root.display()
    );
    let exists = window::what_exists(root, tz);
    if exists.is_empty() {
        out.push_str("\nThere is no recording at all: `cockpit` and `cockpit demo` record every run unless --no-record or record = false.");
    } else {
        out.push_str("\nRecordings that exist:");
        for e in exists {
            out.push_str("\n  ");
            out.push_str(&e);
        }
        out.push_str("\nAsk for one of them with --context NAME and --since, or --from and --to.");
    }
    out
}
