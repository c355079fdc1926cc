//! The agent task queue (`agent:queue:default`): FIFO, kept as per-second arrival buckets so
//! that real wait times are known and memory stays bounded by the backlog's age, not its size.

use std::collections::VecDeque;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskQueue {
    /// (arrival second, tasks), oldest at the front.
    buckets: VecDeque<(u64, u64)>,
    len: u64,
}

impl TaskQueue {
    pub fn len(&self) -> u64 {
        self.len
    }

    /// New tasks arriving at second `at`, at the back.
    pub fn push(&mut self, at: u64, n: u64) {
        if n == 0 {
            return;
        }
        match self.buckets.back_mut() {
            Some((t, c)) if *t == at => *c += n,
            _ => self.buckets.push_back((at, n)),
        }
        self.len += n;
    }

    /// A task handed back by a worker that went away, keeping its arrival time. A reliable
    /// queue puts it back where consumers pop, so it goes ahead of everything newer: the
    /// buckets stay ordered by arrival (usually it lands at the very front).
    pub fn requeue(&mut self, arrived_at: u64) {
        let i = self.buckets.iter().position(|(t, _)| *t >= arrived_at).unwrap_or(self.buckets.len());
        match self.buckets.get_mut(i) {
            Some((t, c)) if *t == arrived_at => *c += 1,
            _ => self.buckets.insert(i, (arrived_at, 1)),
        }
        self.len += 1;
    }

    /// Take the oldest task: its arrival second.
    pub fn pop(&mut self) -> Option<u64> {
        let (t, c) = self.buckets.front_mut()?;
        let at = *t;
        *c -= 1;
        if *c == 0 {
            self.buckets.pop_front();
        }
        self.len -= 1;
        Some(at)
    }

    /// Arrival second of the oldest task waiting.
    pub fn oldest(&self) -> Option<u64> {
        self.buckets.front().map(|(t, _)| *t)
    }

    /// Number of buckets held (memory use).
    pub fn buckets(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_with_buckets() {
        let mut q = TaskQueue::default();
        q.push(1, 2);
        q.push(1, 1);
        q.push(3, 1);
        assert_eq!(q.len(), 4);
        assert_eq!(q.buckets(), 2);
        assert_eq!(q.pop(), Some(1));
        q.requeue(0);
        q.requeue(2);
        assert_eq!(q.oldest(), Some(0));
        assert_eq!(q.buckets(), 4);
        assert_eq!(q.pop(), Some(0));
        assert_eq!(q.pop(), Some(1));
        assert_eq!(q.pop(), Some(1));
        assert_eq!(q.pop(), Some(2));
        assert_eq!(q.pop(), Some(3));
        assert_eq!(q.pop(), None);
        assert_eq!(q.len(), 0);
    }
}
