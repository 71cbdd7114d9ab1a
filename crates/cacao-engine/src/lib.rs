//! The CACAO 2.0 execution engine: interprets a validated playbook as a state machine with a
//! stack of branch contexts.
//!
//! The engine knows nothing of HTTP servers or databases. It talks to the outside through three
//! seams: [`executor::Executor`] runs commands (keyed by command type, through an
//! [`ExecutorRegistry`]), the [`Journal`] records every transition before it takes effect, and
//! the [`EventSink`] receives execution status events. It never assumes a command runs in this
//! process: an executor may forward a request anywhere.
//!
//! The semantic rules it implements (routing, branch failure, variables, substitution, the
//! at-least-once rule of resume) are written down in `docs/engine.md`.
//!
//! ```no_run
//! # async fn example(playbook: cacao_model::Playbook) -> Result<(), cacao_engine::EngineError> {
//! use std::sync::Arc;
//! use cacao_engine::{Engine, ExecutorRegistry, MemorySink, Start};
//!
//! let engine = Engine::new(ExecutorRegistry::new());
//! let events = Arc::new(MemorySink::new());
//! let report = engine
//!     .run(Arc::new(playbook), Start { events: events.clone(), ..Start::default() })
//!     .await?;
//! println!("{:?}: {} events", report.outcome, events.events().len());
//! # Ok(())
//! # }
//! ```

mod cancel;
mod check;
mod condition;
mod coverage;
mod engine;
mod events;
mod execution;
pub mod executor;
mod journal;
mod library;
mod registry;
mod replay;
mod simulate;
mod steps;
pub mod substitute;
mod variables;

pub use cancel::Cancellation;
pub use check::{Problem, Refusal};
pub use condition::{ConditionError, ConditionLanguage, StixConditions};
pub use coverage::{BranchCoverage, Coverage, StepCoverage, coverage};
pub use engine::{Engine, EngineConfig, EngineError, ExecutionReport, Outcome, Start};
pub use events::{
    ChannelSink, Event, EventSink, EventType, FanOut, JsonLinesSink, MemorySink, NullSink, Status,
};
pub use execution::ACTION_TIMEOUT;
pub use executor::{CommandOutcome, CommandRequest, Executor, ExecutorError};
pub use journal::{FileJournal, Journal, JournalError, JournalRecord, MemoryJournal, read_records};
pub use library::{LibraryError, PlaybookLibrary};
pub use registry::ExecutorRegistry;
pub use simulate::{Scenario, SimulatedExecutor, SimulatedOutcome, StepOutcomes};
pub use variables::{Assignment, Scope};
