//! A one-line text editor for the action forms and the typed confirmation word: a cursor,
//! Left/Right/Home/End, Backspace/Delete, word moves, paste, wide characters. The editing is
//! `tui-input`'s; which keys edit, and how the text is laid out around the cursor, is here.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Default)]
pub struct Editor {
    input: Input,
}

impl Editor {
    /// Editing `value`, the cursor after its last character (a prefilled value is kept).
    pub fn new(value: &str) -> Self {
        Editor { input: Input::new(value.to_string()) }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// The cursor's column from the start of the text (wide characters count two).
    pub fn cursor_col(&self) -> usize {
        self.input.visual_cursor()
    }

    /// Edit with a key of a text field; false if it is not an editing key (Tab, Enter, Esc,
    /// Up, Down… are the form's).
    pub fn key(&mut self, k: &KeyEvent) -> bool {
        match request(k, true) {
            Some(r) => {
                self.input.handle(r);
                true
            }
            None => false,
        }
    }

    /// Edit with a key of the typed confirmation word: characters, Backspace, Delete and the
    /// cursor moves by one; Space (the plan's dry-run toggle; a word has none), Home/End and
    /// the rest stay with the plan.
    pub fn word_key(&mut self, k: &KeyEvent) -> bool {
        if k.code == KeyCode::Char(' ') {
            return false;
        }
        match request(k, false) {
            Some(r) => {
                self.input.handle(r);
                true
            }
            None => false,
        }
    }

    /// Pasted text, at the cursor: one line (line breaks and tabs become spaces, other
    /// control characters are dropped).
    pub fn paste(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n");
        for c in text.chars() {
            let c = if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c };
            if !c.is_control() {
                self.input.handle(InputRequest::InsertChar(c));
            }
        }
    }

    /// What fits in `width` columns around the cursor: the text shown and the cursor's column
    /// in it. The cursor always has a cell of its own (at the end of the text too), and a wide
    /// character is never split.
    pub fn window(&self, width: usize) -> (String, usize) {
        if width == 0 {
            return (String::new(), 0);
        }
        let skip = self.input.visual_scroll(width - 1);
        let mut shown = String::new();
        let (mut col, mut used) = (0usize, 0usize);
        for g in self.value().graphemes(true) {
            let w = g.width();
            if col < skip {
                col += w;
                continue;
            }
            if used + w > width {
                break;
            }
            shown.push_str(g);
            used += w;
        }
        (shown, self.cursor_col().saturating_sub(skip).min(width - 1))
    }
}

impl Editor {
    /// The whole text in lines of `width` columns (broken between characters, never through
    /// a wide one), and the cursor's line and column: nothing of it is hidden while it is
    /// edited. The cursor has a cell of its own, on a line of its own if the last one is full.
    pub fn lines(&self, width: usize) -> (Vec<String>, (usize, usize)) {
        let width = width.max(2);
        let cursor = self.input.cursor();
        let mut lines = vec![String::new()];
        let (mut used, mut chars) = (0usize, 0usize);
        let mut at = None;
        for g in self.value().graphemes(true) {
            let w = g.width();
            if used + w > width {
                lines.push(String::new());
                used = 0;
            }
            if at.is_none() && chars >= cursor {
                at = Some((lines.len() - 1, used));
            }
            if let Some(l) = lines.last_mut() {
                l.push_str(g);
            }
            used += w;
            chars += g.chars().count();
        }
        let at = at.unwrap_or_else(|| {
            if used >= width {
                lines.push(String::new());
                used = 0;
            }
            (lines.len() - 1, used)
        });
        (lines, at)
    }
}

fn request(k: &KeyEvent, line: bool) -> Option<InputRequest> {
    use InputRequest::*;
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let alt = k.modifiers.contains(KeyModifiers::ALT);
    let plain = !ctrl && !alt;
    Some(match k.code {
        // AltGr arrives as Ctrl+Alt on some terminals: it types a character too.
        KeyCode::Char(c) if !c.is_control() && (plain || (ctrl && alt)) => InsertChar(c),
        KeyCode::Backspace if plain => DeletePrevChar,
        KeyCode::Backspace if line => DeletePrevWord,
        KeyCode::Delete if plain => DeleteNextChar,
        KeyCode::Left if plain => GoToPrevChar,
        KeyCode::Right if plain => GoToNextChar,
        _ if !line => return None,
        KeyCode::Left if ctrl || alt => GoToPrevWord,
        KeyCode::Right if ctrl || alt => GoToNextWord,
        KeyCode::Home if plain => GoToStart,
        KeyCode::End if plain => GoToEnd,
        KeyCode::Char('a') if ctrl => GoToStart,
        KeyCode::Char('e') if ctrl => GoToEnd,
        KeyCode::Char('w') if ctrl => DeletePrevWord,
        KeyCode::Char('k') if ctrl => DeleteTillEnd,
        KeyCode::Char('u') if ctrl => DeleteFromStart,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(e: &mut Editor, text: &str) {
        for c in text.chars() {
            assert!(e.key(&key(KeyCode::Char(c))), "{c:?} is typed");
        }
    }

    #[test]
    fn a_prefilled_value_is_edited_not_replaced_and_spaces_are_typed() {
        let mut e = Editor::new("EMERGENCY SCALE");
        typed(&mut e, ": INC 42 started");
        assert_eq!(e.value(), "EMERGENCY SCALE: INC 42 started");
    }

    #[test]
    fn the_cursor_moves_and_edits_where_it_is() {
        let mut e = Editor::new("INC started");
        e.key(&key(KeyCode::Home));
        for _ in 0.."INC".len() {
            e.key(&key(KeyCode::Right));
        }
        typed(&mut e, " 42");
        assert_eq!(e.value(), "INC 42 started");
        e.key(&key(KeyCode::End));
        e.key(&key(KeyCode::Backspace));
        assert_eq!(e.value(), "INC 42 starte");
        e.key(&key(KeyCode::Home));
        e.key(&key(KeyCode::Delete));
        assert_eq!(e.value(), "NC 42 starte");
        e.key(&KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL));
        assert_eq!(e.value(), "", "Ctrl-K deletes to the end");
        assert!(!e.key(&key(KeyCode::Tab)) && !e.key(&key(KeyCode::Enter)) && !e.key(&key(KeyCode::Up)));
        assert!(!e.key(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), "Ctrl-C is not text");
    }

    #[test]
    fn paste_is_one_line_at_the_cursor() {
        let mut e = Editor::new("INC  started");
        e.key(&key(KeyCode::Home));
        for _ in 0..4 {
            e.key(&key(KeyCode::Right));
        }
        e.paste("42\r\nsev\t1\u{7}");
        assert_eq!(e.value(), "INC 42 sev 1 started");
    }

    #[test]
    fn wide_characters_take_two_columns_and_are_never_split() {
        let mut e = Editor::new("");
        typed(&mut e, "障害対応 ok");
        assert_eq!(e.cursor_col(), 11);
        let (shown, col) = e.window(6);
        // Scrolled by whole characters; the cursor has the cell after the text.
        assert_eq!((shown.as_str(), col), ("応 ok", 5));
        e.key(&key(KeyCode::Home));
        let (shown, col) = e.window(6);
        assert_eq!((shown.as_str(), col), ("障害対", 0));
        e.key(&key(KeyCode::Right));
        assert_eq!(e.cursor_col(), 2, "one character, two columns");
        e.key(&key(KeyCode::Backspace));
        assert_eq!(e.value(), "害対応 ok");
    }

    #[test]
    fn the_whole_text_is_laid_out_in_lines_with_the_cursor_in_them() {
        let mut e = Editor::new("EMERGENCY SCALE: INC 42");
        assert_eq!(e.lines(10), (vec!["EMERGENCY ".into(), "SCALE: INC".into(), " 42".into()], (2, 3)));
        e.key(&key(KeyCode::Home));
        assert_eq!(e.lines(10).1, (0, 0));
        for _ in 0..10 {
            e.key(&key(KeyCode::Right));
        }
        assert_eq!(e.lines(10).1, (1, 0), "the cursor on the first cell of the second line");
        let e = Editor::new("0123456789");
        assert_eq!(e.lines(10), (vec!["0123456789".into(), String::new()], (1, 0)), "a full line: the cursor below");
        let e = Editor::new("ab障害");
        assert_eq!(e.lines(5), (vec!["ab障".into(), "害".into()], (1, 2)), "a wide character is not split");
    }

    #[test]
    fn the_word_takes_characters_but_leaves_home_and_end_to_the_plan() {
        let mut e = Editor::new("");
        assert!(e.word_key(&key(KeyCode::Char('E'))));
        assert!(!e.word_key(&key(KeyCode::Home)) && !e.word_key(&key(KeyCode::End)));
        assert!(!e.word_key(&key(KeyCode::Char(' '))), "Space toggles the dry run");
        assert!(!e.word_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        assert!(e.word_key(&key(KeyCode::Backspace)));
        assert_eq!(e.value(), "");
    }
}
