//! Engine benchmarks, run by `bench/engine/run.sh` (`cargo bench -p cacao-cli --bench engine`):
//!
//! 1. Engine overhead per step: a 10,000-step sequential playbook whose commands are simulated
//!    (no process, no I/O), without a journal, then with the fsync'd file journal.
//! 2. A parallel step with 1,000 branches, each sleeping 1 s: simulated commands that sleep, and
//!    real `bash -c 'sleep 1'` processes.
//! 3. N bash `true` steps through the engine and the bash executor, against spawning
//!    `bash -c true` N times directly, in the same run.
//!
//! Each figure is the median of several rounds. Output is one line per measurement, then a JSON
//! summary on the last line.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cacao_engine::{
    Engine, ExecutorRegistry, FileJournal, Outcome, Scenario, SimulatedExecutor, SimulatedOutcome,
    Start,
};
use cacao_model::Playbook;
use serde_json::{Map, Value, json};

fn sequential(steps: usize, command: &str) -> Arc<Playbook> {
    let mut workflow = Map::new();
    workflow.insert(
        "start--s".into(),
        json!({"type": "start", "on_completion": "action--0"}),
    );
    for index in 0..steps {
        let next = if index + 1 == steps {
            "end--e".to_owned()
        } else {
            format!("action--{}", index + 1)
        };
        workflow.insert(
            format!("action--{index}"),
            json!({"type": "action", "agent": "linux--a",
                   "commands": [{"type": "bash", "command": command}], "on_completion": next}),
        );
    }
    workflow.insert("end--e".into(), json!({"type": "end"}));
    document(workflow)
}

fn parallel(branches: usize, command: &str) -> Arc<Playbook> {
    let mut workflow = Map::new();
    workflow.insert(
        "start--s".into(),
        json!({"type": "start", "on_completion": "parallel--p"}),
    );
    let next_steps: Vec<String> = (0..branches)
        .map(|index| format!("action--{index}"))
        .collect();
    workflow.insert(
        "parallel--p".into(),
        json!({"type": "parallel", "next_steps": next_steps, "on_completion": "end--e"}),
    );
    for index in 0..branches {
        workflow.insert(
            format!("action--{index}"),
            json!({"type": "action", "agent": "linux--a",
                   "commands": [{"type": "bash", "command": command}],
                   "on_completion": format!("end--{index}")}),
        );
        workflow.insert(format!("end--{index}"), json!({"type": "end"}));
    }
    workflow.insert("end--e".into(), json!({"type": "end"}));
    document(workflow)
}

/// The playbook, read from JSON text as `cacao run` reads a file.
fn document(workflow: Map<String, Value>) -> Arc<Playbook> {
    let text = json!({
            "type": "playbook", "spec_version": "cacao-2.0",
            "id": "playbook--00000000-0000-4000-8000-000000000001", "name": "bench",
            "created_by": "identity--00000000-0000-4000-8000-000000000002",
            "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
            "workflow_start": "start--s", "workflow": workflow,
            "agent_definitions": {"linux--a": {"type": "linux", "name": "here"}}
    })
    .to_string();
    Arc::new(Playbook::from_json(&text).expect("bench playbook"))
}

fn simulated(duration_ms: u64) -> Engine {
    let scenario = Scenario {
        default: SimulatedOutcome {
            duration_ms,
            ..SimulatedOutcome::default()
        },
        ..Scenario::default()
    };
    let mut registry = ExecutorRegistry::new();
    registry.register(Arc::new(SimulatedExecutor::new(scenario, Vec::new())));
    Engine::new(registry)
}

fn bash_engine() -> Engine {
    let mut registry = ExecutorRegistry::new();
    registry.register(Arc::new(cacao_executors::bash::BashExecutor::new()));
    Engine::new(registry)
}

/// Runs one execution as a task on the runtime's workers, as `cacao run` does.
async fn timed_run(engine: &Engine, playbook: &Arc<Playbook>, start: Start) -> Duration {
    let began = Instant::now();
    let engine = engine.clone();
    let playbook = Arc::clone(playbook);
    let report = tokio::spawn(async move { engine.run(playbook, start).await })
        .await
        .expect("the execution task ends")
        .expect("runs");
    assert_eq!(report.outcome, Outcome::Completed);
    began.elapsed()
}

/// CPU time used by this process so far: robust against other load on the machine, where wall
/// time is not.
fn cpu_time() -> Duration {
    let spent = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(spent.tv_sec as u64, spent.tv_nsec as u32)
}

/// The baseline of the bash benchmarks: spawns `bash -c true` `count` times in a plain loop on
/// this thread, no runtime in the way.
fn bash_true_loop(count: usize) {
    for _ in 0..count {
        let status = std::process::Command::new("bash")
            .args(["-c", "true"])
            .status()
            .expect("bash runs");
        assert!(status.success());
    }
}

/// Starts `count` `bash -c COMMAND` processes at once, as tasks on the runtime with the pipes and
/// process group the bash executor uses, and waits for all of them.
async fn spawn_concurrently(count: usize, command: &str) -> Duration {
    let began = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..count {
        let command = command.to_owned();
        tasks.spawn(async move {
            let output = tokio::process::Command::new("bash")
                .args(["-c", &command])
                .stdin(std::process::Stdio::null())
                .process_group(0)
                .output()
                .await
                .expect("bash runs");
            assert!(output.status.success());
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.expect("the spawning task ends");
    }
    began.elapsed()
}

/// CPU time used by this process and by the children it has waited for, from `/proc/self/stat`
/// (children's time is only known in clock ticks, usually 10 ms; the rounds add up to seconds).
fn cpu_time_with_children() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the command name, which is in parentheses and may hold spaces: the state is
    // field 3, the children's user and system times (cutime, cstime) fields 16 and 17.
    let after_name = &stat[stat.rfind(')').expect("a command name") + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 =
        fields[13].parse::<u64>().expect("cutime") + fields[14].parse::<u64>().expect("cstime");
    let per_second = rustix::param::clock_ticks_per_second();
    cpu_time() + Duration::from_secs_f64(ticks as f64 / per_second as f64)
}

fn bash_request(text: &str) -> cacao_engine::CommandRequest {
    cacao_engine::CommandRequest {
        execution_id: "execution--bench".into(),
        step_id: "action--bench".into(),
        step_name: None,
        out_args: Vec::new(),
        command_index: 0,
        command: cacao_model::Command {
            command_type: cacao_model::CommandType::Bash,
            command: Some(text.into()),
            ..cacao_model::Command::default()
        },
        agent: None,
        targets: Vec::new(),
        authentication_info: indexmap::IndexMap::new(),
        timeout: None,
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let quick = std::env::var_os("CACAO_BENCH_QUICK").is_some();
    let rounds = if quick { 1 } else { 5 };
    let mut summary = Map::new();
    let parts = std::env::var("CACAO_BENCH_PARTS")
        .unwrap_or_else(|_| "overhead,events,journal,parallel,bash".into());
    let part = |name: &str| parts.split(',').any(|part| part == name);

    runtime.block_on(async {
        // 1. Overhead per step.
        let steps: usize = std::env::var("CACAO_BENCH_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
        let engine = simulated(0);
        if part("overhead") {
        let playbook = sequential(steps, "simulated");
        timed_run(&engine, &playbook, Start::default()).await;
        let mut samples = Vec::new();
        let mut cpu_samples = Vec::new();
        for _ in 0..rounds {
            let cpu_before = cpu_time();
            samples.push(timed_run(&engine, &playbook, Start::default()).await);
            cpu_samples.push(cpu_time() - cpu_before);
        }
        let without = median(samples).as_secs_f64() * 1e6 / steps as f64;
        let cpu = median(cpu_samples).as_secs_f64() * 1e6 / steps as f64;
        println!(
            "engine overhead, {steps} simulated steps, no journal: {without:.2} µs/step wall, {cpu:.2} µs/step CPU"
        );
        summary.insert("overhead_us_per_step".into(), json!(without));
        summary.insert("overhead_cpu_us_per_step".into(), json!(cpu));
        }

        if part("events") {
            // The same playbook with every event written as a JSON line to a file, as
            // `cacao run --events` does.
            let playbook = sequential(steps, "simulated");
            let mut samples = Vec::new();
            for _ in 0..rounds {
                let directory = tempfile::tempdir().expect("temporary directory");
                let file = std::fs::File::create(directory.path().join("events.jsonl"))
                    .expect("events file");
                let sink = Arc::new(cacao_engine::JsonLinesSink::new(file));
                samples.push(
                    timed_run(
                        &engine,
                        &playbook,
                        Start {
                            events: sink,
                            ..Start::default()
                        },
                    )
                    .await,
                );
            }
            let with_events = median(samples).as_secs_f64() * 1e6 / steps as f64;
            println!(
                "engine overhead, {steps} simulated steps, events written to a JSON-lines file: {with_events:.2} µs/step"
            );
            summary.insert("events_us_per_step".into(), json!(with_events));
        }

        if part("journal") {
        let journal_steps = if quick { 200 } else { 2_000 };
        let playbook = sequential(journal_steps, "simulated");
        let mut samples = Vec::new();
        for _ in 0..rounds.min(3) {
            let directory = tempfile::tempdir().expect("temporary directory");
            let journal = FileJournal::create(&directory.path().join("journal.jsonl")).expect("journal");
            samples.push(
                timed_run(
                    &engine,
                    &playbook,
                    Start {
                        journal: Some(Arc::new(journal)),
                        ..Start::default()
                    },
                )
                .await,
            );
        }
        let with = median(samples).as_secs_f64() * 1e6 / journal_steps as f64;
        println!(
            "engine overhead, {journal_steps} simulated steps, fsync'd file journal: {with:.1} µs/step (2 durable records per step)"
        );
        summary.insert("journal_us_per_step".into(), json!(with));
        }

        if part("parallel") {
        // 2. 1,000 parallel branches sleeping 1 s.
        let branches = 1_000;
        let sleeping = parallel(branches, "simulated");
        let engine = simulated(1_000);
        let simulated_parallel = timed_run(&engine, &sleeping, Start::default()).await;
        println!(
            "parallel, {branches} branches of a simulated 1 s command: {:.3} s",
            simulated_parallel.as_secs_f64()
        );
        summary.insert("parallel_simulated_s".into(), json!(simulated_parallel.as_secs_f64()));

        let bash_branches = if quick { 100 } else { branches };
        let sleeping = parallel(bash_branches, "sleep 1");
        let cpu_before = cpu_time_with_children();
        let bash_parallel = timed_run(&bash_engine(), &sleeping, Start::default()).await;
        let engine_cpu = cpu_time_with_children() - cpu_before;
        println!(
            "parallel, {bash_branches} branches of bash `sleep 1`: {:.3} s",
            bash_parallel.as_secs_f64()
        );
        summary.insert("parallel_bash_s".into(), json!(bash_parallel.as_secs_f64()));

        // The same 1,000 processes started directly, without the engine: what starting that many
        // bash processes costs on this machine.
        let cpu_before = cpu_time_with_children();
        let direct_parallel = spawn_concurrently(bash_branches, "sleep 1").await;
        let spawn_cpu = cpu_time_with_children() - cpu_before;
        println!(
            "parallel, {bash_branches} `bash -c 'sleep 1'` spawned directly with tokio (no engine): {:.3} s; engine / direct {:.3}",
            direct_parallel.as_secs_f64(),
            bash_parallel.as_secs_f64() / direct_parallel.as_secs_f64()
        );
        // The CPU those processes need, spread over every core, comes before the last branch's
        // second of sleep: roughly the shortest time any scheduler could reach on this machine.
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let floor = engine_cpu.as_secs_f64() / cores as f64 + 1.0;
        println!(
            "parallel, the engine's run used {:.3} s of CPU (direct: {:.3} s); on {cores} cores that is about {floor:.3} s before any run can end",
            engine_cpu.as_secs_f64(),
            spawn_cpu.as_secs_f64()
        );
        summary.insert("parallel_bash_direct_s".into(), json!(direct_parallel.as_secs_f64()));
        summary.insert("parallel_bash_floor_s".into(), json!(floor));
        }

        if part("bash") {
        // 3. Bash `true` steps against spawning bash directly, interleaved rounds.
        let count = if quick { 50 } else { 300 };
        let playbook = sequential(count, "true");
        let engine = bash_engine();
        let mut through_engine = Vec::new();
        let mut direct = Vec::new();
        let mut engine_cpu = Duration::ZERO;
        let mut direct_cpu = Duration::ZERO;
        // Many short rounds: the median pair ratio then shrugs off a noisy neighbour.
        let bash_rounds = if quick { 3 } else { 15 };
        for _ in 0..bash_rounds {
            let cpu_before = cpu_time_with_children();
            through_engine.push(timed_run(&engine, &playbook, Start::default()).await);
            let cpu_between = cpu_time_with_children();
            engine_cpu += cpu_between - cpu_before;
            // The baseline: a plain loop on one thread, no runtime in the way.
            let direct_run = tokio::task::spawn_blocking(move || {
                let began = Instant::now();
                bash_true_loop(count);
                began.elapsed()
            })
            .await
            .expect("join");
            direct.push(direct_run);
            direct_cpu += cpu_time_with_children() - cpu_between;
        }
        let cpu_ratio = engine_cpu.as_secs_f64() / direct_cpu.as_secs_f64();
        // Rounds alternate, so each pair saw the same machine load; the median pair ratio is the
        // figure, robust against a noisy neighbour in any one round.
        let mut ratios: Vec<f64> = through_engine
            .iter()
            .zip(&direct)
            .map(|(engine, direct)| engine.as_secs_f64() / direct.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        let ratio = ratios[ratios.len() / 2];
        let through_engine = median(through_engine);
        let direct = median(direct);
        println!(
            "{count} bash `true` steps: engine {:.3} s, direct `bash -c true` {:.3} s (medians), median ratio of alternating rounds {ratio:.3}",
            through_engine.as_secs_f64(),
            direct.as_secs_f64()
        );
        summary.insert("bash_true_engine_s".into(), json!(through_engine.as_secs_f64()));
        summary.insert("bash_true_direct_s".into(), json!(direct.as_secs_f64()));
        summary.insert("bash_true_ratio".into(), json!(ratio));
        println!(
            "{count} bash `true` steps, CPU time of this process and its children over all rounds: engine {:.3} s, direct {:.3} s, ratio {cpu_ratio:.3}",
            engine_cpu.as_secs_f64(),
            direct_cpu.as_secs_f64()
        );
        summary.insert("bash_true_cpu_ratio".into(), json!(cpu_ratio));
        }

        if part("spawn") {
            // Where the time of a bash step goes: the same N `bash -c true` runs, layer by layer,
            // in interleaved rounds, by wall time and by CPU time of this process and its children.
            let count = if quick { 50 } else { 300 };
            let engine = bash_engine();
            let playbook = sequential(count, "true");
            let executor = Arc::new(cacao_executors::bash::BashExecutor::new());
            let layers = ["std loop", "tokio plain", "tokio piped", "executor", "engine"];
            let mut wall = vec![Duration::ZERO; layers.len()];
            let mut cpu = vec![Duration::ZERO; layers.len()];
            let mut own_cpu = vec![Duration::ZERO; layers.len()];
            for _ in 0..rounds + 2 {
                for (layer, name) in layers.iter().enumerate() {
                    let cpu_before = cpu_time_with_children();
                    let own_cpu_before = cpu_time();
                    let began = Instant::now();
                    match *name {
                        "std loop" => {
                            tokio::task::spawn_blocking(move || bash_true_loop(count))
                            .await
                            .expect("join");
                        }
                        "tokio plain" => {
                            for _ in 0..count {
                                let status = tokio::process::Command::new("bash")
                                    .args(["-c", "true"])
                                    .status()
                                    .await
                                    .expect("bash runs");
                                assert!(status.success());
                            }
                        }
                        "tokio piped" => {
                            for _ in 0..count {
                                let output = tokio::process::Command::new("bash")
                                    .args(["-c", "true"])
                                    .stdin(std::process::Stdio::null())
                                    .env("CACAO_OUTPUT", "/nonexistent/output")
                                    .process_group(0)
                                    .output()
                                    .await
                                    .expect("bash runs");
                                assert!(output.status.success());
                            }
                        }
                        "executor" => {
                            let executor = Arc::clone(&executor);
                            tokio::spawn(async move {
                                use cacao_engine::Executor;
                                let request = bash_request("true");
                                for _ in 0..count {
                                    let outcome = executor.execute(&request).await.expect("runs");
                                    assert!(outcome.success);
                                }
                            })
                            .await
                            .expect("join");
                        }
                        _ => {
                            timed_run(&engine, &playbook, Start::default()).await;
                        }
                    }
                    wall[layer] += began.elapsed();
                    cpu[layer] += cpu_time_with_children() - cpu_before;
                    own_cpu[layer] += cpu_time() - own_cpu_before;
                }
            }
            println!("{count} runs of `bash -c true` per round, {} rounds, totals (ratio to the std loop):", rounds + 2);
            for (layer, name) in layers.iter().enumerate() {
                println!(
                    "  {name:<12} wall {:.3} s ({:.3})  CPU with children {:.3} s ({:.3})  this process alone {:.3} s",
                    wall[layer].as_secs_f64(),
                    wall[layer].as_secs_f64() / wall[0].as_secs_f64(),
                    cpu[layer].as_secs_f64(),
                    cpu[layer].as_secs_f64() / cpu[0].as_secs_f64(),
                    own_cpu[layer].as_secs_f64()
                );
            }
        }
    });
    println!("{}", Value::Object(summary));
}
