//! The header and the emergency banner: what is never cut (the sources' health, the pause, the
//! worst level, the emergency conditions and the key that starts the procedure) and what
//! shortens by rule (the name, the mode, the live target).

use crate::config::keymap::{Command, Context, PaneId};
use crate::config::theme::Role;
use crate::model::units::clock;
use crate::model::{Board, Level, SourceId, SourceStatus};
use crate::ui::app::{App, Mode};
use crate::ui::panes::pane_level;
use crate::ui::widgets::{self, Piece, flow, width};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The runbook's emergency conditions that hold, each whole, and the key that starts the
/// emergency procedure, wrapped over as many lines as they need.
pub fn banner_lines(app: &App, board: &Board, w: u16) -> Vec<Line<'static>> {
    let reasons = board.emergency_reasons();
    if reasons.is_empty() {
        return Vec::new();
    }
    let t = &app.theme;
    let st = t.style(Role::Banner);
    // While an action runs, the banner says so rather than offering to start another.
    let running = app.desk.running().then(|| app.desk.run_view().map(|v| v.plan.action.clone())).flatten();
    // A viewer of the war room's stream acts from its own cockpit, not from here.
    let hint = match &running {
        Some(_) => None,
        None if matches!(app.mode, Mode::Watch(_)) => None,
        None => app.keymap.hint(Context::Dashboard, &Command::Start("emergency".into())),
    };
    let w = w as usize;
    let mut last = Vec::new();
    for (head, press) in [(" EMERGENCY (runbook):", "for emergency scaling"), (" EMERGENCY:", "to act")] {
        let mut pieces: Vec<Piece> = Vec::new();
        for (i, r) in reasons.iter().enumerate() {
            let sep = if i + 1 < reasons.len() { ";" } else { "" };
            pieces.push(vec![Span::styled(format!(" {r}{sep}"), st)]);
        }
        if let Some(k) = &hint {
            pieces.push(vec![Span::styled(format!(" · press {k} {press}"), st)]);
        }
        if let Some(action) = &running {
            pieces.push(vec![Span::styled(format!(" · {action} running"), st)]);
        }
        let lines = flow(vec![Span::styled(head.to_string(), st)], pieces, w, 1);
        if lines.len() <= 2 {
            return lines;
        }
        last = lines;
    }
    last
}

/// Each configured source's health, and each unconfigured one that leaves a threshold metric
/// blind: "k8s✓", "redis~STALE", "cw✓ 3 blind", "cw? 4 blind".
fn source_health(board: &Board) -> Vec<(String, Level)> {
    let blind = board.blind_spots();
    let mut out = Vec::new();
    for s in SourceId::ALL {
        let n = blind.iter().filter(|(id, _)| id.source() == s).count();
        let blind_words = if n > 0 { format!(" {n} blind") } else { String::new() };
        let (l, word) = match board.source_status(s) {
            SourceStatus::NotConfigured if n == 0 => continue,
            SourceStatus::NotConfigured => (Level::Unknown, blind_words),
            SourceStatus::Connecting => (Level::Unknown, "…".to_string()),
            SourceStatus::Live { .. } => (if n > 0 { Level::Unknown } else { Level::Ok }, blind_words),
            SourceStatus::Stale { .. } => (Level::Stale, "STALE".to_string()),
        };
        let sym =
            if matches!(board.source_status(s), SourceStatus::Live { .. }) { Level::Ok.symbol() } else { l.symbol() };
        out.push((format!("{}{sym}{word}", s.short()), l));
    }
    out
}

/// The live target in a few words: "kmock/production" for "kubernetes context kmock, namespace
/// production".
fn short_target(target: &str) -> String {
    let t = target.split(';').next().unwrap_or(target);
    if let Some(rest) = t.strip_prefix("kubernetes context ")
        && let Some((ctx, ns)) = rest.split_once(", namespace ")
    {
        return format!("{ctx}/{}", ns.trim());
    }
    if let Some(ns) = t.strip_prefix("kubernetes in-cluster, namespace ") {
        return format!("in-cluster/{}", ns.trim());
    }
    t.to_string()
}

/// A viewer's header: the stream, who publishes it, and how long ago it was heard.
fn watch_label(w: &crate::ui::app::WatchMode) -> (String, String) {
    let name = &w.feed.name;
    let heard = match w.feed.heard {
        Some(t) => {
            let ago = (crate::share::wall_now() - t).max(0.0);
            if ago < 1.5 { "now".to_string() } else { format!("{}s ago", ago.round() as u64) }
        }
        None => "not yet".into(),
    };
    match &w.feed.collector {
        Some(c) => (format!("WATCH {name} ← {c}, heard {heard}"), format!("WATCH {name} ({heard})")),
        None => (format!("WATCH {name}: waiting for a collector"), format!("WATCH {name}")),
    }
}

pub fn draw_header(f: &mut Frame, area: Rect, app: &App) {
    let board = app.view_board();
    let t = &app.theme;
    let w = area.width as usize;
    let (mode_long, mode_short) = match &app.mode {
        Mode::Demo { scenario, speed, .. } => (format!("DEMO {scenario} ×{speed}"), format!("{scenario} ×{speed}")),
        Mode::Live { target } => (target.clone(), short_target(target)),
        Mode::Watch(w) => watch_label(w),
        Mode::Drill { speed, .. } => (format!("DRILL ×{speed}"), "DRILL".to_string()),
    };
    let now = match &app.mode {
        Mode::Demo { .. } | Mode::Drill { .. } => format!("T+{}", clock(board.now)),
        Mode::Watch(w) if w.demo => format!("T+{}", clock(board.now)),
        Mode::Live { .. } | Mode::Watch(_) => jiff::Zoned::now().strftime("%H:%M:%S").to_string(),
    };
    // What is never cut: the sources' health, the pause, the worst level.
    let mut right: Vec<Span> = Vec::new();
    for (text, l) in source_health(board) {
        right.push(Span::styled(format!(" {text}"), t.level(l)));
    }
    if app.paused() {
        right.push(Span::styled("  ⏸ PAUSED", t.style(Role::Warn)));
    }
    let worst = PaneId::ALL.iter().filter_map(|p| pane_level(board, *p)).max().unwrap_or(Level::Unknown);
    right.push(Span::styled(format!("  {} {}", worst.symbol(), worst.word()), t.level(worst)));
    let right_w = widgets::flow::spans_width(&right);
    // The left shortens by rule until the whole line fits.
    let room = w.saturating_sub(right_w);
    let tail_room = room.saturating_sub(width(&now) + 2);
    let left: Vec<Span> = if width(&format!(" cockpit {mode_long} {now} ")) <= room {
        vec![
            Span::styled(" cockpit ", t.style(Role::Accent)),
            Span::styled(format!("{mode_long} {now} "), t.style(Role::Header)),
        ]
    } else if width(&format!(" {mode_long} {now} ")) <= room {
        vec![Span::styled(format!(" {mode_long} {now} "), t.style(Role::Header))]
    } else if width(&format!(" {mode_short} {now} ")) <= room {
        vec![Span::styled(format!(" {mode_short} {now} "), t.style(Role::Header))]
    } else if tail_room >= 12 {
        // A target longer than the room keeps its end (a cluster's name ends its ARN).
        let n = mode_short.chars().count();
        let keep: String = mode_short.chars().skip(n + 1 - tail_room.min(n + 1)).collect();
        vec![Span::styled(format!(" …{keep} {now} "), t.style(Role::Header))]
    } else if width(&now) + 2 <= room {
        vec![Span::styled(format!(" {now} "), t.style(Role::Header))]
    } else {
        Vec::new()
    };
    let mut spans = left;
    spans.extend(right);
    f.render_widget(Paragraph::new(Line::from(spans)).style(t.style(Role::Header)), area);
}
