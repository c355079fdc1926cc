//! Drawing at every size: never a panic, never a cell outside the frame, and levels readable
//! without colour. Data here is written by hand so each case is explicit.

use cockpit::config::keymap::{Command, Keymap, PaneId};
use cockpit::config::theme::Theme;
use cockpit::model::*;
use cockpit::ui::app::{App, Mode};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;

fn kube(api_ready: u32, workers: u32) -> KubeState {
    let dep = |name: &str, desired: u32, ready: u32| DeploymentState {
        name: name.into(),
        desired,
        ready,
        updated: desired,
        available: ready,
        generation: 1,
        observed_generation: 1,
        annotations: BTreeMap::new(),
        cpu_limit: Some("1".into()),
        memory_limit: Some("2Gi".into()),
    };
    let hpa = |name: &str, min, max, cur, want| HpaState {
        name: name.into(),
        min,
        max,
        current: cur,
        desired: want,
        targets: vec![HpaTarget { name: "cpu".into(), kind: "Utilization".into(), target: 70.0, current: Some(91.0) }],
        conditions: vec![HpaCondition {
            kind: "ScalingLimited".into(),
            status: true,
            reason: "TooManyReplicas".into(),
            message: String::new(),
        }],
        last_scale_at: Some(5.0),
        pinned: false,
    };
    KubeState {
        api: WorkloadState {
            deployment: Some(dep("api-server", 10, api_ready)),
            hpa: Some(hpa("api-server-hpa", 3, 50, 10, 14)),
            pods: PodsSummary { total: 10, ready: api_ready, pending: 10 - api_ready, ..Default::default() },
            usage: Some(Usage { cpu_pct: 91.0, memory_pct: 60.0 }),
        },
        workers: WorkloadState {
            deployment: Some(dep("agent-worker", workers, workers)),
            hpa: Some(hpa("worker-hpa", 5, 100, workers, 100)),
            pods: PodsSummary {
                total: workers,
                ready: workers,
                oom_killed: 1,
                restarts: 1,
                problems: vec![PodProblem {
                    name: "agent-worker-7f9c-x2".into(),
                    phase: "Running".into(),
                    ready: true,
                    restarts: 1,
                    reason: Some("OOMKilled".into()),
                }],
                ..Default::default()
            },
            usage: Some(Usage { cpu_pct: 72.0, memory_pct: 95.0 }),
        },
        events: vec![KubeEvent {
            at: 5.0,
            object: "hpa/worker-hpa".into(),
            reason: "SuccessfulRescale".into(),
            message: "New size: 40".into(),
            warning: false,
        }],
        lease: Default::default(),
    }
}

fn board() -> Board {
    let mut b = Board::new(BoardSettings::default(), &SourceId::ALL);
    for i in 0..90u64 {
        let at = i as f64;
        let up = |s: SourceData| SourceUpdate { source: s.source(), at, result: Ok(s) };
        b.ingest(up(SourceData::Kube(kube(8, 40))));
        b.ingest(up(SourceData::Redis(RedisState {
            queues: vec![("agent:queue:default".into(), 4000 + i * 50)],
            in_flight: 200,
            completed_total: Some(i * 6),
            used_memory: 6 << 30,
            max_memory: 12 << 30,
            clients: 1200,
            max_clients: 10_000,
            hits: i * 900,
            misses: i * 100,
            ops_per_sec: 12_000.0,
            shards: 3,
            cluster_state: Some("ok".into()),
            shard_memory: vec![("node-1".into(), 2 << 30), ("node-2".into(), 2 << 30), ("node-3".into(), 2 << 30)],
            round_trip_ms: 0.4,
            shard_readings: Vec::new(),
        })));
        b.ingest(up(SourceData::Postgres(PostgresState {
            by_state: [("active".to_string(), 120), ("idle".to_string(), 300)].into_iter().collect(),
            total: 420,
            max_connections: 500,
            replica_lag: vec![("agentos-replica-1".into(), 0.4)],
            top_statements: None,
            round_trip_ms: 1.2,
            ..Default::default()
        })));
        b.ingest(up(SourceData::CloudWatch(CloudState {
            api_p99_ms: Some(2400.0 + at),
            api_5xx_pct: Some(0.5),
            api_rps: Some(1500.0),
            db_cpu_pct: Some(55.0),
            ..Default::default()
        })));
        b.ingest(up(SourceData::Rds(RdsState {
            primary: Some(DbInstance {
                id: "agentos-primary".into(),
                class: "db.r6g.xlarge".into(),
                status: "available".into(),
                pending_class: None,
                is_replica: false,
            }),
            replicas: vec![DbInstance {
                id: "agentos-replica-1".into(),
                class: "db.r6g.xlarge".into(),
                status: "modifying".into(),
                pending_class: Some("db.r6g.2xlarge".into()),
                is_replica: true,
            }],
            missing: Vec::new(),
        })));
    }
    b
}

fn app(theme: &str) -> App {
    App::new(
        board(),
        Theme::load(theme, None).unwrap(),
        Keymap::load("default", None).unwrap(),
        Mode::Demo { scenario: "test".into(), seed: 1, speed: 1.0 },
    )
}

fn render(app: &App, w: u16, h: u16) -> ratatui::buffer::Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| cockpit::ui::view::draw(f, app)).unwrap();
    t.backend().buffer().clone()
}

fn text(buf: &ratatui::buffer::Buffer) -> String {
    let a = buf.area;
    (0..a.height).map(|y| (0..a.width).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n").collect()
}

#[test]
fn never_panics_at_any_size_in_any_state() {
    let mut a = app("dark");
    a.actions = vec![("scale-api".into(), "Scale API pods".into())];
    let sizes: Vec<(u16, u16)> = (0..=24u16)
        .flat_map(|w| (0..=8u16).map(move |h| (w * 10, h * 10)))
        .chain([(20, 5), (1, 1), (80, 24), (200, 60), (500, 150)])
        .collect();
    for popup in [None, Some(Command::Help), Some(Command::ActionsMenu)] {
        for zoom in [false, true] {
            for focus in PaneId::ALL {
                a.popup = None;
                a.zoom = zoom;
                a.focus = focus;
                if let Some(c) = &popup {
                    a.command(c.clone());
                }
                for &(w, h) in &sizes {
                    let buf = render(&a, w, h);
                    assert_eq!(buf.area.width, w);
                }
            }
        }
    }
}

#[test]
fn levels_read_the_same_in_monochrome() {
    let a = app("mono");
    let s = text(&render(&a, 200, 60));
    // The queue is past the critical bound, the API p99 too: symbol and word, no colour needed.
    assert!(s.contains("✖ CRIT"), "{s}");
    assert!(s.contains("Queue depth"), "{s}");
    assert!(s.contains("▲ WARN") || s.contains("▲"), "{s}");
    let buf = render(&a, 200, 60);
    for y in 0..60 {
        for x in 0..200 {
            let c = &buf[(x, y)];
            assert!(c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset, "colour at {x},{y}");
        }
    }
}

#[test]
fn a_stale_source_is_shown_with_its_reason_and_age() {
    let mut a = app("dark");
    a.ingest(SourceUpdate {
        source: SourceId::Redis,
        at: 120.0,
        result: Err(SourceFailure::new(FailureKind::Refused, "127.0.0.1:6379")),
    });
    let s = text(&render(&a, 200, 60));
    assert!(s.contains("redis stale (last good 31s ago): connection refused"), "{s}");
    assert!(s.contains("redis~STALE"), "header shows the source as stale: {s}");
    // Kubernetes-fed values are not stale.
    assert!(!a.board.reading(MetricId::WorkerCpu).stale);
}

/// A tool, not a test: `cargo test --test ui_render print_screens -- --ignored --nocapture`.
#[test]
#[ignore = "prints screens to read them; asserts nothing"]
fn print_screens() {
    let a = app("dark");
    for (w, h) in [(80, 24), (120, 36), (200, 60)] {
        println!("{}", text(&render(&a, w, h)));
    }
}

#[test]
fn compact_layout_lists_every_pane_with_its_level() {
    let a = app("dark");
    let s = text(&render(&a, 80, 24));
    for name in ["1:Overview", "2:API", "3:Workers", "4:Cache", "5:DB", "6:Capacity", "7:Events"] {
        assert!(s.contains(name), "{name} missing:\n{s}");
    }
}

#[test]
fn times_are_local_clock_times_live_and_elapsed_in_the_demo() {
    use cockpit::ui::app::time_label;
    let epoch: jiff::Zoned = "2026-11-30T14:00:00+00:00[UTC]".parse().unwrap();
    assert_eq!(time_label(Some(&epoch), 90.0), "14:01:30");
    assert_eq!(time_label(None, 90.0), "00:01:30");
    assert_eq!(time_label(None, 3725.0), "01:02:05");
}
