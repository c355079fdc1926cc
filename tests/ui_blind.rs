//! What the screen says of what the cockpit cannot see: an RDS instance that was looked for and
//! not found is a row with its state, the setting that fixes it and the whole reason, never an
//! empty primary; the API rows without a load balancer read "not found".

use cockpit::config::keymap::{Keymap, PaneId};
use cockpit::config::theme::Theme;
use cockpit::model::state::{CloudState, RdsState, SourceData};
use cockpit::model::{Board, BoardSettings, Gap, GapKind, MetricId, SourceId, SourceUpdate};
use cockpit::ui::app::{App, Mode};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const REASON: &str = "DATABASE_URL's host db.internal is the endpoint of no RDS instance in us-east-1, and no \
                      instance has the runbook's name agentos-primary";

fn board() -> Board {
    let mut b = Board::new(BoardSettings::default(), &SourceId::ALL);
    let lb = Gap::new(GapKind::NotFound, "no Ingress or LoadBalancer Service for api-server in production")
        .setting("aws.load_balancer");
    let db = Gap::new(GapKind::NotFound, REASON).setting("aws.rds_primary");
    let cloud = CloudState {
        gaps: [(MetricId::ApiP99, lb.clone()), (MetricId::ApiErrorRate, lb), (MetricId::DbCpu, db.clone())].into(),
        ..Default::default()
    };
    let rds = RdsState { primary: None, replicas: Vec::new(), missing: vec![db] };
    for (source, data) in [(SourceId::CloudWatch, SourceData::CloudWatch(cloud)), (SourceId::Rds, SourceData::Rds(rds))]
    {
        b.ingest(SourceUpdate { source, at: 1.0, result: Ok(data) });
    }
    b
}

fn screen(focus: PaneId, w: u16, h: u16) -> String {
    let mut app = App::new(
        board(),
        Theme::load("dark", None).expect("theme"),
        Keymap::load("default", None).expect("keymap"),
        Mode::Demo { scenario: "test".into(), seed: 1, speed: 1.0 },
    );
    app.focus = focus;
    app.zoom = true;
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| cockpit::ui::view::draw(f, &app)).expect("draw");
    let buf = t.backend().buffer().clone();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n").collect()
}

#[test]
fn an_rds_primary_not_found_is_named_with_its_setting_and_whole_reason() {
    for (w, h) in [(80, 24), (200, 60)] {
        let s = screen(PaneId::Database, w, h);
        assert!(s.contains("RDS       ? N/A   not found (set aws.rds_primary)"), "{w}x{h}\n{s}");
        let inside = s.replace(['┃', '│'], " ");
        let words: String = inside.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains(REASON), "the whole reason at {w}x{h}\n{s}");
    }
}

#[test]
fn api_rows_without_a_load_balancer_read_not_found() {
    let s = screen(PaneId::Api, 80, 24);
    assert!(s.contains("p99       ? N/A   not found"), "{s}");
    assert!(s.contains("Errors    ? N/A   not found"), "{s}");
}
