//! `cacao new`: writes a minimal valid playbook to start from: a start step, one manual action
//! performed by an analyst, and an end step, with fresh UUIDv4 ids and the current time (to the
//! millisecond). `cacao validate` accepts it without a single finding.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use cacao_model::{Identifier, Timestamp};
use serde_json::json;

use crate::Verdict;

/// Arguments of `cacao new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook's name.
    #[arg(long, default_value = "New playbook")]
    pub name: String,

    /// Write the playbook to this file instead of standard output. An existing file is never
    /// overwritten.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Verdict> {
    let text = playbook(&args.name);
    match &args.output {
        None => print!("{text}"),
        Some(path) => {
            let shown = path.display();
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .with_context(|| {
                    format!("cannot create `{shown}` (an existing file is never overwritten)")
                })?;
            file.write_all(text.as_bytes())
                .with_context(|| format!("cannot write `{shown}`"))?;
            eprintln!("wrote {shown}; check it with `cacao validate {shown}`");
        }
    }
    Ok(Verdict::Success)
}

/// The text of a new playbook named `name`.
pub fn playbook(name: &str) -> String {
    let now = Timestamp::now();
    let start = Identifier::new_v4("start");
    let action = Identifier::new_v4("action");
    let end = Identifier::new_v4("end");
    let analyst = Identifier::new_v4("individual");

    let playbook = json!({
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": Identifier::new_v4("playbook"),
        "name": name,
        "description": "Say what this playbook responds to and what it achieves.",
        "created_by": Identifier::new_v4("identity"),
        "created": now,
        "modified": now,
        "workflow_start": start,
        "workflow": {
            start.clone(): {
                "type": "start",
                "name": "Start",
                "on_completion": action
            },
            action.clone(): {
                "type": "action",
                "name": "First step",
                "description": "Replace this manual step with the playbook's first action.",
                "commands": [
                    {
                        "type": "manual",
                        "command": "Describe the task the analyst carries out."
                    }
                ],
                "agent": analyst,
                "on_completion": end
            },
            end.clone(): {
                "type": "end",
                "name": "End"
            }
        },
        "agent_definitions": {
            analyst.clone(): {
                "type": "individual",
                "name": "Security analyst"
            }
        }
    });
    let document = serde_json::to_string(&playbook).unwrap_or_default();
    match cacao_validate::Document::parse(document.as_bytes()) {
        Ok(parsed) => cacao_validate::format::canonical(&parsed),
        Err(_) => document,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_playbook_has_no_findings_at_all() {
        let text = playbook("Contain a phishing campaign \"Q3\"");
        let report = cacao_validate::validate(text.as_bytes());
        assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    }

    #[test]
    fn new_playbooks_get_fresh_ids_and_millisecond_timestamps() {
        let first: serde_json::Value = serde_json::from_str(&playbook("a")).unwrap();
        let second: serde_json::Value = serde_json::from_str(&playbook("a")).unwrap();
        assert_ne!(first["id"], second["id"]);
        let created = first["created"].as_str().unwrap();
        assert_eq!(Timestamp::from(created).fractional_digits(), 3);
        assert_eq!(first["created"], first["modified"]);
    }
}
