//! Throughput of the matcher over the pattern corpus, and the cost of one condition
//! comparison. Run by bench/pattern/run.sh, which runs the Python reference matcher on the same
//! cases in the same run and prints the ratio.
//!
//! Usage: `cargo bench -p stix-pattern --bench throughput -- [SECONDS]`. Prints `key=value`
//! lines: `rust_cases`, `rust_cases_per_second`, `condition_comparisons`,
//! `condition_nanoseconds_per_comparison`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::Value;
use stix_pattern::condition::{Condition, VariableMap};
use stix_pattern::match_pattern;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/corpus/pattern/matcher.jsonl"
);

fn main() {
    // `cargo bench` passes `--bench`; the first number is the measuring time per part.
    let seconds: f64 = std::env::args()
        .skip(1)
        .find_map(|argument| argument.parse().ok())
        .unwrap_or(3.0);
    let budget = Duration::from_secs_f64(seconds);

    let text = std::fs::read_to_string(CORPUS).expect("matcher corpus");
    let cases: Vec<(String, Value)> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let case: Value = serde_json::from_str(line).expect("case");
            (
                case["pattern"].as_str().expect("pattern").to_string(),
                case["observed_data"].clone(),
            )
        })
        .collect();

    // Each pass parses, compiles and matches every case, as the reference's match() does.
    let mut matched = 0usize;
    let mut passes = 0u64;
    let start = Instant::now();
    while start.elapsed() < budget || passes == 0 {
        for (pattern, objects) in &cases {
            let outcome =
                match_pattern(black_box(pattern), black_box(objects)).expect("corpus case matches");
            matched += usize::from(outcome.matched);
        }
        passes += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cases_run = passes as f64 * cases.len() as f64;
    println!("rust_cases={}", cases.len());
    println!("rust_matched_per_pass={}", matched as u64 / passes);
    println!("rust_cases_per_second={:.1}", cases_run / elapsed);

    // Conditions of the run corpus's conditions-basic playbook, evaluated over its variables.
    let conditions: Vec<(Condition, usize)> = [
        ("__n__:value > 9", 1),
        ("__host__:value LIKE 'web-%'", 1),
        ("__color__:value IN ('red', 'blue')", 1),
        ("__ip__:value ISSUBSET '10.0.0.0/8'", 1),
        ("__n__:value < 20 AND __host__:value LIKE 'db-%'", 2),
        (
            "__color__:value = 'red' OR __color__:value NOT IN ('red', 'blue')",
            2,
        ),
        ("[__ip__:value ISSUBSET '192.168.0.0/16']", 1),
        ("__host__:value NOT LIKE 'web-%'", 1),
        ("__host__:value LIKE 'web'", 1),
    ]
    .into_iter()
    .map(|(text, comparisons)| (Condition::parse(text).expect("condition"), comparisons))
    .collect();
    let mut variables = VariableMap::new();
    variables.insert("__n__", "integer", Some("10"));
    variables.insert("__host__", "string", Some("web-01"));
    variables.insert("__ip__", "ipv4-addr", Some("10.1.2.3"));
    variables.insert("__color__", "string", Some("green"));

    let comparisons_per_pass: usize = conditions.iter().map(|(_, comparisons)| comparisons).sum();
    let mut true_count = 0usize;
    let mut passes = 0u64;
    let start = Instant::now();
    while start.elapsed() < budget || passes == 0 {
        for _ in 0..1000 {
            for (condition, _) in &conditions {
                true_count += usize::from(black_box(condition).evaluate(black_box(&variables)));
            }
        }
        passes += 1000;
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(true_count as u64, passes * 4, "IF1, IF2, IF4 and IF6 hold");
    println!("condition_comparisons={comparisons_per_pass}");
    println!(
        "condition_nanoseconds_per_comparison={:.1}",
        elapsed * 1e9 / (passes as f64 * comparisons_per_pass as f64)
    );
}
