//! `cockpit watch` as the engineer in the war room reads it: the header names the stream, the
//! collector and how long ago it was heard; the banner offers no action (a viewer acts only
//! from its own cockpit); action keys say so and send nothing; the wall shows the collector's
//! action with who runs it.

#[allow(unused_imports)]
mod cutoff;

use cockpit::config::keymap::Command;
use cockpit::model::timeline::Category;
use cockpit::model::*;
use cockpit::record::{Entry, Recorder, Sink};
use cockpit::share::feed::{FeedEvent, FeedStatus, Joined};
use cockpit::share::wire::{ActionLine, Hello};
use cockpit::sim::{Scenario, SimSettings, Simulator};
use cockpit::ui::app::{Mode, WatchMode};
use cutoff::*;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Memory(Arc<Mutex<Vec<Entry>>>);

impl Sink for Memory {
    fn write(&mut self, e: &Entry) -> std::io::Result<()> {
        self.0.lock().expect("lock").push(e.clone());
        Ok(())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a viewer gets when it joins 30 minutes into the incident.
fn joined(epoch: f64) -> Joined {
    let mut sim = Simulator::new(Scenario::Incident, 1, SimSettings::default());
    let mut board = Board::new(BoardSettings::default(), &SourceId::ALL);
    let mem = Memory::default();
    let mut rec = Recorder::new(Box::new(mem.clone()), Recorder::start_for(&board, "demo", "demo", epoch, 2.0));
    let mut latest = Vec::new();
    while sim.time() < 1800.0 {
        sim.advance(2.0);
        latest = sim
            .observe()
            .into_iter()
            .map(|d| SourceUpdate { source: d.source(), at: sim.time(), result: Ok(d) })
            .collect();
        for u in &latest {
            board.ingest(u.clone());
        }
        rec.observe(&board);
    }
    let history = mem.0.lock().expect("lock").clone();
    let hello = Hello {
        id: "ana@bastion pid 4242".into(),
        version: "test".into(),
        epoch,
        since: epoch,
        refresh_secs: 2.0,
        settings: BoardSettings::default(),
        configured: SourceId::ALL.to_vec(),
        target: "demo incident (seed 1)".into(),
        origin: "demo".into(),
    };
    Joined { hello, history, latest }
}

fn viewer() -> cockpit::ui::app::App {
    viewer_of(joined(cockpit::share::wall_now() - 1800.0))
}

fn viewer_of(joined: Joined) -> cockpit::ui::app::App {
    let mut a = app_of(Board::new(BoardSettings::default(), &[]));
    let feed = FeedStatus { name: "prod".into(), server: "redis://127.0.0.1:6379".into(), ..Default::default() };
    a.mode = Mode::Watch(WatchMode { feed: feed.clone(), demo: false });
    a.feed_event(FeedEvent::Joined(Box::new(joined)));
    let now = cockpit::share::wall_now();
    a.feed_event(FeedEvent::Status(FeedStatus {
        collector: Some("ana@bastion pid 4242".into()),
        heard: Some(now),
        ..feed
    }));
    a
}

#[test]
fn the_header_names_the_stream_and_its_collector_and_the_history_is_there_at_once() {
    let a = viewer();
    let wide = text_of(&a, 200, 60);
    assert!(wide.contains("WATCH prod ← ana@bastion pid 4242, heard now"), "{wide}");
    assert!(a.board.history(MetricId::QueueDepth).len() >= 600, "the sparklines hold the past at join");
    assert!(wide.contains("EMERGENCY (runbook):"), "{wide}");
    let narrow = text_of(&a, 80, 24);
    assert!(narrow.lines().next().is_some_and(|l| l.contains("WATCH prod")), "{narrow}");
    for s in [&wide, &narrow] {
        assert!(!s.contains("press E"), "a viewer is not offered the emergency action:\n{s}");
    }
}

#[test]
fn a_viewer_cannot_act_and_is_told_how() {
    let mut a = viewer();
    for cmd in [Command::Start("emergency".into()), Command::Start("scale-workers".into()), Command::ActionsMenu] {
        a.command(cmd.clone());
        assert!(a.effects.is_empty(), "{cmd:?} sends nothing");
        assert!(a.popup.is_none(), "{cmd:?} opens nothing");
        let (text, level) = a.status.clone().expect("a status");
        assert_eq!(level, Level::Warn);
        assert!(text.contains("watch is read-only") && text.contains("your own credentials"), "{text}");
    }
}

#[test]
fn the_wall_shows_the_collectors_action_with_who_runs_it() {
    let mut a = viewer();
    let at = a.board.now;
    for (dt, level, text) in [
        (0.0, Level::Ok, "emergency: started"),
        (5.0, Level::Ok, "emergency: Notify on-call: done"),
        (9.0, Level::Ok, "emergency: Pin the HPAs: done"),
    ] {
        a.feed_event(FeedEvent::Action(ActionLine { at: at + dt, level, text: text.into() }));
    }
    a.command(Command::Wall);
    let s = text_of(&a, 200, 60);
    assert!(s.contains("emergency: started · by ana@bastion pid 4242"), "{s}");
    assert!(s.contains("emergency: Pin the HPAs: done"), "{s}");
    assert!(a.board.timeline.iter().any(|e| e.category == Category::Action), "on the timeline too");
}

/// The collector's cockpit read the actions' Lease: the wall says who holds it, though the
/// action runs from a third cockpit that neither the collector nor the viewer started.
#[test]
fn the_wall_shows_who_holds_the_action_lock_as_the_collector_read_it() {
    use cockpit::model::lease::{LeaseHolder, LeaseView};
    let with_lease = |lease: LeaseView| {
        let mut j = joined(cockpit::share::wall_now() - 1800.0);
        for u in &mut j.latest {
            if let Ok(SourceData::Kube(k)) = &mut u.result {
                k.lease = lease.clone();
            }
        }
        let mut a = viewer_of(j);
        a.command(Command::Wall);
        a
    };
    let held = LeaseView::Held(LeaseHolder {
        holder: "bob@laptop · action 20261203T190026Z-1-0000-scale-api".into(),
        action: "scale-api".into(),
        since: 1700.0,
        since_wall: Some("2026-12-03T03:12:40Z".parse().expect("time")),
    });
    for (w, h) in [(200, 60), (120, 40)] {
        let s = text_of(&with_lease(held.clone()), w, h);
        // Wrapped at a word in a narrow box: read the action box (the left half) as words.
        let left: String = s.lines().map(|l| l.chars().take(usize::from(w / 2)).collect::<String>() + "\n").collect();
        let words = left.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains("Lock held by bob@laptop (scale-api) since 2026-12-03T"), "{w}x{h}\n{s}");
        assert!(!s.contains("0000-scale-api"), "the action's id is the journal's, not the wall's\n{s}");
    }
    let s = text_of(&with_lease(LeaseView::Free), 200, 60);
    assert!(s.contains("Lock free: no guided action runs"), "{s}");
    let forbidden =
        LeaseView::Unknown { reason: "may not read Lease cockpit-actions: the cockpit-read Role needs get".into() };
    let s = text_of(&with_lease(forbidden), 200, 60);
    assert!(s.contains("Lock unknown: may not read Lease cockpit-actions"), "{s}");
}
