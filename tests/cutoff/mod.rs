//! Reading a drawn screen as an engineer does: the header, the banner, each pane's box (found
//! by its borders), its rows as it scrolls; and the expectations, computed from the board.

#![allow(dead_code)]

mod boards;

pub use boards::{bare_board, blind_board};

use cockpit::config::keymap::{Command, Context, Keymap, PaneId};
use cockpit::config::theme::Theme;
use cockpit::model::*;
use cockpit::sim::{Scenario, SimSettings, Simulator, run_for};
use cockpit::ui::app::{App, Mode, Scroll};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub fn app_of(board: Board) -> App {
    App::new(
        board,
        Theme::load("dark", None).unwrap(),
        Keymap::load("default", None).unwrap(),
        Mode::Demo { scenario: "test".into(), seed: 1, speed: 1.0 },
    )
}

pub fn demo_app(scenario: Scenario, secs: f64) -> App {
    let mut sim = Simulator::new(scenario, 1, SimSettings::default());
    let mut board = Board::new(BoardSettings::default(), &SourceId::ALL);
    run_for(&mut sim, &mut board, secs, 2.0);
    let mut a = app_of(board);
    a.mode = Mode::Demo { scenario: scenario.name().into(), seed: 1, speed: 1.0 };
    a
}

fn render(a: &App, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| cockpit::ui::view::draw(f, a)).unwrap();
    t.backend().buffer().clone()
}

/// The screen as text, one line per row, trailing blanks trimmed.
pub fn text_of(a: &App, w: u16, h: u16) -> String {
    let buf = render(a, w, h);
    (0..h).map(|y| row(&buf, y, 0, w).trim_end().to_string() + "\n").collect()
}

/// The text of one pane, zoomed to a screen of `w`x`h`.
pub fn zoomed(a: &mut App, p: PaneId, w: u16, h: u16) -> String {
    let (zoom, focus) = (a.zoom, a.focus);
    a.zoom = true;
    a.focus = p;
    let s = text_of(a, w, h);
    a.zoom = zoom;
    a.focus = focus;
    s
}

fn row(buf: &Buffer, y: u16, x0: u16, x1: u16) -> String {
    (x0..x1).map(|x| buf[(x, y)].symbol()).collect()
}

/// A pane's box on the screen: its outer rect and its title line.
#[derive(Debug, Clone)]
pub struct PaneBox {
    pub pane: PaneId,
    pub rect: Rect,
    pub title: String,
}

fn pane_of(title: &str) -> Option<PaneId> {
    let t = title.trim_start_matches(['─', '━', ' ']);
    [
        ("Overview", PaneId::Overview),
        ("API pods", PaneId::Api),
        ("Workers", PaneId::Workers),
        ("Cache", PaneId::Cache),
        ("Database", PaneId::Database),
        ("Capacity", PaneId::Capacity),
        ("Events", PaneId::Events),
    ]
    .into_iter()
    .find(|(n, _)| t.starts_with(n))
    .map(|(_, p)| p)
}

/// The panes' boxes, found by their corners.
pub fn boxes(buf: &Buffer) -> Vec<PaneBox> {
    let a = buf.area;
    let mut out = Vec::new();
    for y in 0..a.height {
        for x in 0..a.width {
            if !matches!(buf[(x, y)].symbol(), "┌" | "┏") {
                continue;
            }
            let Some(x2) = (x + 1..a.width).find(|&x2| matches!(buf[(x2, y)].symbol(), "┐" | "┓")) else {
                continue;
            };
            let Some(y2) = (y + 1..a.height).find(|&y2| matches!(buf[(x, y2)].symbol(), "└" | "┗")) else {
                continue;
            };
            let title = row(buf, y, x + 1, x2);
            if let Some(pane) = pane_of(&title) {
                out.push(PaneBox { pane, rect: Rect { x, y, width: x2 - x + 1, height: y2 - y + 1 }, title });
            }
        }
    }
    out
}

fn inner_rows(buf: &Buffer, r: Rect) -> Vec<String> {
    (r.y + 1..r.bottom() - 1).map(|y| row(buf, y, r.x + 1, r.right() - 1)).collect()
}

/// What a check saw, for the callers' own assertions.
pub struct Screen {
    pub text: String,
    pub header: String,
}

const BADGES: [(Level, &str); 5] = [
    (Level::Ok, "✓ OK"),
    (Level::Unknown, "? N/A"),
    (Level::Stale, "~ STALE"),
    (Level::Warn, "▲ WARN"),
    (Level::Crit, "✖ CRIT"),
];

pub fn badge(l: Level) -> String {
    format!("{} {}", l.symbol(), l.word())
}

fn is_left(c: Option<char>) -> bool {
    c.is_none_or(|c| c == ' ' || c == '(')
}

fn is_right(c: Option<char>) -> bool {
    c.is_none_or(|c| matches!(c, ' ' | ')' | ',' | ';' | ':'))
}

/// True when `tok` appears whole in one row: not glued to other text on either side.
pub fn has_token(rows: &[String], tok: &str) -> bool {
    rows.iter().any(|r| token_at(r, tok).is_some())
}

fn token_at(r: &str, tok: &str) -> Option<usize> {
    r.match_indices(tok)
        .find(|(i, _)| is_left(r[..*i].chars().next_back()) && is_right(r[i + tok.len()..].chars().next()))
        .map(|(i, _)| i)
}

/// True when one row holds `first` and, after it, `then` whole.
pub fn has_after(rows: &[String], first: &str, then: &str) -> bool {
    rows.iter().any(|r| {
        r.match_indices(first)
            .filter(|(i, _)| is_right(r[i + first.len()..].chars().next()))
            .any(|(i, _)| token_at(&r[i + first.len()..], then).is_some())
    })
}

/// The levels a row shows: its badges, and symbols standing alone before words.
fn levels_in(r: &str) -> Vec<Level> {
    let mut out: Vec<Level> = BADGES.iter().filter(|(_, b)| r.contains(b)).map(|(l, _)| *l).collect();
    for (l, sym) in [(Level::Warn, "▲ "), (Level::Crit, "✖ "), (Level::Stale, "~ ")] {
        if r.match_indices(sym).any(|(i, _)| is_left(r[..i].chars().next_back())) {
            out.push(l);
        }
    }
    out
}

fn title_level(title: &str) -> Option<Level> {
    BADGES.iter().filter(|(_, b)| title.contains(b)).map(|(l, _)| *l).max()
}

fn kubectl_condition(c: &HpaCondition) -> (Level, String) {
    let status = if c.status { "True" } else { "False" };
    let l = match (c.kind.as_str(), c.status) {
        ("ScalingLimited", true) if c.reason == "TooFewReplicas" || c.reason == "ScaleDownLimit" => Level::Ok,
        ("ScalingLimited", true) => Level::Warn,
        ("ScalingLimited", false) => Level::Ok,
        (_, true) => Level::Ok,
        (_, false) => Level::Warn,
    };
    let unusual = if c.kind == "ScalingLimited" { c.status } else { !c.status };
    let text = if unusual && !c.reason.is_empty() {
        format!("{}={status}: {}", c.kind, c.reason)
    } else {
        format!("{}={status}", c.kind)
    };
    (l, text)
}

fn metrics(p: PaneId) -> &'static [MetricId] {
    use MetricId as M;
    match p {
        PaneId::Overview => &MetricId::KEY,
        PaneId::Api => &[M::ApiP99, M::ApiErrorRate, M::ApiCpu, M::ApiMemory, M::ApiRps],
        PaneId::Workers => {
            &[M::QueueDepth, M::AgentWait, M::InFlight, M::Throughput, M::DrainTime, M::WorkerCpu, M::WorkerMemory]
        }
        PaneId::Cache => &[M::RedisMemory, M::RedisClients, M::RedisHitRate, M::RedisOps],
        PaneId::Database => &[M::DbConnections, M::DbCpu, M::ReplicaLag, M::DbRoundTrip],
        PaneId::Capacity | PaneId::Events => &[],
    }
}

/// Every word of `text` appears whole among the rows.
fn all_words(rows: &[String], text: &str, what: &str, screen: &str) {
    for word in text.split_whitespace() {
        assert!(has_token(rows, word), "{what}: {word:?} of {text:?} is not whole:\n{screen}");
    }
}

/// The rows of a pane through all its scroll positions (Events: as it follows the newest).
fn scrolled_rows(a: &mut App, w: u16, h: u16, b: &PaneBox) -> Vec<String> {
    let saved = a.scroll.clone();
    let page = (b.rect.height.saturating_sub(2)).max(1) as usize;
    let mut rows: Vec<String> = Vec::new();
    let mut last: Option<Vec<String>> = None;
    for k in 0..40 {
        if b.pane != PaneId::Events {
            a.scroll.insert(b.pane, Scroll { offset: k * page, follow: false });
        }
        let buf = render(a, w, h);
        let Some(now) = boxes(&buf).into_iter().find(|x| x.pane == b.pane && x.rect == b.rect) else { break };
        let r = inner_rows(&buf, now.rect);
        if last.as_ref() == Some(&r) || b.pane == PaneId::Events {
            rows.extend(r);
            break;
        }
        rows.extend(r.iter().cloned());
        last = Some(r);
    }
    a.scroll = saved;
    rows
}

/// Draw `a` at `w`x`h` and check everything the screen shows against the board.
pub fn check_screen(a: &mut App, w: u16, h: u16, what: &str) -> Screen {
    let buf = render(a, w, h);
    let rows: Vec<String> = (0..h).map(|y| row(&buf, y, 0, w)).collect();
    let text = rows.iter().map(|r| r.trim_end().to_string() + "\n").collect::<String>();
    let board = a.view_board().clone();
    let header = rows[0].clone();

    // The header: each source's health, blind spots counted, the worst level whole.
    let blind = board.blind_spots();
    for s in SourceId::ALL {
        let n = blind.iter().filter(|(id, _)| id.source() == s).count();
        let blind_words = if n > 0 { format!(" {n} blind") } else { String::new() };
        let tok = match board.source_status(s) {
            SourceStatus::NotConfigured if n == 0 => continue,
            SourceStatus::NotConfigured => format!("{}?{blind_words}", s.short()),
            SourceStatus::Connecting => format!("{}?…", s.short()),
            SourceStatus::Live { .. } => format!("{}✓{blind_words}", s.short()),
            SourceStatus::Stale { .. } => format!("{}~STALE", s.short()),
        };
        assert!(has_token(std::slice::from_ref(&header), &tok), "{what}: the header lacks {tok:?}:\n{text}");
    }
    let header_level = title_level(&header).unwrap_or_else(|| panic!("{what}: no worst level in the header:\n{text}"));
    assert!(
        header.trim_end().ends_with(&badge(header_level)),
        "{what}: the worst level must end the header, whole:\n{text}"
    );

    // The banner: each emergency condition whole, and the key that starts the procedure.
    let reasons = board.emergency_reasons();
    let top: Vec<String> = rows.iter().skip(1).take(3).cloned().collect();
    for r in &reasons {
        assert!(top.iter().any(|row| row.contains(r.as_str())), "{what}: banner lacks {r:?} whole:\n{text}");
    }
    if !reasons.is_empty() {
        let k = a.keymap.hint(Context::Dashboard, &Command::Start("emergency".into())).unwrap();
        assert!(has_token(&top, &format!("press {k}")), "{what}: banner lacks the key:\n{text}");
    }

    // The tab line of the compact layout: every pane's level symbol.
    let mut shown_levels: Vec<Level> = Vec::new();
    if let Some(tabs) = rows.iter().find(|r| r.contains("1:Overview")) {
        for name in ["1:Overview", "2:API", "3:Workers", "4:Cache", "5:DB", "6:Capacity"] {
            let i = tabs.find(name).unwrap_or_else(|| panic!("{what}: tab {name} missing:\n{text}"));
            let sym = tabs[i + name.len()..].chars().next().unwrap();
            let l = [Level::Ok, Level::Unknown, Level::Stale, Level::Warn, Level::Crit]
                .into_iter()
                .find(|l| l.symbol().starts_with(sym))
                .unwrap_or_else(|| panic!("{what}: tab {name} has no level:\n{text}"));
            shown_levels.push(l);
        }
    }

    let found = boxes(&buf);
    for b in &found {
        let prows = scrolled_rows(a, w, h, b);
        let where_ = format!("{what}, pane {:?}", b.pane);
        check_pane(&board, a, b, &prows, &where_, &text);
        if let Some(l) = title_level(&b.title) {
            shown_levels.push(l);
        }
        if b.pane != PaneId::Database {
            for r in &prows {
                assert!(!r.contains('…'), "{where_}: cut with an ellipsis: {r:?}\n{text}");
            }
        }
    }
    for l in &shown_levels {
        assert!(header_level >= *l, "{what}: a pane shows {l:?}, the header only {header_level:?}:\n{text}");
    }
    if header_level.is_alarm() && !a.zoom {
        assert!(
            shown_levels.contains(&header_level),
            "{what}: the header's {header_level:?} is shown nowhere:\n{text}"
        );
    }
    for r in &rows {
        if !found.iter().any(|b| b.pane == PaneId::Database) {
            assert!(!r.contains('…'), "{what}: cut with an ellipsis: {r:?}\n{text}");
        }
    }
    Screen { text, header }
}

fn check_pane(board: &Board, a: &App, b: &PaneBox, rows: &[String], what: &str, screen: &str) {
    let show = format!("{screen}\n--- {what}, scrolled through:\n{}", rows.join("\n"));
    // The title's level is the worst of what the pane shows, and alarms only about what it shows.
    let row_max = rows.iter().flat_map(|r| levels_in(r)).max();
    match (b.pane, title_level(&b.title)) {
        (PaneId::Events, Some(l)) => panic!("{what}: the Events pane has no level, yet shows {l:?}:\n{show}"),
        (PaneId::Events, None) => {}
        (_, None) => panic!("{what}: no level in the title {:?}:\n{show}", b.title),
        (_, Some(l)) => {
            if let Some(m) = row_max {
                assert!(l >= m, "{what}: title {l:?} below a row's {m:?}:\n{show}");
            }
            if l.is_alarm() {
                assert!(
                    rows.iter().any(|r| levels_in(r).contains(&l)),
                    "{what}: title {l:?} but no row shows it:\n{show}"
                );
            }
        }
    }
    // Each metric: its level, word and symbol, next to its value, whole.
    for id in metrics(b.pane) {
        let r = board.reading(*id);
        let (l, v) = (r.counted_level(), r.formatted());
        assert!(has_after(rows, &badge(l), &v), "{what}: {id:?} should read {} {v}:\n{show}", badge(l));
    }
    let kube = board.state.kube.as_ref();
    let workload = match b.pane {
        PaneId::Api => Some(Workload::Api),
        PaneId::Workers => Some(Workload::Workers),
        _ => None,
    };
    if let (Some(w), Some(k)) = (workload, kube) {
        let ws = k.workload(w);
        if let Some(d) = &ws.deployment {
            assert!(has_token(rows, &format!("ready {}/{}", d.ready, d.desired)), "{what}: replicas:\n{show}");
        }
        if let Some(h) = &ws.hpa {
            assert!(has_token(rows, &format!("min {} max {}", h.min, h.max)), "{what}: HPA range:\n{show}");
            for c in &h.conditions {
                let (l, t) = kubectl_condition(c);
                let tok = format!("{} {t}", l.symbol());
                assert!(has_token(rows, &tok), "{what}: HPA condition {tok:?} as kubectl reads it:\n{show}");
            }
        }
        let p = &ws.pods;
        if p.restarts > 0 || p.oom_killed > 0 || p.pending > 0 || p.terminating > 0 {
            for tok in [
                format!("{} OOMKilled", p.oom_killed),
                format!("{} restarts", p.restarts),
                format!("{} pending", p.pending),
            ] {
                assert!(has_token(rows, &tok), "{what}: {tok:?}:\n{show}");
            }
        }
        for pr in &p.problems {
            assert!(has_token(rows, &pr.name), "{what}: pod {}:\n{show}", pr.name);
        }
    }
    if b.pane == PaneId::Cache
        && let Some(r) = &board.state.redis
    {
        let mem = if r.max_memory > 0 {
            format!("{} / {}", units::bytes(r.used_memory as f64), units::bytes(r.max_memory as f64))
        } else {
            format!("{} used", units::bytes(r.used_memory as f64))
        };
        assert!(has_token(rows, &mem), "{what}: memory {mem:?}:\n{show}");
        for (node, used) in &r.shard_memory {
            assert!(has_token(rows, node), "{what}: shard address {node:?} whole:\n{show}");
            assert!(has_token(rows, &units::bytes(*used as f64)), "{what}: shard {node} bytes:\n{show}");
        }
        if let Some(s) = &r.cluster_state {
            assert!(has_token(rows, &format!("state {s}")), "{what}: cluster state:\n{show}");
            assert!(has_token(rows, &format!("{} shards", r.shards)), "{what}: shards:\n{show}");
        }
    }
    if b.pane == PaneId::Database {
        if let Some(p) = &board.state.postgres {
            for tok in
                [format!("active {}", p.active()), format!("total {}", p.total), format!("max {}", p.max_connections)]
            {
                assert!(has_token(rows, &tok), "{what}: {tok:?}:\n{show}");
            }
        }
        if let Some(rds) = &board.state.rds {
            for i in rds.primary.iter().chain(rds.replicas.iter()) {
                for tok in [&i.id, &i.class, &i.status] {
                    assert!(has_token(rows, tok), "{what}: instance {} {tok:?} whole:\n{show}", i.id);
                }
                if let Some(c) = &i.pending_class {
                    assert!(has_token(rows, &format!("{c} pending")), "{what}: pending class:\n{show}");
                }
            }
        }
    }
    if b.pane == PaneId::Capacity && board.state.redis.is_some() {
        let plan = board.worker_plan();
        all_words(rows, &plan.plugged, what, &show);
        all_words(rows, &plan.arrivals, what, &show);
        let cur_w = board.current_replicas(Workload::Workers).unwrap_or(0);
        let cur_a = board.current_replicas(Workload::Api).unwrap_or(0);
        all_words(rows, &board.connection_plan(cur_a, cur_w).plugged, what, &show);
        assert!(has_token(rows, &format!("needed {}", plan.needed)) || has_token(rows, &plan.needed.to_string()));
    }
    if b.pane == PaneId::Events
        && let Some(e) = board.timeline.last()
    {
        let label = cockpit::ui::app::time_label(a.epoch.as_ref(), e.at);
        assert!(has_token(rows, &label), "{what}: the newest event's time:\n{show}");
        let text: Vec<&str> = e.text.split_whitespace().take_while(|w| !w.contains("&LabelSelector")).collect();
        all_words(rows, &text.join(" "), what, &show);
    }
}
