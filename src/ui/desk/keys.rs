//! The action screen's keys, stage by stage: commands from the keymap, and the text a form
//! field or the confirmation word takes before the keymap sees the key.

use super::{Desk, Editor, FormView, Outer, Pager, PlanView, ResumeView, RunView, Stage};
use crate::actions::FieldValue;
use crate::actions::journal::Unfinished;
use crate::actions::step::Plan;
use crate::config::keymap::Command;
use crate::model::Level;
use crate::model::timeline::Category;
use crate::ui::app::Effect;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

impl Desk {
    /// A command of the keymap, in the action screen's context.
    pub fn command(&mut self, cmd: Command, out: &mut Outer) {
        self.stage = match std::mem::replace(&mut self.stage, Stage::Closed) {
            Stage::Closed => Stage::Closed,
            Stage::Resume(v) => self.resume_cmd(v, cmd, out),
            Stage::Form(v) => self.form_cmd(v, cmd, out),
            Stage::Planning(mut v) => match cmd {
                Command::Close | Command::Abort => {
                    self.seq += 1;
                    Stage::Form(v)
                }
                c if v.pager.scroll(&c) => Stage::Planning(v),
                _ => Stage::Planning(v),
            },
            Stage::Plan(v) => self.plan_cmd(v, cmd, out),
            Stage::Run(v) => self.run_cmd(v, cmd, out),
        };
        if matches!(self.stage, Stage::Closed) {
            self.minimized = false;
        }
    }

    fn form_cmd(&mut self, mut v: Box<FormView>, cmd: Command, out: &mut Outer) -> Stage {
        match cmd {
            Command::NextField | Command::Down | Command::PrevField | Command::Up => {
                let d = if matches!(cmd, Command::NextField | Command::Down) { 1 } else { -1 };
                v.form.next(d);
                v.refocus();
            }
            Command::Increment | Command::Right | Command::Decrement | Command::Left => {
                let d = if matches!(cmd, Command::Increment | Command::Right) { 1 } else { -1 };
                v.form.step(d);
                v.pager.follow = true;
            }
            Command::Toggle => {
                v.form.toggle_focused();
                v.pager.follow = true;
            }
            Command::Confirm => match v.form.validate() {
                Ok(()) => {
                    v.form.error = None;
                    self.seq += 1;
                    let action = self.procs.get(v.proc).map(|p| p.name()).unwrap_or_default().to_string();
                    out.effects.push(Effect::Plan { seq: self.seq, action, form: v.form.clone() });
                    return Stage::Planning(v);
                }
                Err(e) => v.form.error = Some(e),
            },
            Command::Close | Command::Abort => return Stage::Closed,
            c => {
                v.pager.scroll(&c);
            }
        }
        Stage::Form(v)
    }

    fn plan_cmd(&mut self, mut v: Box<PlanView>, cmd: Command, out: &mut Outer) -> Stage {
        match cmd {
            Command::Confirm => {
                let refuse = if self.settings.read_only {
                    Some("read-only mode: this plan can be looked at, not run".to_string())
                } else if v.plan.blocked() {
                    Some("a finding blocks this plan: go back (Esc) and change the form".to_string())
                } else {
                    v.plan
                        .confirm_word
                        .as_ref()
                        .filter(|w| *w != v.word.value())
                        .map(|w| format!("type {w} to confirm"))
                };
                match refuse {
                    Some(m) => v.message = Some(m),
                    None => return self.start_run(v.plan, None, out),
                }
            }
            Command::Toggle => {
                self.dry_run = !self.dry_run;
                let m = if self.dry_run {
                    "server-side dry run: every write is validated by the server and nothing is stored"
                } else {
                    "dry run off: the plan will change the platform"
                };
                out.status(m, Level::Ok);
            }
            Command::Close | Command::Abort => {
                return match v.back {
                    Some(form) => Stage::Form(form),
                    None => Stage::Closed,
                };
            }
            c => {
                v.pager.scroll(&c);
            }
        }
        Stage::Plan(v)
    }

    fn resume_cmd(&mut self, mut v: ResumeView, cmd: Command, out: &mut Outer) -> Stage {
        let last = v.items.len().saturating_sub(1);
        match cmd {
            Command::Up | Command::Down => {
                v.selected = if cmd == Command::Up { v.selected.saturating_sub(1) } else { (v.selected + 1).min(last) };
                v.pager.follow = true;
            }
            Command::Confirm if v.selected < v.items.len() => {
                if self.settings.read_only {
                    out.status("read-only mode: an unfinished action cannot be resumed", Level::Warn);
                } else {
                    let u = v.items.remove(v.selected);
                    return self.start_run(u.plan.clone(), Some(u), out);
                }
            }
            Command::Abandon if v.selected < v.items.len() => {
                let cleanup = v.items[v.selected].cleanup_steps();
                if !cleanup.is_empty() {
                    // Abandoning runs the clean-up steps (drain's annotation removal...): a run.
                    if self.settings.read_only {
                        out.status(
                            format!("read-only mode: abandoning would run its clean-up ({})", cleanup.join("; ")),
                            Level::Warn,
                        );
                        return Stage::Resume(v);
                    }
                    let u = v.items.remove(v.selected);
                    let text = format!("{} ({}) abandoned: running its clean-up steps", u.action, u.id);
                    out.board.push_timeline(out.board.now, Category::Action, Level::Warn, text);
                    let plan = u.plan.clone();
                    out.effects.push(Effect::Abandon(Box::new(u)));
                    self.minimized = false;
                    return Stage::Run(Box::new(RunView::new(plan)));
                }
                let u = v.items.remove(v.selected);
                out.effects.push(Effect::Abandon(Box::new(u)));
                v.selected = v.selected.min(v.items.len().saturating_sub(1));
                if v.items.is_empty() {
                    return Stage::Closed;
                }
            }
            Command::Close | Command::Abort => {
                out.status(
                    "the unfinished action stays in the journal; it is offered again at the next start",
                    Level::Warn,
                );
                return Stage::Closed;
            }
            c => {
                v.pager.scroll(&c);
            }
        }
        Stage::Resume(v)
    }

    fn run_cmd(&mut self, mut v: Box<RunView>, cmd: Command, out: &mut Outer) -> Stage {
        if v.finished() {
            match cmd {
                Command::Close | Command::Abort | Command::Confirm => return Stage::Closed,
                Command::Undo => match v.rollback.take() {
                    Some(plan) => {
                        let word = Editor::default();
                        return Stage::Plan(Box::new(PlanView {
                            back: None,
                            plan,
                            word,
                            pager: Pager::default(),
                            message: None,
                        }));
                    }
                    None => out.status(
                        "nothing to undo here: the action ended well or applied nothing that can be put back",
                        Level::Warn,
                    ),
                },
                c => {
                    v.pager.scroll(&c);
                }
            }
            return Stage::Run(v);
        }
        match cmd {
            Command::Abort => {
                out.effects.push(Effect::Abort);
                v.abort_requested = true;
                out.status(format!("{}: aborting at the next safe point", v.plan.action), Level::Warn);
            }
            Command::HideAction => self.minimized = true,
            Command::ShowAction => self.minimized = false,
            Command::Close | Command::Confirm => out
                .status(format!("{} is running: it can be aborted at its next safe point", v.plan.action), Level::Warn),
            c => {
                v.pager.scroll(&c);
            }
        }
        Stage::Run(v)
    }

    fn start_run(&mut self, plan: Plan, resume: Option<Unfinished>, out: &mut Outer) -> Stage {
        let dry_run = self.dry_run && resume.is_none();
        let dry = if dry_run { " (server-side dry run)" } else { "" };
        let resumed = if resume.is_some() { " (resumed)" } else { "" };
        let text = format!("{} started{dry}{resumed}: {}", plan.action, plan.title);
        out.board.push_timeline(out.board.now, Category::Action, Level::Ok, text);
        out.effects.push(Effect::Run { plan: Box::new(plan.clone()), resume: resume.map(Box::new), dry_run });
        self.minimized = false;
        Stage::Run(Box::new(RunView::new(plan)))
    }

    /// Text a form field or the confirmation word takes before the keymap; false when the key
    /// is not theirs (it then goes to the keymap).
    pub fn text_key(&mut self, k: &KeyEvent) -> bool {
        match &mut self.stage {
            Stage::Form(v) => form_key(v, k),
            Stage::Plan(v) if v.plan.confirm_word.is_some() => {
                let took = v.word.word_key(k);
                if took {
                    v.message = None;
                }
                took
            }
            _ => false,
        }
    }

    /// Pasted text (bracketed paste): into the focused text or number field, or the word.
    pub fn paste(&mut self, text: &str) -> bool {
        match &mut self.stage {
            Stage::Form(v) => {
                if let Some(e) = v.editor.as_mut() {
                    e.paste(text);
                    v.commit();
                } else if matches!(v.form.fields.get(v.form.focus).map(|f| &f.value), Some(FieldValue::Number { .. })) {
                    text.chars().filter(char::is_ascii_digit).for_each(|c| v.form.type_char(c));
                } else {
                    return false;
                }
                true
            }
            Stage::Plan(v) if v.plan.confirm_word.is_some() => {
                v.word.paste(text.trim());
                v.message = None;
                true
            }
            _ => false,
        }
    }
}

/// The keys the focused field takes: a text field edits; a number takes digits and Backspace;
/// a yes/no field takes y and n.
fn form_key(v: &mut FormView, k: &KeyEvent) -> bool {
    if let Some(e) = v.editor.as_mut() {
        let took = e.key(k);
        if took {
            v.commit();
        }
        return took;
    }
    let plain = !k.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    let value = v.form.fields.get(v.form.focus).map(|f| &f.value);
    let took = match (value, k.code) {
        (Some(FieldValue::Number { .. }), KeyCode::Char(c)) if plain && c.is_ascii_digit() => {
            v.form.type_char(c);
            true
        }
        (Some(FieldValue::Number { .. }), KeyCode::Backspace) if plain => {
            v.form.backspace();
            true
        }
        (Some(FieldValue::Toggle(_)), KeyCode::Char(c @ ('y' | 'n'))) if plain => {
            v.form.type_char(c);
            true
        }
        _ => false,
    };
    if took {
        v.form.error = None;
        v.pager.follow = true;
    }
    took
}
