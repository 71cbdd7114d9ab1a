//! The CACAO 2.0 execution engine: interprets a validated playbook as a state machine with a
//! stack of branch contexts.
//!
//! The engine knows nothing of HTTP servers or databases. It talks to the outside through three
//! seams: [`executor::Executor`] runs commands (keyed by command type), the journal records every
//! transition before it takes effect, and the event sink receives execution status events.

pub mod executor;
