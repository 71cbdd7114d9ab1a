//! One module per subcommand. Each defines its clap `Args` and a `run` function that returns the
//! command's [`Verdict`](crate::Verdict) or an error (exit 2).

pub mod fmt;
pub mod graph;
pub mod keygen;
pub mod new;
pub mod pattern;
pub mod run;
mod run_output;
pub mod sign;
pub mod validate;
pub mod verify;
