//! Prints the NMSE of each hand-written L1 algorithm, and of the Adam
//! baseline, at n = 4, 8, 16 (m = 3n): one JSON object per line.
//!
//! `cargo run --release --example encoders [-- --samples 20000 --backend ndarray]`

use hyperinterp::core::{Mlp, Result, Sign, Sizes, Task};
use hyperinterp::l1::{self, AdamBaselineConfig, ConvexityConfig, L1Task, SHARPNESS};

fn main() {
    if let Err(error) = run() {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let samples: usize = match flag("--samples") {
        Some(text) => text
            .parse()
            .map_err(|_| hyperinterp::core::CoreError::config("--samples", "must be an integer"))?,
        None => 20_000,
    };
    let device = hyperinterp::backend::device(&flag("--backend").unwrap_or("default".into()))?;
    let task = L1Task::default();
    for n in [4usize, 8, 16] {
        let m = 3 * n;
        let networks: Vec<(&str, Mlp)> = vec![
            ("double_sided", l1::double_sided(n, m, SHARPNESS)?),
            (
                "pudding_positive",
                l1::pudding(n, m, Sign::Positive, SHARPNESS, 1.0)?,
            ),
            (
                "pudding_negative",
                l1::pudding(n, m, Sign::Negative, SHARPNESS, 1.0)?,
            ),
            (
                "convexity",
                l1::convexity(n, m, &ConvexityConfig::default())?,
            ),
            (
                "adam",
                l1::train_adam(
                    &task,
                    Sizes::new(n, m)?,
                    &AdamBaselineConfig::default(),
                    &device,
                )?
                .mlp,
            ),
        ];
        for (algorithm, mlp) in networks {
            // Evaluation inputs use a seed no constructor or trainer used.
            let nmse = task.nmse_of(&mlp, samples, 0xE7A1)?;
            println!(
                "{}",
                serde_json::json!({"algorithm": algorithm, "n": n, "m": m, "nmse": nmse})
            );
        }
    }
    Ok(())
}
