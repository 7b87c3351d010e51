//! Runs `discover` for several seeds, one process each, into `<out>/seed-<s>/`;
//! then `merge` combines their reports.
//!
//! `cargo run --release --example sweep -- --seeds 0,1,2 [--quick] [--config FILE]`
//! `cargo run --release --example sweep -- --seeds 0,1,2 --print` prints one
//! `discover` command per seed instead, for a job array or other machines.

use std::path::PathBuf;
use std::process::Command;

use clap::Parser;
use hyperinterp::core::{CoreError, Result};
use hyperinterp::discover::{DiscoverConfig, run};

#[derive(Parser, Debug)]
#[command(about = "Run discover for several seeds, one process each")]
struct Args {
    /// Seeds to run.
    #[arg(long, value_delimiter = ',', default_values_t = [0u64, 1, 2])]
    seeds: Vec<u64>,
    /// Output folder; each seed writes to <out>/seed-<s>.
    #[arg(long, default_value = "runs/sweep")]
    out: PathBuf,
    /// Configuration file for every seed (JSON or TOML); without it,
    /// configs/default.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The smoke configuration.
    #[arg(long)]
    quick: bool,
    /// Backend: flex, ndarray, wgpu, or default (flex).
    #[arg(long, default_value = "default")]
    backend: String,
    /// Print the discover commands instead of running them.
    #[arg(long)]
    print: bool,
    /// Internal: run one seed in this process.
    #[arg(long, hide = true)]
    worker: Option<u64>,
}

fn main() {
    if let Err(error) = main_result(Args::parse()) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn main_result(args: Args) -> Result<()> {
    let io = |source: std::io::Error| CoreError::Io {
        path: args.out.clone(),
        source,
    };
    if let Some(seed) = args.worker {
        let mut config = match &args.config {
            Some(path) => DiscoverConfig::load(path)?,
            None if args.quick => DiscoverConfig::quick(),
            None => DiscoverConfig::job_default()?,
        };
        config.training.seed = seed;
        let device = hyperinterp::backend::device(&args.backend)?;
        run(
            &config,
            &args.out.join(format!("seed-{seed}")),
            &device,
            true,
        )?;
        return Ok(());
    }
    for &seed in &args.seeds {
        let dir = args.out.join(format!("seed-{seed}"));
        let mut flags = vec![
            format!("--seed {seed}"),
            format!("--out {}", dir.display()),
            format!("--backend {}", args.backend),
        ];
        if let Some(path) = &args.config {
            flags.push(format!("--config {}", path.display()));
        }
        if args.quick {
            flags.push("--quick".into());
        }
        if args.print {
            println!(
                "cargo run --release --example discover -- {}",
                flags.join(" ")
            );
            continue;
        }
        eprintln!("seed {seed} -> {}", dir.display());
        let mut command = Command::new(std::env::current_exe().map_err(io)?);
        command
            .arg("--worker")
            .arg(seed.to_string())
            .arg("--out")
            .arg(&args.out)
            .arg("--backend")
            .arg(&args.backend);
        if let Some(path) = &args.config {
            command.arg("--config").arg(path);
        }
        if args.quick {
            command.arg("--quick");
        }
        let status = command.status().map_err(io)?;
        if !status.success() {
            return Err(CoreError::config(
                "seeds",
                format!("seed {seed} failed ({status})"),
            ));
        }
    }
    if !args.print {
        println!(
            "done; merge with: cargo run --release --example merge -- {}",
            args.seeds
                .iter()
                .map(|s| args
                    .out
                    .join(format!("seed-{s}/report.json"))
                    .display()
                    .to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    Ok(())
}
