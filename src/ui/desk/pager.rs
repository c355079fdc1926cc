//! Where a popup is scrolled to. Keys move from what the last frame showed (so a page is the
//! popup's real height, and End then Up moves one line up from the end); drawing places the
//! offset within the text, keeping a given range (the focused field) in view when asked.

use crate::config::keymap::Command;
use std::cell::Cell;

#[derive(Debug)]
pub struct Pager {
    offset: usize,
    /// Keep `place`'s range in view (the focused field) until the reader scrolls away.
    pub follow: bool,
    /// What the last frame showed: its offset, its text height, the largest offset.
    shown: Cell<usize>,
    height: Cell<usize>,
    limit: Cell<usize>,
}

impl Default for Pager {
    fn default() -> Self {
        Pager { offset: 0, follow: true, shown: Cell::new(0), height: Cell::new(0), limit: Cell::new(usize::MAX / 2) }
    }
}

impl Pager {
    /// Scroll for Up, Down, PageUp, PageDown, Top, Bottom; false for any other command.
    pub fn scroll(&mut self, cmd: &Command) -> bool {
        let base = self.shown.get();
        let page = self.height.get().saturating_sub(1).max(1);
        self.offset = match cmd {
            Command::Up => base.saturating_sub(1),
            Command::Down => base.saturating_add(1),
            Command::PageUp => base.saturating_sub(page),
            Command::PageDown => base.saturating_add(page),
            Command::Top => 0,
            Command::Bottom => usize::MAX / 2,
            _ => return false,
        }
        .min(self.limit.get());
        self.shown.set(self.offset);
        self.follow = false;
        true
    }

    /// The first line to show of `total` lines in `height` rows; with `follow`, `keep` (a range
    /// of lines, end exclusive) is brought into view.
    pub fn place(&self, total: usize, height: usize, keep: Option<(usize, usize)>) -> usize {
        let limit = total.saturating_sub(height);
        let mut off = self.offset.min(limit);
        if let (true, Some((start, end))) = (self.follow, keep) {
            if start < off {
                off = start;
            } else if end > off + height {
                off = end.saturating_sub(height).min(start);
            }
        }
        self.shown.set(off);
        self.height.set(height);
        self.limit.set(limit);
        off
    }

    /// The offset of the last frame.
    pub fn shown(&self) -> usize {
        self.shown.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_the_height_shown_and_ends_are_one_key_away() {
        let mut p = Pager::default();
        assert_eq!(p.place(100, 20, None), 0);
        p.scroll(&Command::PageDown);
        assert_eq!(p.place(100, 20, None), 19, "a page keeps one line of the previous one");
        p.scroll(&Command::Bottom);
        assert_eq!(p.place(100, 20, None), 80);
        p.scroll(&Command::Up);
        assert_eq!(p.place(100, 20, None), 79, "up from the end moves one line");
        p.scroll(&Command::Top);
        assert_eq!(p.place(100, 20, None), 0);
        p.scroll(&Command::Up);
        assert_eq!(p.place(100, 20, None), 0);
        assert!(!p.scroll(&Command::Confirm));
    }

    #[test]
    fn the_focused_range_is_kept_in_view_until_the_reader_scrolls() {
        let mut p = Pager::default();
        assert_eq!(p.place(50, 10, Some((30, 33))), 23);
        assert_eq!(p.place(50, 10, Some((2, 3))), 0);
        p.scroll(&Command::PageDown);
        assert_eq!(p.place(50, 10, Some((2, 3))), 9, "scrolled away from the focus");
        p.follow = true;
        assert_eq!(p.place(50, 10, Some((2, 3))), 2);
    }
}
