//! An action's form: a few typed fields, prefilled from the board, edited with the form keys
//! (or set from command-line options by the same keys).

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum FieldValue {
    Number { value: u32, min: u32, max: u32 },
    Choice { options: Vec<String>, index: usize },
    Toggle(bool),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub key: &'static str,
    pub label: String,
    /// Why the value is what it is (the formula, the runbook's limit).
    pub help: String,
    pub value: FieldValue,
}

impl Field {
    pub fn number(key: &'static str, label: &str, value: u32, min: u32, max: u32, help: impl Into<String>) -> Self {
        let value = value.clamp(min, max.max(min));
        Field {
            key,
            label: label.into(),
            help: help.into(),
            value: FieldValue::Number { value, min, max: max.max(min) },
        }
    }
    pub fn choice(key: &'static str, label: &str, options: &[&str], selected: &str, help: impl Into<String>) -> Self {
        let index = options.iter().position(|o| *o == selected).unwrap_or(0);
        let options = options.iter().map(|o| o.to_string()).collect();
        Field { key, label: label.into(), help: help.into(), value: FieldValue::Choice { options, index } }
    }
    pub fn toggle(key: &'static str, label: &str, on: bool, help: impl Into<String>) -> Self {
        Field { key, label: label.into(), help: help.into(), value: FieldValue::Toggle(on) }
    }
    pub fn text(key: &'static str, label: &str, value: &str, help: impl Into<String>) -> Self {
        Field { key, label: label.into(), help: help.into(), value: FieldValue::Text(value.into()) }
    }

    /// The value as text: "10", "up", "yes", "4Gi".
    pub fn shown(&self) -> String {
        match &self.value {
            FieldValue::Number { value, .. } => value.to_string(),
            FieldValue::Choice { options, index } => options.get(*index).cloned().unwrap_or_default(),
            FieldValue::Toggle(b) => if *b { "yes" } else { "no" }.into(),
            FieldValue::Text(t) => t.clone(),
        }
    }

    /// Set from text, as a command-line option gives it.
    pub fn set(&mut self, text: &str) -> Result<(), String> {
        match &mut self.value {
            FieldValue::Number { value, min, max } => {
                let v: u32 = text
                    .trim()
                    .parse()
                    .map_err(|_| format!("{}: expected a whole number, found {text:?}", self.label))?;
                if v < *min || v > *max {
                    return Err(format!("{}: {v} is outside {min}..={max}", self.label));
                }
                *value = v;
            }
            FieldValue::Choice { options, index } => {
                *index = options
                    .iter()
                    .position(|o| o == text.trim())
                    .ok_or_else(|| format!("{}: expected one of {}, found {text:?}", self.label, options.join(", ")))?;
            }
            FieldValue::Toggle(b) => {
                *b = match text.trim() {
                    "yes" | "true" | "on" => true,
                    "no" | "false" | "off" => false,
                    _ => return Err(format!("{}: expected yes or no, found {text:?}", self.label)),
                }
            }
            FieldValue::Text(t) => *t = text.trim().to_string(),
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Lines shown above the fields: the formula, the current state.
    pub notes: Vec<String>,
    pub error: Option<String>,
    /// The focused field has been typed into since it got focus (typing replaces a number
    /// until then).
    #[serde(skip)]
    typed: bool,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Self {
        Form { fields, ..Form::default() }
    }
    pub fn note(mut self, n: impl Into<String>) -> Self {
        self.notes.push(n.into());
        self
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }
    pub fn number(&self, key: &str) -> Option<u32> {
        match self.field(key)?.value {
            FieldValue::Number { value, .. } => Some(value),
            _ => None,
        }
    }
    pub fn choice(&self, key: &str) -> Option<&str> {
        match &self.field(key)?.value {
            FieldValue::Choice { options, index } => options.get(*index).map(String::as_str),
            _ => None,
        }
    }
    pub fn toggle(&self, key: &str) -> bool {
        matches!(self.field(key).map(|f| &f.value), Some(FieldValue::Toggle(true)))
    }
    pub fn text(&self, key: &str) -> Option<&str> {
        match &self.field(key)?.value {
            FieldValue::Text(t) => Some(t.as_str()),
            _ => None,
        }
    }

    /// The values, for the plan and the journal.
    pub fn values(&self) -> BTreeMap<String, String> {
        self.fields.iter().map(|f| (f.key.to_string(), f.shown())).collect()
    }

    pub fn set(&mut self, key: &str, text: &str) -> Result<(), String> {
        let names: Vec<&str> = self.fields.iter().map(|f| f.key).collect();
        let f = self
            .field_mut(key)
            .ok_or_else(|| format!("no option {key} here (this action has: {})", names.join(", ")))?;
        f.set(text)
    }

    pub fn next(&mut self, delta: i32) {
        let n = self.fields.len().max(1) as i32;
        self.focus = (self.focus as i32 + delta).rem_euclid(n) as usize;
        self.typed = false;
    }

    /// Right/left: the next or previous choice, or ±1.
    pub fn step(&mut self, delta: i32) {
        self.error = None;
        let Some(f) = self.fields.get_mut(self.focus) else { return };
        match &mut f.value {
            FieldValue::Number { value, min, max } => {
                *value = (i64::from(*value) + i64::from(delta)).clamp(i64::from(*min), i64::from(*max)) as u32;
            }
            FieldValue::Choice { options, index } => {
                let n = options.len().max(1) as i32;
                *index = (*index as i32 + delta).rem_euclid(n) as usize;
            }
            FieldValue::Toggle(b) => *b = !*b,
            FieldValue::Text(_) => {}
        }
        self.typed = true;
    }

    pub fn toggle_focused(&mut self) {
        if let Some(Field { value: FieldValue::Toggle(b), .. }) = self.fields.get_mut(self.focus) {
            *b = !*b;
        }
    }

    /// A typed character (digits into numbers, anything into text; the UI edits text fields
    /// with a cursor, `ui::desk::Editor`).
    pub fn type_char(&mut self, c: char) {
        self.error = None;
        let fresh = !self.typed;
        self.typed = true;
        let Some(f) = self.fields.get_mut(self.focus) else { return };
        match &mut f.value {
            FieldValue::Number { value, .. } => {
                if let Some(d) = c.to_digit(10) {
                    let base = if fresh { 0 } else { *value };
                    *value = base.saturating_mul(10).saturating_add(d);
                }
            }
            // A prefilled text is added to, never wiped by the first key.
            FieldValue::Text(t) => t.push(c),
            FieldValue::Toggle(b) => match c {
                'y' => *b = true,
                'n' => *b = false,
                _ => {}
            },
            FieldValue::Choice { .. } => {}
        }
    }

    pub fn backspace(&mut self) {
        self.typed = true;
        let Some(f) = self.fields.get_mut(self.focus) else { return };
        match &mut f.value {
            FieldValue::Number { value, .. } => *value /= 10,
            FieldValue::Text(t) => {
                t.pop();
            }
            _ => {}
        }
    }

    /// Numbers typed out of range are refused here, before a plan is made.
    pub fn validate(&self) -> Result<(), String> {
        for f in &self.fields {
            match &f.value {
                FieldValue::Number { value, min, max } if value < min || value > max => {
                    return Err(format!("{}: {value} is outside {min}..={max}", f.label));
                }
                FieldValue::Text(t) if t.trim().is_empty() => return Err(format!("{}: empty", f.label)),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_replaces_then_appends_and_validates_range() {
        let mut f = Form::new(vec![Field::number("replicas", "Replicas", 10, 3, 50, "")]);
        f.type_char('2');
        f.type_char('0');
        assert_eq!(f.number("replicas"), Some(20));
        f.type_char('0');
        assert_eq!(f.number("replicas"), Some(200));
        assert!(f.validate().is_err());
        f.backspace();
        assert!(f.validate().is_ok());
        f.step(1);
        assert_eq!(f.number("replicas"), Some(21));
        assert!(f.set("replicas", "2").is_err());
        assert!(f.set("cpu", "2").is_err());
    }

    #[test]
    fn typing_into_a_prefilled_text_adds_to_it() {
        let mut f = Form::new(vec![Field::text("message", "Notify", "EMERGENCY SCALE", "")]);
        for c in ": INC 42 started".chars() {
            f.type_char(c);
        }
        assert_eq!(f.text("message"), Some("EMERGENCY SCALE: INC 42 started"));
    }
}
