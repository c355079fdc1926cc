//! `cockpit capacity`: the capacity review of the live platform (issue 9). The history is
//! whole UTC days up to the start of today; what no source holds is named with the setting
//! that would supply it. Exit status 0, or 3 (EXIT_BLIND) when no metric has any history.

use super::{EXIT_BLIND, EXIT_OK, EXIT_USAGE, Setup};
use crate::capacity::review::Inputs;
use crate::capacity::trend::DAY;
use crate::capacity::{Kind, history, render};
use crate::cli::{CapacityArgs, CapacityFormat, GlobalArgs};
use std::io::Write;

pub async fn run(setup: Setup, args: CapacityArgs, g: &GlobalArgs) -> anyhow::Result<i32> {
    let config = &setup.config;
    let now = crate::record::session::wall_now();
    let to = (now / DAY).floor() * DAY;
    let from = to - args.lookback * DAY;
    let settings = config.board_settings();
    let mut inputs = Inputs::with_thresholds(&settings);

    if args.demo {
        let inputs = crate::capacity::demo::inputs(args.lookback as u32, to, args.seed, &settings);
        return output(
            &crate::capacity::build(&inputs, from, to, args.project, &settings.capacity, &settings.limits),
            &args,
        );
    }
    crate::live::install_crypto_provider();
    let targets = crate::live::Targets::resolve(config, &crate::live::Env::process()).await;
    match &targets.aws {
        Some(Ok(t)) => {
            let cw = aws_sdk_cloudwatch::Client::new(&t.sdk);
            let rds = aws_sdk_rds::Client::new(&t.sdk);
            let names = t.discovery.resolved(crate::live::discover::WAIT).await;
            history::from_cloudwatch(&cw, &rds, &config.aws, &names, from, to, &mut inputs).await;
        }
        other => {
            let why = match other {
                Some(Err(e)) => format!("AWS: {e}"),
                _ => "AWS is not configured (aws.enabled, AWS credentials and region)".to_string(),
            };
            for k in Kind::ALL {
                inputs.missing.insert(k, why.clone());
            }
            inputs.allocated_gb = Some(Err(why));
        }
    }
    inputs.max_connections = Some(match &targets.postgres {
        Some(Ok(t)) => max_connections(t).await,
        Some(Err(e)) => Err(format!("postgres: {e}")),
        None => Err("the database is not configured: set postgres.url (max_connections is read there)".into()),
    });
    let root = crate::record::session::root();
    let contexts = match &g.context {
        Some(c) => vec![c.clone()],
        None => crate::record::store::contexts(&root),
    };
    history::from_recordings(&root, &contexts, from, to, &mut inputs);

    let review = crate::capacity::build(&inputs, from, to, args.project, &settings.capacity, &settings.limits);
    output(&review, &args)
}

/// Print the review (and write its charts); the exit status.
fn output(review: &crate::capacity::Review, args: &CapacityArgs) -> anyhow::Result<i32> {
    if let Some(dir) = &args.charts {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("cockpit capacity: cannot create {}: {e}", dir.display());
            return Ok(EXIT_USAGE);
        }
        for r in review.rows.iter().filter(|r| !r.points.is_empty()) {
            let path = dir.join(format!("{}.svg", r.key));
            std::fs::write(&path, render::svg(review, r))
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
        }
    }
    let text = match args.format {
        CapacityFormat::Text => render::text(review),
        CapacityFormat::Markdown => render::markdown(review, !args.no_charts),
        CapacityFormat::Json => serde_json::to_string_pretty(review)? + "\n",
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if review.rows.iter().all(|r| r.points.is_empty()) { EXIT_BLIND } else { EXIT_OK })
}

/// `SHOW max_connections` on the database.
async fn max_connections(t: &crate::live::postgres::PgTarget) -> Result<f64, String> {
    let client = crate::live::postgres::connect(t).await.map_err(|e| e.to_string())?;
    let rows = client
        .simple_query("SHOW max_connections")
        .await
        .map_err(|e| crate::live::classify::postgres("SHOW max_connections", &e).to_string())?;
    rows.into_iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).and_then(|v| v.parse().ok()),
            _ => None,
        })
        .ok_or_else(|| "no answer to SHOW max_connections".to_string())
}
