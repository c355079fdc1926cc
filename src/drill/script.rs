//! Keystroke scripts: one line a key (or a typed text) at a time of the drill's simulated clock.
//!
//! ```text
//! # comment
//! 2m30s E            a key: a character, or Enter, Esc, Tab, S-Tab, Up, Down, Left, Right,
//! 2m31s "EMERGENCY"  Space, Backspace, Home, End, PageUp, PageDown, C-c
//! 3m    Enter        text in double quotes is typed a character at a time
//! 4m    :kubectl scale deployment/agent-worker --replicas=40   a command at the kubectl prompt
//! 40m   end          ends the drill (the debrief), as the end key does on a terminal
//! ```

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Key(KeyEvent),
    /// A line typed at the drill's kubectl prompt (`:` opens it on a terminal).
    Command(String),
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Simulated seconds since the start of the drill.
    pub t: f64,
    pub input: Input,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ScriptError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// "2m30s", "90s", "1h", "0": seconds.
pub fn parse_duration(s: &str) -> Option<f64> {
    if s == "0" {
        return Some(0.0);
    }
    let (mut total, mut num, mut any) = (0.0, String::new(), false);
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return None,
        };
        total += num.parse::<f64>().ok()? * unit;
        num.clear();
        any = true;
    }
    (num.is_empty() && any && total.is_finite()).then_some(total)
}

fn key(token: &str) -> Option<KeyEvent> {
    let plain = |c| Some(KeyEvent::new(c, KeyModifiers::NONE));
    match token {
        "Enter" => plain(KeyCode::Enter),
        "Esc" => plain(KeyCode::Esc),
        "Tab" => plain(KeyCode::Tab),
        "S-Tab" => Some(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        "Up" => plain(KeyCode::Up),
        "Down" => plain(KeyCode::Down),
        "Left" => plain(KeyCode::Left),
        "Right" => plain(KeyCode::Right),
        "Space" => plain(KeyCode::Char(' ')),
        "Backspace" => plain(KeyCode::Backspace),
        "Home" => plain(KeyCode::Home),
        "End" => plain(KeyCode::End),
        "PageUp" => plain(KeyCode::PageUp),
        "PageDown" => plain(KeyCode::PageDown),
        "C-c" => Some(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        t => {
            let mut cs = t.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => plain(KeyCode::Char(c)),
                _ => None,
            }
        }
    }
}

/// Parse a script; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Vec<Line>, ScriptError> {
    let mut out = Vec::new();
    let mut last = 0.0;
    for (i, raw) in text.lines().enumerate() {
        let err = |column: usize, message: String| ScriptError { file: file.to_string(), line: i + 1, column, message };
        let body = raw.trim_start();
        let indent = raw.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let (stamp, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        let t = parse_duration(stamp)
            .ok_or_else(|| err(indent + 1, format!("{stamp:?} is not a time (e.g. 2m30s, 90s, 1h)")))?;
        if t < last {
            return Err(err(indent + 1, format!("{stamp} is before the line above ({}s)", last)));
        }
        last = t;
        let rest_trim = rest.trim_start();
        let col = indent + stamp.len() + (rest.len() - rest_trim.len()) + 2;
        let token = rest_trim.split(" #").next().unwrap_or("").trim_end();
        if token.is_empty() {
            return Err(err(col, "a key is missing after the time".into()));
        }
        if let Some(text) = token.strip_prefix('"') {
            let text = text.strip_suffix('"').ok_or_else(|| err(col, "the text's closing \" is missing".into()))?;
            for c in text.chars() {
                out.push(Line { t, input: Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)) });
            }
        } else if let Some(cmd) = token.strip_prefix(':') {
            out.push(Line { t, input: Input::Command(cmd.trim().to_string()) });
        } else if token == "end" {
            out.push(Line { t, input: Input::End });
        } else {
            let k = key(token).ok_or_else(|| err(col, format!("unknown key {token:?}")))?;
            out.push(Line { t, input: Input::Key(k) });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2m30s"), Some(150.0));
        assert_eq!(parse_duration("90s"), Some(90.0));
        assert_eq!(parse_duration("1h2m"), Some(3720.0));
        assert_eq!(parse_duration("0"), Some(0.0));
        assert_eq!(parse_duration("12"), None);
        assert_eq!(parse_duration("2x"), None);
    }

    #[test]
    fn lines_keys_text_and_errors_with_their_place() {
        let s = parse("# drill\n2m30s E\n2m31s \"EM\"\n3m Enter # go\n40m end\n", "x.drill").expect("parse");
        assert_eq!(s.len(), 5);
        assert_eq!(s[0].t, 150.0);
        assert_eq!(s[2].input, Input::Key(KeyEvent::new(KeyCode::Char('M'), KeyModifiers::NONE)));
        assert_eq!(s[4].input, Input::End);
        let e = parse("1m E\n  2m Bogus\n", "x.drill").expect_err("bad key");
        assert_eq!((e.line, e.column), (2, 6));
        assert!(e.to_string().starts_with("x.drill:2:6: unknown key"), "{e}");
        let e = parse("2m E\n1m E\n", "x.drill").expect_err("backwards");
        assert_eq!(e.line, 2);
        assert!(parse("soon E\n", "x").is_err());
    }
}
