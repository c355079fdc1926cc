//! `cockpit`, `cockpit snapshot` and `cockpit check` on the live platform that the config and
//! the usual conventions describe (kubeconfig, `REDIS_URL`, `DATABASE_URL`/`PG*`, the AWS
//! chain). A source that nothing configures is shown as not configured.

use super::Setup;
use super::host::{Backend, DeskHost};
use crate::actions::{ActionSettings, Jobs};
use crate::cli::GlobalArgs;
use crate::live::{Clock, Env, Targets};
use crate::model::{Board, Level};
use crate::ui::app::{App, Mode};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub(super) const NOTHING_CONFIGURED: &str = "cockpit: no live source is configured: no kubeconfig (--kubeconfig, KUBECONFIG, \
     ~/.kube/config or in-cluster), no REDIS_URL, no DATABASE_URL, PGHOST or PGSERVICE, no AWS credentials.\n\
     `cockpit check` says what each source needs; `cockpit demo` shows the cockpit on its simulator.";

/// What lives beside the app on the live platform: the source tasks.
pub struct LiveBackend {
    tasks: Vec<JoinHandle<()>>,
}

impl Backend for LiveBackend {
    fn set_speed(&mut self, app: &mut App, _jobs: &mut Jobs, _speed: f64) {
        app.set_status("speed: the live platform runs in real time (speed is for `cockpit demo`)", Level::Warn);
    }

    fn stop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The full-screen cockpit on the live sources.
pub async fn run(setup: Setup, _g: GlobalArgs) -> anyhow::Result<i32> {
    let Setup { config, theme, keymap, user_dir, wall, share, .. } = setup;
    let targets = Targets::resolve(&config, &Env::process()).await;
    let configured = targets.configured();
    if configured.is_empty() {
        eprintln!("{NOTHING_CONFIGURED}");
        return Ok(super::EXIT_FAILURE);
    }
    let clock = Clock::start();
    let board = Board::new(config.board_settings(), &configured);
    let context = match &targets.kube {
        Some(Ok(k)) => k.context.clone().unwrap_or_else(|| "in-cluster".into()),
        _ => "live".into(),
    };
    let epoch = clock.unix_now() - clock.now();
    let sharing = if share {
        let refresh = crate::sources::Intervals::from_config(&config).refresh;
        let screen = super::share::Screen {
            board: &board,
            configured: &configured,
            target: targets.describe(),
            demo: false,
            epoch,
            refresh,
            default_name: &context,
        };
        match super::share::start_for_screen(&config, screen) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("cockpit --share: {e}");
                return Ok(super::EXIT_USAGE);
            }
        }
    } else {
        None
    };
    let (tx, rx) = mpsc::channel(256);
    let (tx, mut tap) = super::share::Sharing::tap_if(sharing.as_ref(), tx);
    let mut tasks = crate::sources::spawn_all(&targets, &config, clock, tx);
    tasks.extend(tap.take());
    let backend = LiveBackend { tasks };
    let mut app = App::new(board, theme, keymap, Mode::Live { target: targets.describe() });
    app.user_dir = user_dir;
    app.wall = wall;
    app.epoch = Some(jiff::Zoned::now());
    let platform = crate::platform::live::LivePlatform::connect(&config, &targets, clock).await;
    let jobs = Jobs::new(std::sync::Arc::new(platform), ActionSettings::from_config(&config));
    let opened = crate::record::session::open_with(
        &config,
        &crate::record::session::root(),
        &app.board,
        "live",
        &context,
        epoch,
        sharing.as_ref().map(|s| s.sink()),
    );
    let mut host = DeskHost::new(backend, jobs, &mut app).with_recorder(opened, &mut app);
    host.share = sharing.as_ref().map(|s| s.status());
    let code = super::run_ui(&mut app, rx, &mut host).await;
    drop(host);
    if let Some(s) = sharing {
        s.stop().await;
    }
    code
}

pub async fn check(setup: Setup, _g: GlobalArgs) -> anyhow::Result<i32> {
    super::check::run(&setup.config, &Env::process()).await
}
