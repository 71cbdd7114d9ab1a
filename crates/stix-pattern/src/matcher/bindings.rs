//! The search for bindings: which observations (and how many of the instances each stands
//! for) satisfy each part of an observation expression.
//!
//! The reference matcher enumerates bindings as tuples of observation instances through lazy
//! generators. This module computes the same verdict with two simplifications that keep the
//! search small:
//! - Instances of one observed-data object are interchangeable, so a binding is a multiset:
//!   for each observation, how many of its `number_observed` instances it uses. Two bindings
//!   combine (AND, FOLLOWEDBY, REPEATS) when their sums stay within `number_observed`, which is
//!   exactly when disjoint instance choices exist.
//! - Every time condition only needs the latest `first_observed` and the earliest
//!   `last_observed` of a binding's observations, which each binding carries.
//!
//! Streams are lazy like the reference's generators, so the first binding is usually found
//! without enumerating the rest; each stream drops bindings it has already produced. Every
//! candidate examined counts against a search limit, so a combinatorial pattern on large data
//! ends with [`MatchError::SearchLimit`] instead of running unbounded.

use std::collections::{HashSet, VecDeque};

use crate::error::MatchError;

/// A binding: the observations it uses, with instance counts, sorted by observation index.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    uses: Vec<(u32, u64)>,
    latest_first: i64,
    earliest_last: i64,
}

impl PartialEq for Binding {
    fn eq(&self, other: &Self) -> bool {
        self.uses == other.uses
    }
}

impl Eq for Binding {}

impl std::hash::Hash for Binding {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.uses.hash(state);
    }
}

impl Binding {
    /// The observations the binding uses, by index.
    pub(crate) fn observations(&self) -> impl Iterator<Item = u32> + '_ {
        self.uses.iter().map(|(observation, _)| *observation)
    }
}

/// Per-observation facts the search needs.
pub(crate) struct Timeline {
    /// `first_observed` of each observation, microseconds.
    pub first: Vec<i64>,
    /// `last_observed` of each observation, microseconds.
    pub last: Vec<i64>,
    /// `number_observed` of each observation.
    pub capacity: Vec<u64>,
}

impl Timeline {
    /// The binding of one instance of `observation`.
    pub(crate) fn single(&self, observation: u32) -> Binding {
        let index = observation as usize;
        Binding {
            uses: vec![(observation, 1)],
            latest_first: self.first[index],
            earliest_last: self.last[index],
        }
    }

    /// The union of two bindings, or `None` when together they need more instances of some
    /// observation than it has.
    fn combine(&self, left: &Binding, right: &Binding) -> Option<Binding> {
        let mut uses = Vec::with_capacity(left.uses.len() + right.uses.len());
        let (mut i, mut j) = (0, 0);
        while i < left.uses.len() || j < right.uses.len() {
            let next = match (left.uses.get(i), right.uses.get(j)) {
                (Some(&(a, count_a)), Some(&(b, count_b))) if a == b => {
                    i += 1;
                    j += 1;
                    let total = count_a.checked_add(count_b)?;
                    if total > self.capacity[a as usize] {
                        return None;
                    }
                    (a, total)
                }
                (Some(&(a, count_a)), Some(&(b, _))) if a < b => {
                    i += 1;
                    (a, count_a)
                }
                (Some(_), Some(&(b, count_b))) => {
                    j += 1;
                    (b, count_b)
                }
                (Some(&entry), None) => {
                    i += 1;
                    entry
                }
                (None, Some(&entry)) => {
                    j += 1;
                    entry
                }
                (None, None) => break,
            };
            uses.push(next);
        }
        Some(Binding {
            uses,
            latest_first: left.latest_first.max(right.latest_first),
            earliest_last: left.earliest_last.min(right.earliest_last),
        })
    }
}

/// Counts search steps against the limit.
pub(crate) struct Budget {
    used: u64,
    limit: u64,
}

impl Budget {
    pub(crate) fn new(limit: u64) -> Self {
        Self { used: 0, limit }
    }

    fn spend(&mut self, steps: u64) -> Result<(), MatchError> {
        self.used = self.used.saturating_add(steps);
        if self.used > self.limit {
            Err(MatchError::SearchLimit(self.limit))
        } else {
            Ok(())
        }
    }
}

/// A time condition on a binding.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TimeFilter {
    /// All observations fit in a window of this many microseconds.
    Within(i64),
    /// Every observation overlaps `[start, stop)`.
    StartStop { start: i64, stop: i64 },
}

impl TimeFilter {
    fn accepts(self, binding: &Binding) -> bool {
        match self {
            // A window of this length starting at the earliest last_observed reaches every
            // observation's first_observed.
            TimeFilter::Within(window) => {
                binding.latest_first <= binding.earliest_last.saturating_add(window)
            }
            TimeFilter::StartStop { start, stop } => {
                binding.latest_first < stop && binding.earliest_last >= start
            }
        }
    }
}

/// A lazy stream of distinct bindings.
pub(crate) enum Stream {
    /// Precomputed bindings.
    List(std::vec::IntoIter<Binding>),
    /// Bindings of any operand, taken in turns.
    Or {
        operands: Vec<Stream>,
        turn: usize,
        done: Vec<bool>,
    },
    /// Unions of a left and a right binding (AND), or with the left before the right
    /// (FOLLOWEDBY).
    Join(Box<Join>),
    /// The bindings that pass a time condition.
    Filter {
        inner: Box<Stream>,
        filter: TimeFilter,
    },
    /// Unions of `count` bindings (REPEATS).
    Repeat(Box<Repeat>),
}

pub(crate) struct Join {
    left: Stream,
    right: Stream,
    ordered: bool,
    left_seen: Vec<Binding>,
    right_seen: Vec<Binding>,
    left_done: bool,
    right_done: bool,
    right_turn: bool,
    pending: VecDeque<Binding>,
    produced: HashSet<Binding>,
}

pub(crate) struct Repeat {
    inner: Stream,
    count: u64,
    seen: Vec<Binding>,
    /// For each observation, the index of the first seen binding that uses it.
    first_seen: std::collections::HashMap<u32, usize>,
    /// For each seen index, how many instances the observations used by `seen[..=index]` have.
    available: Vec<u64>,
    inner_done: bool,
    pending: VecDeque<Binding>,
    produced: HashSet<Binding>,
}

impl Stream {
    pub(crate) fn join(left: Stream, right: Stream, ordered: bool) -> Stream {
        Stream::Join(Box::new(Join {
            left,
            right,
            ordered,
            left_seen: Vec::new(),
            right_seen: Vec::new(),
            left_done: false,
            right_done: false,
            right_turn: true,
            pending: VecDeque::new(),
            produced: HashSet::new(),
        }))
    }

    pub(crate) fn repeat(inner: Stream, count: u64) -> Stream {
        Stream::Repeat(Box::new(Repeat {
            inner,
            count,
            seen: Vec::new(),
            first_seen: std::collections::HashMap::new(),
            available: Vec::new(),
            inner_done: false,
            pending: VecDeque::new(),
            produced: HashSet::new(),
        }))
    }

    pub(crate) fn or(operands: Vec<Stream>) -> Stream {
        let done = vec![false; operands.len()];
        Stream::Or {
            operands,
            turn: 0,
            done,
        }
    }

    /// The next binding, `None` when there are no more.
    pub(crate) fn next(
        &mut self,
        timeline: &Timeline,
        budget: &mut Budget,
    ) -> Result<Option<Binding>, MatchError> {
        match self {
            Stream::List(bindings) => {
                budget.spend(1)?;
                Ok(bindings.next())
            }
            Stream::Or {
                operands,
                turn,
                done,
            } => {
                while done.iter().any(|finished| !finished) {
                    let index = *turn % operands.len();
                    *turn = (*turn + 1) % operands.len();
                    if done[index] {
                        continue;
                    }
                    match operands[index].next(timeline, budget)? {
                        Some(binding) => return Ok(Some(binding)),
                        None => done[index] = true,
                    }
                }
                Ok(None)
            }
            Stream::Filter { inner, filter } => {
                while let Some(binding) = inner.next(timeline, budget)? {
                    if filter.accepts(&binding) {
                        return Ok(Some(binding));
                    }
                }
                Ok(None)
            }
            Stream::Join(join) => join.next(timeline, budget),
            Stream::Repeat(repeat) => repeat.next(timeline, budget),
        }
    }
}

impl Join {
    fn next(
        &mut self,
        timeline: &Timeline,
        budget: &mut Budget,
    ) -> Result<Option<Binding>, MatchError> {
        loop {
            if let Some(binding) = self.pending.pop_front() {
                return Ok(Some(binding));
            }

            // A side that ended empty leaves nothing to join.
            let left_empty = self.left_done && self.left_seen.is_empty();
            let right_empty = self.right_done && self.right_seen.is_empty();
            if left_empty || right_empty || (self.left_done && self.right_done) {
                return Ok(None);
            }

            // Take from each side in turn, pairing each new binding with everything already
            // seen on the other side.
            let take_right = !self.right_done && (self.right_turn || self.left_done);
            self.right_turn = !take_right;
            if take_right {
                match self.right.next(timeline, budget)? {
                    Some(right) => {
                        budget.spend(self.left_seen.len() as u64)?;
                        for left in &self.left_seen {
                            offer(
                                &mut self.pending,
                                &mut self.produced,
                                self.ordered,
                                timeline,
                                left,
                                &right,
                            );
                        }
                        self.right_seen.push(right);
                    }
                    None => self.right_done = true,
                }
            } else {
                match self.left.next(timeline, budget)? {
                    Some(left) => {
                        budget.spend(self.right_seen.len() as u64)?;
                        for right in &self.right_seen {
                            offer(
                                &mut self.pending,
                                &mut self.produced,
                                self.ordered,
                                timeline,
                                &left,
                                right,
                            );
                        }
                        self.left_seen.push(left);
                    }
                    None => self.left_done = true,
                }
            }
        }
    }
}

/// Queues the union of `left` and `right` when it is new, fits the instance counts and, for
/// FOLLOWEDBY, keeps the left side no later than the right.
fn offer(
    pending: &mut VecDeque<Binding>,
    produced: &mut HashSet<Binding>,
    ordered: bool,
    timeline: &Timeline,
    left: &Binding,
    right: &Binding,
) {
    if ordered && left.latest_first > right.earliest_last {
        return;
    }
    if let Some(union) = timeline.combine(left, right)
        && produced.insert(union.clone())
    {
        pending.push_back(union);
    }
}

impl Repeat {
    fn next(
        &mut self,
        timeline: &Timeline,
        budget: &mut Budget,
    ) -> Result<Option<Binding>, MatchError> {
        loop {
            if let Some(binding) = self.pending.pop_front() {
                return Ok(Some(binding));
            }
            if self.inner_done {
                return Ok(None);
            }
            match self.inner.next(timeline, budget)? {
                None => self.inner_done = true,
                Some(binding) => {
                    let index = self.seen.len();
                    let mut available = self.available.last().copied().unwrap_or(0);
                    for observation in binding.observations() {
                        if let std::collections::hash_map::Entry::Vacant(entry) =
                            self.first_seen.entry(observation)
                        {
                            entry.insert(index);
                            available =
                                available.saturating_add(timeline.capacity[observation as usize]);
                        }
                    }
                    self.available.push(available);
                    self.seen.push(binding);
                    self.combinations_with_newest(timeline, budget)?;
                }
            }
        }
    }

    /// Every union of `count` seen bindings that uses the newest one at least once. Indexes
    /// are chosen in non-increasing order so each multiset is produced once; the depth-first
    /// search keeps an explicit stack, so large counts cannot overflow the call stack.
    fn combinations_with_newest(
        &mut self,
        timeline: &Timeline,
        budget: &mut Budget,
    ) -> Result<(), MatchError> {
        let newest = self.seen.len() - 1;

        // (union so far, how many more to add, largest index allowed next)
        let mut stack = vec![(self.seen[newest].clone(), self.count - 1, newest)];
        while let Some((union, remaining, largest)) = stack.pop() {
            budget.spend(1)?;
            if remaining == 0 {
                if self.produced.insert(union.clone()) {
                    self.pending.push_back(union);
                }
                continue;
            }
            budget.spend(largest as u64 + 1)?;
            // Each further binding needs an instance of an observation that appears in
            // seen[..=largest]; give up on this branch when too few are left.
            let used_in_reach: u64 = union
                .uses
                .iter()
                .filter(|(observation, _)| {
                    self.first_seen
                        .get(observation)
                        .is_some_and(|first| *first <= largest)
                })
                .map(|(_, count)| *count)
                .sum();
            if remaining > self.available[largest].saturating_sub(used_in_reach) {
                continue;
            }
            for index in (0..=largest).rev() {
                if let Some(extended) = timeline.combine(&union, &self.seen[index]) {
                    stack.push((extended, remaining - 1, index));
                }
            }
        }
        Ok(())
    }
}
