//! Cancellation: how an operator (Ctrl-C) or an embedding program stops an execution cleanly.

use std::sync::Arc;

use tokio::sync::watch;

/// A signal shared by every task of an execution. Cancelling stops the running steps (their
/// commands are killed) without recording them as finished, so the execution can be resumed
/// from its journal.
#[derive(Debug, Clone)]
pub struct Cancellation {
    sender: Arc<watch::Sender<bool>>,
}

impl Default for Cancellation {
    fn default() -> Self {
        Self::new()
    }
}

impl Cancellation {
    /// A signal not yet given.
    pub fn new() -> Self {
        Self {
            sender: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Gives the signal.
    pub fn cancel(&self) {
        self.sender.send_replace(true);
    }

    /// Whether the signal was given.
    pub fn is_cancelled(&self) -> bool {
        *self.sender.borrow()
    }

    /// Resolves once the signal is given.
    pub async fn cancelled(&self) {
        let mut receiver = self.sender.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = receiver.wait_for(|cancelled| *cancelled).await;
    }
}
