//! The `bash` executor: runs a command's text with `bash -c` on this machine.
//!
//! The command runs in a process group of its own, with stdin closed, and the environment
//! variable `CACAO_OUTPUT` naming a fresh file in a private directory (mode 0700) to which the
//! command may append lines `__name__=value`: each becomes a named result. The directory goes
//! when the executor does; one left by a killed process is removed by the next executor. The
//! command succeeds when bash exits with status 0. Results: `__stdout__`, `__stderr__` (each
//! capped at [`OUTPUT_LIMIT`] bytes, lossily decoded as UTF-8) and `__exit_code__` (decimal;
//! 128 + the signal number when a signal killed bash, as shells report it).
//!
//! When the command ends, or when its future is dropped (the step timed out or the execution was
//! cancelled), the whole process group is killed with SIGKILL, so no child of the command
//! outlives it. A process that puts itself in another session escapes this; reading its output
//! stops a short grace period after bash exits.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use cacao_engine::executor::BoxFuture;
use cacao_engine::{CommandOutcome, CommandRequest, Executor, ExecutorError};
use cacao_model::CommandType;
use indexmap::IndexMap;
use tokio::io::{AsyncRead, AsyncReadExt};

/// How much of stdout and of stderr is kept as results.
pub const OUTPUT_LIMIT: usize = 1 << 20;

/// How long output is still read after bash itself exited (from children that escaped the
/// process group).
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// The agent and target types a local command can serve: the local machine, and targets that
/// are only data to the command (addresses, categories, people).
const SUPPORTED_TARGET_TYPES: &[&str] = &[
    "linux",
    "net-address",
    "security-category",
    "individual",
    "group",
    "organization",
    "location",
    "sector",
];

/// Runs `bash` commands locally.
#[derive(Debug)]
pub struct BashExecutor {
    shell: Option<PathBuf>,
    outputs: OutputDirectory,
}

/// A private directory (mode 0700) for the `CACAO_OUTPUT` files of this executor's commands:
/// nobody else can create or replace a file in it, so the files need not exist beforehand.
#[derive(Debug)]
struct OutputDirectory {
    path: Option<PathBuf>,
    /// Names files uniquely within the directory.
    next: std::sync::atomic::AtomicU64,
}

/// The name every output directory starts with; the process id that follows lets a later
/// process find the directories of processes that died without removing them.
const OUTPUT_DIRECTORY_PREFIX: &str = "cacao-bash-";

impl OutputDirectory {
    fn create() -> Self {
        use std::os::unix::fs::DirBuilderExt;

        let base = std::env::temp_dir();
        remove_stale_directories(&base);
        let path = base.join(format!(
            "{OUTPUT_DIRECTORY_PREFIX}{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        let created = std::fs::DirBuilder::new().mode(0o700).create(&path);
        if let Err(error) = &created {
            tracing::error!(directory = %path.display(), %error, "cannot create the directory for CACAO_OUTPUT files");
        }
        Self {
            path: created.ok().map(|()| path),
            next: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

/// Removes the output directories, under `base`, of processes of this user that no longer run:
/// a process killed with SIGKILL leaves its directory, and the named values of its commands in
/// it, behind. Only real directories owned by this user whose process id names no running
/// process are removed; a process id reused since is left alone, which is only untidy.
fn remove_stale_directories(base: &Path) {
    use std::os::unix::fs::MetadataExt;

    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    let user = rustix::process::geteuid().as_raw();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix(OUTPUT_DIRECTORY_PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<i32>().ok())
            .and_then(rustix::process::Pid::from_raw)
        else {
            continue;
        };
        // A directory entry's metadata is the entry's own: a link planted under a matching name
        // is not followed.
        let owned_directory = entry
            .metadata()
            .is_ok_and(|metadata| metadata.is_dir() && metadata.uid() == user);
        let ended = || rustix::process::test_kill_process(pid) == Err(rustix::io::Errno::SRCH);
        if owned_directory && ended() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for OutputDirectory {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

impl Default for BashExecutor {
    fn default() -> Self {
        Self::new()
    }
}

impl BashExecutor {
    /// An executor using the `bash` found on `PATH`.
    pub fn new() -> Self {
        Self {
            shell: find_on_path("bash"),
            outputs: OutputDirectory::create(),
        }
    }

    /// An executor using the shell at `path`.
    pub fn with_shell(path: impl Into<PathBuf>) -> Self {
        Self {
            shell: Some(path.into()),
            outputs: OutputDirectory::create(),
        }
    }
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|directory| directory.join(program))
        .find(|candidate| candidate.is_file())
}

impl Executor for BashExecutor {
    fn command_types(&self) -> Vec<CommandType> {
        vec![CommandType::Bash]
    }

    fn supports_target_type(&self, target_type: &str) -> bool {
        SUPPORTED_TARGET_TYPES.contains(&target_type)
    }

    fn unavailable_reason(&self) -> Option<String> {
        if self.outputs.path.is_none() {
            return Some("the directory for CACAO_OUTPUT files cannot be created".to_owned());
        }
        match &self.shell {
            None => Some("bash is not installed (not found on PATH)".to_owned()),
            Some(shell) if !shell.is_file() => Some(format!("{} does not exist", shell.display())),
            Some(_) => None,
        }
    }

    fn execute<'a>(
        &'a self,
        request: &'a CommandRequest,
    ) -> BoxFuture<'a, Result<CommandOutcome, ExecutorError>> {
        Box::pin(async move {
            let shell = self
                .shell
                .as_deref()
                .ok_or_else(|| ExecutorError::Unavailable("bash is not installed".into()))?;
            let text = request
                .command
                .text()
                .map_err(|error| ExecutorError::Invalid(error.to_string()))?
                .ok_or_else(|| {
                    ExecutorError::Invalid("a bash command needs `command` or `command_b64`".into())
                })?;
            let outputs = self.outputs.path.as_deref().ok_or_else(|| {
                ExecutorError::Unavailable(
                    "the directory for CACAO_OUTPUT files could not be created".into(),
                )
            })?;
            let number = self
                .outputs
                .next
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            run(shell, &text, &outputs.join(format!("output-{number}"))).await
        })
    }
}

/// Kills the process group and removes the output file when dropped: on timeout or
/// cancellation. A command that ran to its end has both done already and disarms it.
struct Cleanup {
    process_group: Option<rustix::process::Pid>,
    output_file: Option<PathBuf>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some(group) = self.process_group {
            // The group may already be gone; that is the normal case after a clean exit.
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        if let Some(output_file) = &self.output_file {
            // Only a command that wrote named values created the file.
            let _ = std::fs::remove_file(output_file);
        }
    }
}

async fn run(
    shell: &Path,
    text: &str,
    output_file: &Path,
) -> Result<CommandOutcome, ExecutorError> {
    let mut cleanup = Cleanup {
        process_group: None,
        output_file: Some(output_file.to_owned()),
    };

    let mut child = tokio::process::Command::new(shell)
        .arg("-c")
        .arg(text)
        .env("CACAO_OUTPUT", output_file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| ExecutorError::Unavailable(format!("cannot start bash: {error}")))?;
    let process_group = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(rustix::process::Pid::from_raw);
    cleanup.process_group = process_group;

    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let (stdout_pipe, stderr_pipe) = (child.stdout.take(), child.stderr.take());
    let status = {
        let mut output = std::pin::pin!(async {
            tokio::join!(
                read_capped(stdout_pipe, &mut stdout),
                read_capped(stderr_pipe, &mut stderr),
            )
        });
        let mut output_read = false;
        let status = loop {
            tokio::select! {
                biased;
                status = child.wait() => break status,
                _ = &mut output, if !output_read => output_read = true,
            }
        };
        // Children left in the group would hold the pipes open; the command is over.
        if let Some(group) = process_group {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        if !output_read {
            // Usually the pipes are at their end already and no timer is set; something that
            // left the process group may hold them open, and is not waited for long.
            let _ = tokio::time::timeout(OUTPUT_GRACE, output).await;
        }
        status
    };
    // The group was killed as bash exited; the cleanup need not kill it again. (A future dropped
    // before this point still has the cleanup kill the group.)
    cleanup.process_group = None;
    let status =
        status.map_err(|error| ExecutorError::Other(format!("cannot wait for bash: {error}")))?;

    let exit_code = match (
        status.code(),
        std::os::unix::process::ExitStatusExt::signal(&status),
    ) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => -1,
    };
    // Values the command wrote come first; the executor's own results are added after them, so a
    // command cannot forge its exit code or output (the rule every executor follows).
    let mut results = match std::fs::read(output_file) {
        Ok(content) => crate::output_file::parse(&content).values,
        // No file: the command wrote no named values, and there is nothing to remove.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            cleanup.output_file = None;
            IndexMap::new()
        }
        Err(_) => IndexMap::new(),
    };
    drop(cleanup);
    results.insert(
        "__stdout__".to_owned(),
        String::from_utf8_lossy(&stdout).into_owned(),
    );
    results.insert(
        "__stderr__".to_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    );
    results.insert("__exit_code__".to_owned(), exit_code.to_string());

    let success = status.success();
    let reason = (!success).then(|| match status.code() {
        Some(code) => format!("bash exited with status {code}"),
        None => format!("bash was killed by signal {}", exit_code - 128),
    });
    Ok(CommandOutcome {
        success,
        results,
        reason,
    })
}

/// Reads a pipe to its end into `kept`, keeping the first [`OUTPUT_LIMIT`] bytes. Whatever was
/// read stays in `kept` when the read is given up before the end.
async fn read_capped(pipe: Option<impl AsyncRead + Unpin>, kept: &mut Vec<u8>) {
    let Some(mut pipe) = pipe else {
        return;
    };
    let mut buffer = [0u8; 8192];
    while let Ok(read @ 1..) = pipe.read(&mut buffer).await {
        let room = OUTPUT_LIMIT.saturating_sub(kept.len());
        kept.extend_from_slice(&buffer[..read.min(room)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_directories_of_processes_that_ended_are_removed() {
        let base = tempfile::tempdir().unwrap();
        let mut ended = std::process::Command::new("true").spawn().unwrap();
        let ended_pid = ended.id();
        ended.wait().unwrap();

        let directory = |name: String| {
            let path = base.path().join(name);
            std::fs::create_dir(&path).unwrap();
            std::fs::write(path.join("output-0"), "__secret__=value\n").unwrap();
            path
        };
        let stale = directory(format!("{OUTPUT_DIRECTORY_PREFIX}{ended_pid}-a"));
        let live = directory(format!("{OUTPUT_DIRECTORY_PREFIX}{}-b", std::process::id()));
        let unrelated = directory(format!("{OUTPUT_DIRECTORY_PREFIX}not-a-pid"));
        // A link under a matching name is not followed into what it points at.
        let elsewhere = directory("elsewhere".to_owned());
        let link = base
            .path()
            .join(format!("{OUTPUT_DIRECTORY_PREFIX}{ended_pid}-c"));
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();

        remove_stale_directories(base.path());

        assert!(!stale.exists(), "the directory of an ended process stays");
        assert!(live.join("output-0").exists());
        assert!(unrelated.join("output-0").exists());
        assert!(elsewhere.join("output-0").exists());
        assert!(link.symlink_metadata().is_ok());
    }
}
