//! Bench binary for signing and verification: canonicalise, hash and verify a large playbook
//! (300 action steps, 600 commands, about 120 KB) for ES256, RS256 and Ed25519, and sign it.
//!
//! Run by `bench/signatures.sh`, which compares the verify times with the Python baseline
//! (`cryptography` + `rfc8785`) on the same signed files. With `--write FOLDER` it also writes the
//! signed playbooks there.

use std::hint::black_box;
use std::time::Instant;

use cacao_sign::{Algorithm, SignOptions, SigningKey, TrustPolicy, TrustStore};
use serde_json::{Map, Value, json};

fn large_playbook() -> Value {
    let mut workflow = Map::new();
    workflow.insert(
        "start--00000000-0000-4000-8000-000000000000".to_owned(),
        json!({"type": "start", "on_completion": "action--00000000-0000-4000-8000-000000000001"}),
    );
    for step in 1..=300 {
        let next = if step == 300 {
            "end--00000000-0000-4000-8000-000000000999".to_owned()
        } else {
            format!("action--00000000-0000-4000-8000-{:012}", step + 1)
        };
        workflow.insert(
            format!("action--00000000-0000-4000-8000-{step:012}"),
            json!({
                "type": "action",
                "name": format!("Contain host {step} — isolate, collect, report"),
                "description": "Block the host at the firewall and collect volatile data ✓",
                "commands": [
                    {"type": "bash", "command": format!("iptables -A INPUT -s 10.0.{}.{} -j DROP", step / 250, step % 250)},
                    {"type": "ssh", "command": "sudo tcpdump -c 1000 -w /tmp/capture.pcap", "x_weight": 0.25 * f64::from(step)}
                ],
                "agent": "soarca--00000000-0000-4000-8000-000000000000",
                "on_completion": next
            }),
        );
    }
    workflow.insert(
        "end--00000000-0000-4000-8000-000000000999".to_owned(),
        json!({"type": "end"}),
    );
    json!({
        "type": "playbook",
        "spec_version": "cacao-2.0",
        "id": "playbook--00000000-0000-4000-8000-00000000abcd",
        "name": "Large benchmark playbook",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "workflow_start": "start--00000000-0000-4000-8000-000000000000",
        "workflow": workflow
    })
}

/// Mean microseconds per call of `work` over enough iterations to run about a second.
fn time(mut work: impl FnMut()) -> f64 {
    work();
    let start = Instant::now();
    let mut iterations = 0u32;
    while start.elapsed().as_secs_f64() < 1.0 {
        work();
        iterations += 1;
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations)
}

fn main() {
    let arguments: Vec<String> = std::env::args().collect();
    let write_folder = arguments
        .iter()
        .position(|argument| argument == "--write")
        .and_then(|position| arguments.get(position + 1));

    let playbook = large_playbook();
    let size = serde_json::to_string_pretty(&playbook).unwrap().len();
    println!(
        "playbook: {} bytes pretty-printed, 300 actions, 600 commands",
        size
    );

    let canonical = time(|| {
        black_box(cacao_sign::canonical::canonicalize(black_box(&playbook)).unwrap());
    });
    println!("canonicalize_us {canonical:.1}");

    for algorithm in [Algorithm::Es256, Algorithm::Rs256, Algorithm::Ed25519] {
        let key = SigningKey::generate_with_rsa_bits(algorithm, 2048).unwrap();
        let options = SignOptions::new(algorithm, "bench");
        let sign = time(|| {
            let mut document = playbook.clone();
            cacao_sign::sign_document(&mut document, &key, &options).unwrap();
            black_box(document);
        });
        let mut signed = playbook.clone();
        cacao_sign::sign_document(&mut signed, &key, &options).unwrap();
        let policy = TrustPolicy::cryptographic_only(TrustStore::new());
        let now = jiff::Timestamp::now();
        let verify = time(|| {
            let (_, decision) = policy.check(black_box(&signed), now);
            assert!(decision.accepted);
        });
        println!("sign_us {} {sign:.1}", algorithm.name());
        println!("verify_us {} {verify:.1}", algorithm.name());
        if let Some(folder) = write_folder {
            let path = std::path::Path::new(folder).join(format!("{}.json", algorithm.name()));
            std::fs::write(path, serde_json::to_string_pretty(&signed).unwrap()).unwrap();
        }
    }
}
