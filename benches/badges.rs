//! `cargo bench --bench badges`: what issuing an Open Badges 3.0 credential costs. A
//! realistic credential (the Black belt of `packages/program.toml`, as an engine award
//! with its evidence) is built by `badges::credential` and signed by the real signers, the
//! keys made and opened by `badges::keys` on a temp database: Data Integrity
//! `eddsa-rdfc-2022` (`badges::integrity::sign`: JSON-LD expansion, RDFC-1.0, two SHA-256,
//! Ed25519) and VC-JWT ES256 (`badges::jwt::sign`). The physical limit is measured in the
//! same run: a bare aws-lc-rs Ed25519 and ECDSA P-256 signature of the same credential
//! bytes. Each figure is printed with its ratio to that limit (the machine is shared and
//! drifts; a ratio drifts less). `BADGES_BENCH_SECS` sets each measurement's length
//! (default 2 s).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair,
};
use blackbelt::app::App;
use blackbelt::badges::credential::{self, Facts};
use blackbelt::badges::{Issuer, integrity, jwt, keys};
use blackbelt::certification::program::parse::parse;
use blackbelt::config::Config;
use entities::{badge_credential, cert_award};
use serde_json::{Value, json};

const YEAR_US: i64 = 365 * 86_400_000_000;

#[tokio::main]
async fn main() {
    let secs = std::env::var("BADGES_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(2.0);
    let budget = Duration::from_secs_f64(secs);

    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        database_url: format!("sqlite://{}?mode=rwc", dir.path().join("b.db").display()),
        public_url: "https://badges.example.com".into(),
        issuer_name: "Example Corp Social Media Program".into(),
        issuer_email: Some("certification@example.com".into()),
        ..Config::default()
    };
    let app = App::build(config.clone()).await.expect("app");
    let signing = keys::signing(&app.db).await.expect("signing keys");
    let issuer = Issuer::from_config(&config);
    let unsigned = realistic_credential(&issuer);
    let bytes = serde_json::to_vec(&unsigned).expect("json");
    let vm = issuer.urls.key(&signing.ed25519.kid);
    let kid = issuer.urls.key(&signing.es256.kid);
    let created = "2026-12-07T09:00:00Z";

    // Check once that both proofs are made and verify, so the figures are of real work.
    let signed = integrity::sign(&unsigned, &signing.ed25519, &vm, created).expect("DI sign");
    integrity::verify(&signed, &signing.ed25519.multibase).expect("DI proof verifies");
    let token = jwt::sign(&unsigned, &signing.es256, &kid).expect("JWT sign");
    assert_eq!(token.split('.').count(), 3, "compact JWS");

    let rng = SystemRandom::new();
    let ed = Ed25519KeyPair::generate().expect("ed25519 key");
    let p256_pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("p256 key");
    let p256 = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, p256_pkcs8.as_ref())
        .expect("p256 key");
    let _ = (ed.public_key(), p256.public_key());

    let di = rate(budget, || {
        integrity::sign(&unsigned, &signing.ed25519, &vm, created).expect("DI sign");
    });
    let raw_ed = rate(budget, || {
        std::hint::black_box(ed.sign(&bytes));
    });
    let vc_jwt = rate(budget, || {
        jwt::sign(&unsigned, &signing.es256, &kid).expect("JWT sign");
    });
    let raw_p256 = rate(budget, || {
        std::hint::black_box(p256.sign(&rng, &bytes).expect("p256 sign"));
    });
    let both = rate(budget, || {
        integrity::sign(&unsigned, &signing.ed25519, &vm, created).expect("DI sign");
        jwt::sign(&unsigned, &signing.es256, &kid).expect("JWT sign");
    });

    println!(
        "credential: {} bytes of JSON, {} with its Data Integrity proof, JWT {} bytes; {secs} s per figure",
        bytes.len(),
        serde_json::to_vec(&signed).expect("json").len(),
        token.len()
    );
    println!(
        "| proof | credentials/s | µs each | limit: bare signature/s (same bytes) | ratio to limit |"
    );
    println!("|---|---|---|---|---|");
    row("Data Integrity eddsa-rdfc-2022", di, "Ed25519", raw_ed);
    row("VC-JWT ES256", vc_jwt, "ECDSA P-256", raw_p256);
    let limit_both = 1.0 / (1.0 / raw_ed + 1.0 / raw_p256);
    row(
        "both (every credential gets both)",
        both,
        "Ed25519 + P-256",
        limit_both,
    );
}

/// Calls per second of `f`, run for `budget` after a warm-up (a tenth of it, and at
/// least five calls: the first ones parse the bundled contexts and fill caches).
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    let warm = Instant::now();
    let mut calls = 0;
    while calls < 5 || warm.elapsed() < budget / 10 {
        f();
        calls += 1;
    }
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < budget {
        f();
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn row(label: &str, per_sec: f64, limit_label: &str, limit: f64) {
    println!(
        "| {label} | {per_sec:.0} | {:.1} | {limit_label}: {limit:.0} | {:.1} × slower |",
        1e6 / per_sec,
        limit / per_sec
    );
}

/// The credential of an engine award of the Black belt: every kind of evidence the
/// engine records, a renewal, and an email identity.
fn realistic_credential(issuer: &Issuer) -> Value {
    let program = parse(include_str!("../packages/program.toml")).expect("program.toml");
    let belt = program
        .belts
        .iter()
        .find(|b| b.id == "black")
        .expect("black belt");
    let earned_us = 1_780_000_000_000_000;
    let evidence = json!([
        {"kind": "belt", "belt": "green", "award_id": 41},
        {"kind": "au", "object_id": "https://blackbelt.example/courses/center-of-excellence/au/strategy", "score": 0.92, "at": "2026-05-01T10:00:00Z"},
        {"kind": "au", "object_id": "https://blackbelt.example/courses/center-of-excellence/au/measurement", "score": 0.88, "at": "2026-05-02T10:00:00Z"},
        {"kind": "au", "object_id": "https://blackbelt.example/courses/center-of-excellence/au/governance", "score": 0.9, "at": "2026-05-03T10:00:00Z"},
        {"kind": "evidence", "requirement": "capstone", "evidence_ids": [7]},
        {"kind": "statements", "label": "20 posts shared in 180 days", "statement_ids": (0..20).map(|i| format!("00000000-0000-4000-8000-{i:012}")).collect::<Vec<_>>()},
        {"kind": "attribute", "name": "audience", "value": "coe"}
    ]);
    let award = cert_award::Model {
        id: 42,
        learner_key: "account:https://lms.example.com|ada".into(),
        program_id: program.program.id.clone(),
        program_version: 1,
        belt_id: belt.id.clone(),
        status: "active".into(),
        active_key: Some("account:https://lms.example.com|ada|black".into()),
        earned_us,
        valid_until_us: Some(earned_us + 2 * YEAR_US),
        expires_us: Some(earned_us + 2 * YEAR_US + 60 * 86_400_000_000),
        evidence,
        renewals: json!([{"at_us": earned_us + YEAR_US, "valid_until_us": earned_us + 2 * YEAR_US}]),
        source: "engine".into(),
        reason: None,
        awarded_by: None,
        revoked_us: None,
        revoked_reason: None,
        revoked_by: None,
        statement_id: Some("5b0c7f0e-3c1e-4d8e-9a51-0c3f8b2f6a10".into()),
        updated_us: earned_us + YEAR_US,
    };
    let row = badge_credential::Model {
        id: "3f1f0a52-8a0e-4b8e-bb7a-2d0f3c9a7e11".into(),
        award_id: award.id,
        learner_key: award.learner_key.clone(),
        status_list: 1,
        status_index: 94_567,
        subject_id: "urn:uuid:9d2c7c1e-5f0a-4a43-8f7e-1d6b3c2a9e55".into(),
        subject_salt: "q8Zr1vXh3kTn0bLw".into(),
        show_name: false,
        signed_for: None,
        signed_json: None,
        signed_jwt: None,
        created_us: earned_us,
        updated_us: earned_us,
    };
    credential::build(&Facts {
        issuer,
        program: &program,
        belt,
        award: &award,
        row: &row,
        identity: ("ada.lovelace@example.com", "emailAddress"),
    })
}
