//! `cockpit completions SHELL`: the shell's completion script on stdout, generated from the
//! command line's definition (subcommands, flags, the action names and `--direction`'s values).
//!
//! clap_complete's fish, PowerShell and elvish generators complete the values of options but
//! not of a positional argument; the ACTION of `plan` and `run` is added to their scripts here,
//! with each action's summary, so that every shell offers the action names.

use crate::cli::Cli;
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

/// The subcommands whose positional argument is an action name.
const ACTION_SUBCOMMANDS: &[&str] = &["plan", "run"];

/// The script for `shell`.
pub fn script(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "cockpit", &mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let actions: Vec<(&str, &str)> = crate::actions::registry::all().iter().map(|p| (p.name(), p.summary())).collect();
    match shell {
        Shell::Fish => fish(text, &actions),
        Shell::Elvish => insert_after(
            text,
            &actions,
            |sub| format!("&'cockpit;{sub}'= {{"),
            |name, help| format!("            cand {name} '{}'", help.replace('\'', "''")),
        ),
        Shell::PowerShell => insert_after(
            text,
            &actions,
            |sub| format!("'cockpit;{sub}' {{"),
            |name, help| {
                format!(
                    "            [CompletionResult]::new('{name}', '{name}', [CompletionResultType]::ParameterValue, '{}')",
                    help.replace('\'', "''")
                )
            },
        ),
        _ => text,
    }
}

fn fish(mut text: String, actions: &[(&str, &str)]) -> String {
    for sub in ACTION_SUBCOMMANDS {
        for (name, help) in actions {
            text.push_str(&format!(
                "complete -c cockpit -n \"__fish_cockpit_using_subcommand {sub}\" -f -a \"{name}\" -d '{}'\n",
                help.replace('\\', "\\\\").replace('\'', "\\'")
            ));
        }
    }
    text
}

/// Each action's line after the line that opens the block of `plan` and of `run`.
fn insert_after(
    text: String,
    actions: &[(&str, &str)],
    header: impl Fn(&str) -> String,
    line: impl Fn(&str, &str) -> String,
) -> String {
    let headers: Vec<String> = ACTION_SUBCOMMANDS.iter().map(|s| header(s)).collect();
    let mut out = String::with_capacity(text.len() + 2048);
    for l in text.lines() {
        out.push_str(l);
        out.push('\n');
        if headers.iter().any(|h| l.trim() == h) {
            for (name, help) in actions {
                out.push_str(&line(name, help));
                out.push('\n');
            }
        }
    }
    out
}

pub fn run(shell: Shell) -> anyhow::Result<i32> {
    std::io::stdout().lock().write_all(script(shell).as_bytes())?;
    Ok(super::EXIT_OK)
}
