//! `cockpit man`: the manual page (roff) on stdout: the top-level page followed by a section per
//! subcommand, so that one `cockpit.1` documents them all.

use crate::cli::Cli;
use clap::CommandFactory;
use std::io::Write;

/// The whole page.
pub fn page() -> std::io::Result<Vec<u8>> {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("cockpit {}", sub.get_name());
        let sub = sub.clone().bin_name(name.clone());
        // Each subcommand under a heading of its own, its sections as subsections.
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        let man = clap_mangen::Man::new(sub);
        let mut section = Vec::new();
        man.render_description_section(&mut section)?;
        man.render_synopsis_section(&mut section)?;
        man.render_options_section(&mut section)?;
        for line in String::from_utf8_lossy(&section).lines() {
            match line.strip_prefix(".SH ") {
                Some(title) => writeln!(out, ".SS {title}")?,
                None => writeln!(out, "{line}")?,
            }
        }
    }
    Ok(out)
}

pub fn run() -> anyhow::Result<i32> {
    std::io::stdout().lock().write_all(&page()?)?;
    Ok(super::EXIT_OK)
}
