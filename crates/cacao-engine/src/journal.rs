//! The journal: where every state transition of an execution is written before it takes effect,
//! so that an interrupted execution can be resumed.
//!
//! The engine appends [`JournalRecord`]s through the [`Journal`] trait and waits for each append
//! to be durable before it acts on the transition. [`FileJournal`] writes JSON lines to an
//! append-only file and calls `fdatasync` before acknowledging; appends that arrive together
//! (parallel branches) share one sync. A writer thread does the blocking I/O, so no runtime
//! thread waits on the disk.
//!
//! Resuming replays the workflow against the journal (see `replay.rs`): a step with a
//! `step_finished` record is not run again; a step with only `step_started` was running when the
//! process died and runs again, marked `rerun`. This is the at-least-once rule: a command may run
//! twice, never zero times.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::executor::BoxFuture;
use crate::variables::Assignment;

/// One durable transition of an execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
#[non_exhaustive]
pub enum JournalRecord {
    /// The execution began with these playbook variable values.
    ExecutionStarted {
        /// Event sequence number of the matching event.
        seq: u64,
        /// The execution id.
        execution_id: String,
        /// The playbook's id.
        playbook_id: String,
        /// The playbook's `modified` (its version).
        playbook_modified: String,
        /// Every playbook variable's initial value, externals included.
        variables: IndexMap<String, Value>,
        /// When.
        time: String,
    },
    /// A resumed process took over the execution.
    ExecutionResumed {
        /// Event sequence number of the matching event.
        seq: u64,
        /// When.
        time: String,
    },
    /// The operator cancelled; the execution can be resumed.
    ExecutionCancelled {
        /// Event sequence number of the matching event.
        seq: u64,
        /// When.
        time: String,
    },
    /// A called playbook's variables were set up (playbook-action).
    ScopeCreated {
        /// The scope id.
        scope: String,
        /// The initial values.
        variables: IndexMap<String, Value>,
    },
    /// A step visit began.
    StepStarted {
        /// Event sequence number of the matching event.
        seq: u64,
        /// The step visit key (branch path and position).
        key: String,
        /// The step id.
        step_id: String,
    },
    /// A branching step chose where to go.
    Decision {
        /// The decision key (a step visit key, plus the iteration for while loops).
        key: String,
        /// What was chosen.
        value: String,
    },
    /// A step visit ended; its out_args assignments take effect after this record.
    StepFinished {
        /// Event sequence number of the matching event.
        seq: u64,
        /// The step visit key.
        key: String,
        /// The step id.
        step_id: String,
        /// Whether the step succeeded.
        success: bool,
        /// Why it failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// Whether the failure was a timeout.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        timed_out: bool,
        /// The out_args assignments.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        assignments: Vec<Assignment>,
    },
    /// The execution ended.
    ExecutionFinished {
        /// Event sequence number of the matching event.
        seq: u64,
        /// Whether it completed.
        completed: bool,
        /// Why it failed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl JournalRecord {
    /// The event sequence number this record goes with, if any.
    pub fn seq(&self) -> Option<u64> {
        match self {
            JournalRecord::ExecutionStarted { seq, .. }
            | JournalRecord::ExecutionResumed { seq, .. }
            | JournalRecord::ExecutionCancelled { seq, .. }
            | JournalRecord::StepStarted { seq, .. }
            | JournalRecord::StepFinished { seq, .. }
            | JournalRecord::ExecutionFinished { seq, .. } => Some(*seq),
            JournalRecord::ScopeCreated { .. } | JournalRecord::Decision { .. } => None,
        }
    }
}

/// A journal that could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// Reading or writing the file failed.
    #[error("journal {path}: {source}")]
    Io {
        /// The journal file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not a journal record.
    #[error("journal {path}, line {line}: not a journal record: {message}")]
    Corrupt {
        /// The journal file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A new execution would overwrite an existing journal.
    #[error(
        "journal {0} already holds an execution; resume it with --resume or choose another path"
    )]
    Exists(PathBuf),
    /// The writer stopped (the process is shutting down).
    #[error("the journal writer has stopped")]
    Closed,
}

/// Where the engine writes transitions. `append` resolves once the record is durable.
pub trait Journal: Send + Sync {
    /// Appends one record.
    fn append<'a>(&'a self, record: &'a JournalRecord) -> BoxFuture<'a, Result<(), JournalError>>;
}

/// Keeps records in memory: for tests, and for embedding where another layer persists.
#[derive(Debug, Default)]
pub struct MemoryJournal {
    records: Mutex<Vec<JournalRecord>>,
}

impl MemoryJournal {
    /// An empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// A journal holding `records`, as one read back after a crash.
    pub fn with_records(records: Vec<JournalRecord>) -> Self {
        Self {
            records: Mutex::new(records),
        }
    }

    /// The records so far.
    pub fn records(&self) -> Vec<JournalRecord> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl Journal for MemoryJournal {
    fn append<'a>(&'a self, record: &'a JournalRecord) -> BoxFuture<'a, Result<(), JournalError>> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(record.clone());
        Box::pin(std::future::ready(Ok(())))
    }
}

type Acknowledgement = tokio::sync::oneshot::Sender<Result<(), std::io::Error>>;

/// An fsync'd append-only JSON-lines file.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    sender: Mutex<mpsc::Sender<(Vec<u8>, Acknowledgement)>>,
}

impl FileJournal {
    /// Creates a journal for a new execution. An existing non-empty file is refused, so an
    /// execution's history is never overwritten.
    pub fn create(path: &Path) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_owned(),
            source,
        };
        if std::fs::metadata(path).is_ok_and(|metadata| metadata.len() > 0) {
            return Err(JournalError::Exists(path.to_owned()));
        }
        let file = open_append(path).map_err(io)?;
        sync_parent_directory(path).map_err(io)?;
        Ok(Self::start(path, file))
    }

    /// Opens an existing journal to resume its execution; returns it with the records read.
    /// A last line without its newline (the process died while writing it) is ignored: that
    /// record was never acknowledged, so nothing acted on it.
    pub fn resume(path: &Path) -> Result<(Self, Vec<JournalRecord>), JournalError> {
        let records = read_records(path)?;
        let io = |source| JournalError::Io {
            path: path.to_owned(),
            source,
        };
        truncate_partial_line(path).map_err(io)?;
        let file = open_append(path).map_err(io)?;
        Ok((Self::start(path, file), records))
    }

    fn start(path: &Path, file: File) -> Self {
        let (sender, receiver) = mpsc::channel::<(Vec<u8>, Acknowledgement)>();
        let thread_path = path.to_owned();
        std::thread::Builder::new()
            .name("cacao-journal".into())
            .spawn(move || write_loop(file, receiver, &thread_path))
            .expect("the journal writer thread starts");
        Self {
            path: path.to_owned(),
            sender: Mutex::new(sender),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Journal for FileJournal {
    fn append<'a>(&'a self, record: &'a JournalRecord) -> BoxFuture<'a, Result<(), JournalError>> {
        let mut line = serde_json::to_vec(record).expect("a journal record always serialises");
        line.push(b'\n');
        let (acknowledge, acknowledged) = tokio::sync::oneshot::channel();
        let sent = self
            .sender
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .send((line, acknowledge));
        Box::pin(async move {
            sent.map_err(|_| JournalError::Closed)?;
            match acknowledged.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(source)) => Err(JournalError::Io {
                    path: self.path.clone(),
                    source,
                }),
                Err(_) => Err(JournalError::Closed),
            }
        })
    }
}

/// Writes what arrives, syncing once per batch: appends that queue up while the disk syncs are
/// made durable together.
fn write_loop(mut file: File, receiver: mpsc::Receiver<(Vec<u8>, Acknowledgement)>, path: &Path) {
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while let Ok(more) = receiver.try_recv() {
            batch.push(more);
        }
        let mut buffer = Vec::with_capacity(batch.iter().map(|(line, _)| line.len()).sum());
        for (line, _) in &batch {
            buffer.extend_from_slice(line);
        }
        let result = file.write_all(&buffer).and_then(|()| file.sync_data());
        if let Err(error) = &result {
            tracing::error!(journal = %path.display(), %error, "cannot write the journal; the execution stops");
        }
        for (_, acknowledge) in batch {
            let _ = acknowledge.send(match &result {
                Ok(()) => Ok(()),
                Err(error) => Err(std::io::Error::new(error.kind(), error.to_string())),
            });
        }
    }
}

fn open_append(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        // Journals hold variable values; only the owner reads them.
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

fn sync_parent_directory(path: &Path) -> std::io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // Making the new file's directory entry durable; not every platform can open a directory.
    match File::open(parent) {
        Ok(directory) => directory.sync_all().or(Ok(())),
        Err(_) => Ok(()),
    }
}

fn truncate_partial_line(path: &Path) -> std::io::Result<()> {
    let content = std::fs::read(path)?;
    if content.is_empty() || content.ends_with(b"\n") {
        return Ok(());
    }
    let keep = content
        .iter()
        .rposition(|byte| *byte == b'\n')
        .map_or(0, |at| at + 1);
    let file = OpenOptions::new().write(true).open(path)?;
    file.set_len(keep as u64)?;
    file.sync_all()
}

/// Reads every complete record of a journal file.
pub fn read_records(path: &Path) -> Result<Vec<JournalRecord>, JournalError> {
    let io = |source| JournalError::Io {
        path: path.to_owned(),
        source,
    };
    let content = std::fs::read(path).map_err(io)?;
    let complete = match content.iter().rposition(|byte| *byte == b'\n') {
        Some(at) => &content[..=at],
        None => &content[..0],
    };
    let mut records = Vec::new();
    for (index, line) in BufReader::new(complete).lines().enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(&line).map_err(|error| JournalError::Corrupt {
            path: path.to_owned(),
            line: index + 1,
            message: error.to_string(),
        })?;
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(seq: u64, key: &str) -> JournalRecord {
        JournalRecord::StepStarted {
            seq,
            key: key.into(),
            step_id: "action--1".into(),
        }
    }

    #[tokio::test]
    async fn file_journal_appends_durably_and_reads_back() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("journal.jsonl");
        let journal = FileJournal::create(&path).unwrap();
        journal.append(&started(1, "m.0")).await.unwrap();
        journal.append(&started(2, "m.1")).await.unwrap();
        assert_eq!(
            read_records(&path).unwrap(),
            vec![started(1, "m.0"), started(2, "m.1")]
        );
        assert!(matches!(
            FileJournal::create(&path),
            Err(JournalError::Exists(_))
        ));
    }

    #[tokio::test]
    async fn a_torn_last_line_is_dropped_on_resume() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("journal.jsonl");
        let mut text = serde_json::to_string(&started(1, "m.0")).unwrap();
        text.push('\n');
        text.push_str("{\"record\":\"step_sta");
        std::fs::write(&path, text).unwrap();

        let (journal, records) = FileJournal::resume(&path).unwrap();
        assert_eq!(records, vec![started(1, "m.0")]);
        journal.append(&started(2, "m.1")).await.unwrap();
        assert_eq!(
            read_records(&path).unwrap(),
            vec![started(1, "m.0"), started(2, "m.1")]
        );
    }

    #[test]
    fn a_corrupt_line_in_the_middle_is_an_error() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("journal.jsonl");
        std::fs::write(&path, "not json\n{}\n").unwrap();
        assert!(matches!(
            read_records(&path),
            Err(JournalError::Corrupt { line: 1, .. })
        ));
    }
}
