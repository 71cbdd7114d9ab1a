//! Benchmark of `cacao_validate::validate` against parsing with `serde_json` alone.
//!
//! Run by `bench/validate/run.sh`, which also measures the Python `jsonschema` baseline in the
//! same run and prints both ratios. Usage:
//!
//! ```text
//! cargo bench -p cacao-validate --bench validate -- [--json OUT] GROUP=PATH...
//! ```
//!
//! Each group is a file or a folder (every `*.json` below it). For each group the benchmark
//! times one pass over all its files, repeated until a second has passed (at least 10 passes),
//! and reports the mean pass in microseconds for full validation and for
//! `serde_json::from_slice::<serde_json::Value>`.
//!
//! Time is the CPU time of the benchmark thread (Linux `/proc/thread-self/schedstat`), so that
//! other processes on a shared machine do not distort the ratios; the Python baseline measures
//! the same way (`time.thread_time_ns`). Where that file is missing, wall-clock time is used.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn json_files(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for entry in entries {
            json_files(&entry, files);
        }
    } else if path
        .extension()
        .is_some_and(|extension| extension == "json")
        && !path.ends_with("manifest.json")
    {
        files.push(path.to_path_buf());
    }
}

/// CPU time of this thread in nanoseconds, when the kernel tells.
fn thread_cpu_nanoseconds() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// A clock reading in microseconds: thread CPU time, or wall time as a fallback.
fn now_microseconds(origin: Instant) -> f64 {
    match thread_cpu_nanoseconds() {
        Some(nanoseconds) => nanoseconds as f64 / 1e3,
        None => origin.elapsed().as_secs_f64() * 1e6,
    }
}

/// The mean time of one pass of `work`, in microseconds: passes are repeated until a second of
/// wall time has passed (at least 10), and the clock is read only around the whole series,
/// because the kernel's per-thread CPU time advances in scheduler ticks.
fn mean_pass(mut work: impl FnMut() -> usize) -> f64 {
    for _ in 0..3 {
        std::hint::black_box(work());
    }
    let origin = Instant::now();
    let started = now_microseconds(origin);
    let mut passes = 0u32;
    while passes < 10 || origin.elapsed() < Duration::from_secs(1) {
        std::hint::black_box(work());
        passes += 1;
    }
    (now_microseconds(origin) - started) / f64::from(passes)
}

fn main() {
    let mut arguments: Vec<String> = std::env::args()
        .skip(1)
        .filter(|argument| argument != "--bench")
        .collect();
    let mut json_out = None;
    if let Some(position) = arguments.iter().position(|argument| argument == "--json") {
        arguments.remove(position);
        if position < arguments.len() {
            json_out = Some(PathBuf::from(arguments.remove(position)));
        }
    }
    if arguments.is_empty() {
        eprintln!("usage: validate [--json OUT] GROUP=PATH...");
        std::process::exit(2);
    }

    let clock = if thread_cpu_nanoseconds().is_some() {
        "thread CPU time"
    } else {
        "wall-clock time"
    };
    println!("clock: {clock}");
    let mut results = Vec::new();
    println!(
        "{:<10} {:>6} {:>10} {:>14} {:>14} {:>8}",
        "group", "files", "bytes", "validate µs", "serde_json µs", "ratio"
    );
    for argument in &arguments {
        let (group, path) = argument
            .split_once('=')
            .unwrap_or((argument.as_str(), argument.as_str()));
        let mut files = Vec::new();
        json_files(Path::new(path), &mut files);
        let sources: Vec<Vec<u8>> = files
            .iter()
            .map(|file| std::fs::read(file).expect("readable benchmark input"))
            .collect();
        let bytes: usize = sources.iter().map(Vec::len).sum();

        let validate = mean_pass(|| {
            sources
                .iter()
                .map(|source| cacao_validate::validate(source).diagnostics.len())
                .sum()
        });
        let serde = mean_pass(|| {
            sources
                .iter()
                .map(|source| {
                    serde_json::from_slice::<serde_json::Value>(source)
                        .map_or(0, |value| value.is_object() as usize)
                })
                .sum()
        });
        println!(
            "{group:<10} {:>6} {bytes:>10} {validate:>14.1} {serde:>14.1} {:>8.2}",
            files.len(),
            validate / serde
        );
        results.push(serde_json::json!({
            "group": group,
            "files": files.len(),
            "bytes": bytes,
            "validate_us": validate,
            "serde_json_us": serde,
            "clock": clock,
        }));
    }
    if let Some(out) = json_out {
        let text = serde_json::to_string_pretty(&results).expect("serialisable results");
        std::fs::write(&out, text).expect("writable results file");
    }
}
