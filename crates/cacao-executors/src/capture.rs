//! Bounded capture of a command's output streams.
//!
//! A command can print without end; an executor must not grow its memory with it. A [`Capture`]
//! keeps the first `limit` bytes of a stream (what becomes `__stdout__` or `__stderr__`) and,
//! past that, only a window of the most recent bytes, which the ssh executor needs to find the
//! `CACAO_OUTPUT` section that its wrapper prints at the very end of the stream.

use tokio::io::{AsyncRead, AsyncReadExt};

/// The default number of bytes kept of a command's standard output and of its standard error:
/// 1 MiB, as for every shell command type.
pub const DEFAULT_OUTPUT_LIMIT: usize = 1024 * 1024;

/// The default number of bytes kept of an HTTP response body: 16 MiB (API answers are often
/// larger than a command's output).
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The first bytes of a stream, and its last bytes once it outgrows the limit.
#[derive(Debug, Clone)]
pub struct Capture {
    head: Vec<u8>,
    tail: Vec<u8>,
    limit: usize,
    tail_window: usize,
    total: u64,
}

impl Capture {
    /// A capture that keeps `limit` bytes from the start and, past them, the last `tail_window`.
    pub fn new(limit: usize, tail_window: usize) -> Self {
        Self {
            head: Vec::new(),
            tail: Vec::new(),
            limit,
            tail_window,
            total: 0,
        }
    }

    /// Appends bytes read from the stream.
    pub fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;

        let room = self.limit.saturating_sub(self.head.len());
        let kept = room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..kept]);
        bytes = &bytes[kept..];

        if !bytes.is_empty() && self.tail_window > 0 {
            self.tail.extend_from_slice(bytes);
            // Trimming only when the window is exceeded twice over keeps appends amortised O(1).
            if self.tail.len() > 2 * self.tail_window {
                let excess = self.tail.len() - self.tail_window;
                self.tail.drain(..excess);
            }
        }
    }

    /// Whether bytes were dropped from the head.
    pub fn truncated(&self) -> bool {
        self.total > self.head.len() as u64
    }

    /// How many bytes the stream had in all.
    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    /// The first bytes of the stream (all of it when not truncated).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The last bytes of the stream past the head (at most the tail window); empty when the
    /// stream was not truncated.
    pub fn tail(&self) -> &[u8] {
        let start = self.tail.len().saturating_sub(self.tail_window);
        &self.tail[start..]
    }

    /// Whether the stream, as far as it has come, ends with `suffix` (at most the tail window
    /// long once the stream outgrows the limit).
    pub fn ends_with(&self, suffix: &[u8]) -> bool {
        if !self.truncated() {
            return self.head.ends_with(suffix);
        }
        let tail = self.tail();
        if tail.len() >= suffix.len() {
            return tail.ends_with(suffix);
        }

        // The suffix reaches back into the head, which is only known to precede the tail
        // directly when nothing was dropped between them.
        let nothing_dropped = self.total - self.head.len() as u64 == tail.len() as u64;
        let (front, back) = suffix.split_at(suffix.len() - tail.len());
        nothing_dropped && tail == back && self.head.ends_with(front)
    }

    /// The kept head as text, with invalid UTF-8 replaced.
    pub fn head_text(&self) -> String {
        String::from_utf8_lossy(&self.head).into_owned()
    }
}

/// Reads a stream to its end into a [`Capture`] without a tail window.
pub async fn read_to_capture<R: AsyncRead + Unpin>(
    mut reader: R,
    limit: usize,
) -> std::io::Result<Capture> {
    let mut capture = Capture::new(limit, 0);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = reader.read(&mut buffer).await?;
        if read == 0 {
            return Ok(capture);
        }
        capture.push(&buffer[..read]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_short_stream_is_kept_whole() {
        let mut capture = Capture::new(10, 4);
        capture.push(b"hello");
        assert!(!capture.truncated());
        assert_eq!(capture.head(), b"hello");
        assert!(capture.tail().is_empty());
    }

    proptest! {
        #[test]
        fn head_and_tail_match_the_stream(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..50), 0..30),
            limit in 0usize..100,
            window in 0usize..40,
        ) {
            let mut capture = Capture::new(limit, window);
            let mut all = Vec::new();
            for chunk in &chunks {
                capture.push(chunk);
                all.extend_from_slice(chunk);
            }
            let kept = limit.min(all.len());
            prop_assert_eq!(capture.head(), &all[..kept]);
            prop_assert_eq!(capture.total_bytes(), all.len() as u64);
            prop_assert_eq!(capture.truncated(), all.len() > limit);
            let rest = &all[kept..];
            let expected_tail = &rest[rest.len().saturating_sub(window)..];
            prop_assert_eq!(capture.tail(), expected_tail);
            let suffix = &all[all.len().saturating_sub(window.min(3))..];
            prop_assert!(capture.ends_with(suffix));
        }
    }
}
