//! The desk's keys, stage by stage. Commands come from the keymap (via `Effect::ActionCommand`),
//! typed characters from `Effect::ActionKey`.

use super::{ActionDesk, Stage};
use crate::config::keymap::Command;
use crate::model::Level;
use crate::ui::app::App;
use crossterm::event::{KeyCode, KeyEvent};

impl ActionDesk {
    pub(super) fn command(&mut self, app: &mut App, cmd: Command) {
        app.dirty = true;
        match std::mem::replace(&mut self.stage, Stage::Closed) {
            Stage::Closed => {}
            Stage::Form { proc, mut form } => match cmd {
                Command::NextField | Command::Down => {
                    self.stage(app, Stage::Form { proc, form: with(form, |f| f.next(1)) })
                }
                Command::PrevField | Command::Up => {
                    self.stage(app, Stage::Form { proc, form: with(form, |f| f.next(-1)) })
                }
                Command::Increment | Command::Right => {
                    self.stage(app, Stage::Form { proc, form: with(form, |f| f.step(1)) })
                }
                Command::Decrement | Command::Left => {
                    self.stage(app, Stage::Form { proc, form: with(form, |f| f.step(-1)) })
                }
                Command::Toggle => self.stage(app, Stage::Form { proc, form: with(form, |f| f.toggle_focused()) }),
                Command::Confirm => match form.validate() {
                    Ok(()) => {
                        form.error = None;
                        self.start_planning(proc, form, app);
                        self.show(app);
                    }
                    Err(e) => {
                        form.error = Some(e);
                        self.stage(app, Stage::Form { proc, form });
                    }
                },
                Command::Close | Command::Abort => self.close(app),
                _ => self.stage(app, Stage::Form { proc, form }),
            },
            Stage::Planning { proc, form } => match cmd {
                Command::Close | Command::Abort => {
                    self.seq += 1;
                    self.stage(app, Stage::Form { proc, form });
                }
                _ => self.stage(app, Stage::Planning { proc, form }),
            },
            Stage::Plan { proc, form, plan, typed, scroll, .. } => match cmd {
                Command::Up | Command::Down => {
                    let scroll = if cmd == Command::Up { scroll.saturating_sub(1) } else { scroll + 1 };
                    self.stage(app, Stage::Plan { proc, form, plan, typed, scroll, message: None })
                }
                Command::Confirm => {
                    let refuse = if self.settings.read_only {
                        Some("read-only mode: this plan can be looked at, not run".to_string())
                    } else if plan.blocked() {
                        Some("a finding blocks this plan: go back (Esc) and change the form".to_string())
                    } else {
                        plan.confirm_word.as_ref().filter(|w| **w != typed).map(|w| format!("type {w} to confirm"))
                    };
                    match refuse {
                        Some(m) => self.stage(app, Stage::Plan { proc, form, plan, typed, scroll, message: Some(m) }),
                        None => self.start_run(app, *plan, None),
                    }
                }
                Command::Toggle => {
                    self.dry_run = !self.dry_run;
                    let m = if self.dry_run {
                        "server-side dry run: every write is validated by the server and nothing is stored"
                    } else {
                        "dry run off: the plan will change the platform"
                    };
                    self.stage(app, Stage::Plan { proc, form, plan, typed, scroll, message: None });
                    app.set_status(m, Level::Ok);
                }
                Command::Close | Command::Abort => match proc {
                    Some(proc) => self.stage(app, Stage::Form { proc, form }),
                    None => self.close(app),
                },
                _ => self.stage(app, Stage::Plan { proc, form, plan, typed, scroll, message: None }),
            },
            Stage::Resume { mut items, mut selected } => match cmd {
                Command::Up => {
                    selected = selected.saturating_sub(1);
                    self.stage(app, Stage::Resume { items, selected })
                }
                Command::Down => {
                    selected = (selected + 1).min(items.len().saturating_sub(1));
                    self.stage(app, Stage::Resume { items, selected })
                }
                Command::Confirm if selected < items.len() => {
                    if self.settings.read_only {
                        app.set_status("read-only mode: an unfinished action cannot be resumed", Level::Warn);
                        self.stage(app, Stage::Resume { items, selected });
                        return;
                    }
                    let u = items.remove(selected);
                    let plan = u.plan.clone();
                    self.start_run(app, plan, Some(u));
                }
                Command::Close | Command::Abort => {
                    app.set_status(
                        "the unfinished action stays in the journal; it is offered again at the next start",
                        Level::Warn,
                    );
                    self.close(app);
                }
                _ => self.stage(app, Stage::Resume { items, selected }),
            },
            Stage::Run(mut v) => {
                match cmd {
                    Command::Abort if !v.finished() => {
                        v.abort.abort();
                        v.abort_requested = true;
                        app.set_status(format!("{}: aborting at the next safe point", v.plan.action), Level::Warn);
                    }
                    Command::Close | Command::Abort | Command::Confirm if v.finished() => return self.close(app),
                    Command::Close | Command::Confirm => app.set_status(
                        format!("{} is running: Esc aborts it at the next safe point", v.plan.action),
                        Level::Warn,
                    ),
                    Command::Up => v.scroll = v.scroll.saturating_sub(1),
                    Command::Down => v.scroll += 1,
                    Command::Quit if v.finished() || v.quit_armed => app.quit = true,
                    Command::Quit => {
                        v.quit_armed = true;
                        app.set_status(
                            "an action is running: q again quits (it is journaled and offered for resume at the next start), Esc aborts",
                            Level::Warn,
                        );
                    }
                    _ => {}
                }
                self.stage(app, Stage::Run(v));
            }
        }
    }

    fn stage(&mut self, app: &mut App, s: Stage) {
        self.stage = s;
        self.show(app);
    }

    /// Typed input: form fields, the confirmation word, abandon in the resume popup.
    pub(super) fn key(&mut self, app: &mut App, k: KeyEvent) {
        app.dirty = true;
        match (&mut self.stage, k.code) {
            (Stage::Form { form, .. }, KeyCode::Char(c)) => form.type_char(c),
            (Stage::Form { form, .. }, KeyCode::Backspace) => form.backspace(),
            (Stage::Plan { typed, message, .. }, KeyCode::Char(c)) => {
                typed.push(c);
                *message = None;
            }
            (Stage::Plan { typed, .. }, KeyCode::Backspace) => {
                typed.pop();
            }
            (Stage::Run(v), KeyCode::Char('u')) if v.finished() && v.rollback.is_some() => {
                if let Some(plan) = v.rollback.take() {
                    let plan = Box::new(plan);
                    self.stage = Stage::Plan {
                        proc: None,
                        form: Default::default(),
                        plan,
                        typed: String::new(),
                        scroll: 0,
                        message: None,
                    };
                    self.show(app);
                }
            }
            (Stage::Resume { items, selected }, KeyCode::Char('a')) if *selected < items.len() => {
                let u = items.remove(*selected);
                let who = super::super::journal::Who::local(self.platform.identity());
                match super::super::journal::abandon(&u, who, self.platform.now()) {
                    Ok(()) => app.set_status(format!("{} ({}) abandoned", u.action, u.id), Level::Ok),
                    Err(e) => app.set_status(e.to_string(), Level::Crit),
                }
                *selected = (*selected).min(items.len().saturating_sub(1));
                if items.is_empty() {
                    self.close(app);
                }
            }
            _ => {}
        }
    }
}

fn with(
    mut f: crate::actions::form::Form,
    op: impl FnOnce(&mut crate::actions::form::Form),
) -> crate::actions::form::Form {
    op(&mut f);
    f
}
