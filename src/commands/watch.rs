//! `cockpit watch`: the whole cockpit from the war room's stream, read-only. It sends nothing
//! to the platform (no kubeconfig, database, queue or AWS is even read): only the stream's
//! Redis is.

use super::{EXIT_FAILURE, EXIT_USAGE, Setup};
use crate::cli::WatchArgs;
use crate::live::Env;
use crate::model::Board;
use crate::model::report::{Report, Taken};
use crate::share::feed::{self, FeedEvent};
use crate::share::{Bus, Keys};
use crate::ui::app::{App, Mode, WatchMode};
use crate::ui::event_loop::{Host, HostEvent};
use std::time::Duration;
use tokio::sync::mpsc;

pub async fn run(setup: Setup, args: WatchArgs) -> anyhow::Result<i32> {
    let config = &setup.config;
    let mut bus = match Bus::resolve(config, &Env::process()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cockpit watch: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let name = match crate::share::stream_name(config, &mut bus).await {
        Ok(n) => n,
        Err(e) => {
            eprintln!("cockpit watch: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let (rx, task) = feed::spawn(bus, Keys::new(&name));
    let code = if args.snapshot {
        Ok(snapshot(rx, &name, args.format).await)
    } else {
        let board = Board::new(config.board_settings(), &[]);
        let mode =
            Mode::Watch(WatchMode { feed: feed::FeedStatus { name: name.clone(), ..Default::default() }, demo: false });
        let mut app = App::new(board, setup.theme, setup.keymap, mode);
        app.user_dir = setup.user_dir;
        app.wall = setup.wall;
        app.set_status(format!("joining the stream {name:?}…"), crate::model::Level::Unknown);
        // Everything comes through the host, in the stream's order; no source runs here.
        let (_none, sources) = mpsc::channel(1);
        let mut host = WatchHost { rx };
        super::run_ui(&mut app, sources, &mut host).await
    };
    task.abort();
    code
}

/// `--snapshot`: join, take in what the stream has until it is quiet, print, exit.
async fn snapshot(mut rx: mpsc::Receiver<FeedEvent>, name: &str, format: crate::cli::Format) -> i32 {
    let mut board: Option<Board> = None;
    let mut collector = String::new();
    let mut problem = None;
    let mut deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let ev = match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(ev)) => ev,
            Ok(None) | Err(_) => break,
        };
        match ev {
            FeedEvent::Joined(j) => {
                collector = format!("{} ({})", j.hello.id, j.hello.target);
                board = Some(j.board());
                // The join holds the newest update of every source; a moment more takes in what
                // followed and lets a silent collector be noticed (its first read blocks 1 s).
                deadline = deadline.min(tokio::time::Instant::now() + Duration::from_millis(1500));
            }
            FeedEvent::Update(u) => {
                if let Some(b) = board.as_mut() {
                    b.ingest(*u);
                }
            }
            FeedEvent::Action(a) => {
                if let Some(b) = board.as_mut() {
                    b.push_timeline(a.at, crate::model::timeline::Category::Action, a.level, a.text);
                }
            }
            FeedEvent::Status(st) => {
                problem = st.problem;
                if board.is_none() && problem.is_some() {
                    break;
                }
            }
        }
    }
    let Some(board) = board else {
        eprintln!(
            "cockpit watch: {}",
            problem.unwrap_or_else(|| format!("nothing on the stream {name:?} within 10 s"))
        );
        return EXIT_FAILURE;
    };
    let report = Report::from_board(&board, Taken::now(format!("watch {name}: {collector}")));
    super::snapshot::print(&report, format);
    if let Some(p) = problem {
        eprintln!("cockpit watch: {p}");
        return EXIT_FAILURE;
    }
    0
}

/// The viewer's host: the stream's events, and no actions.
struct WatchHost {
    rx: mpsc::Receiver<FeedEvent>,
}

impl Host for WatchHost {
    fn effect(&mut self, app: &mut App, _e: crate::ui::app::Effect) {
        app.set_status("watch is read-only: nothing is sent to the platform", crate::model::Level::Warn);
    }

    async fn next(&mut self) -> Option<HostEvent> {
        self.rx.recv().await.map(|e| HostEvent::Feed(Box::new(e)))
    }
}
