//! The main job: train the Pareto hyperhypernetwork on the L1 task, map the
//! algorithms it generates over beta, training time and unseen input sizes,
//! and write a report.
//!
//! `cargo run --release --example discover` writes `runs/discover/`:
//! `report.json`, `report.html` (open it in a browser), `networks.safetensors`,
//! and the run's `checkpoint.safetensors`, `metrics.jsonl`, `evaluations.jsonl`.

use std::path::PathBuf;

use clap::Parser;
use hyperinterp::core::{CoreError, Result};
use hyperinterp::discover::{DiscoverConfig, run, summary};

#[derive(Parser, Debug)]
#[command(about = "Reproduce the paper's findings end to end and write a report")]
struct Args {
    /// Output folder.
    #[arg(long, default_value = "runs/discover")]
    out: PathBuf,
    /// Seed of the run (overrides the configuration's).
    #[arg(long)]
    seed: Option<u64>,
    /// Backend: flex, ndarray, wgpu, or default (flex).
    #[arg(long, default_value = "default")]
    backend: String,
    /// Configuration file, JSON (.json) or TOML (anything else); unknown keys
    /// are an error. Without it: configs/default.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// A smoke version of the whole job (tiny model, seconds).
    #[arg(long)]
    quick: bool,
    /// Input sizes never trained on to evaluate, e.g. 5,10,12.
    #[arg(long, value_delimiter = ',')]
    eval_n: Vec<usize>,
    /// Other widths (at the largest trained n) to evaluate.
    #[arg(long, value_delimiter = ',')]
    eval_m: Vec<usize>,
    /// Continue training from <out>/checkpoint.safetensors if present.
    #[arg(long)]
    resume: bool,
    /// Start training from another run's checkpoint, a second stage
    /// (overrides the configuration's `initialise_from`).
    #[arg(long)]
    initialise_from: Option<PathBuf>,
}

fn main() {
    if let Err(error) = main_result(Args::parse()) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn main_result(args: Args) -> Result<()> {
    let mut config = match (&args.config, args.quick) {
        (Some(_), true) => {
            return Err(CoreError::config(
                "--quick",
                "cannot be combined with --config",
            ));
        }
        (Some(path), false) => DiscoverConfig::load(path)?,
        (None, true) => DiscoverConfig::quick(),
        (None, false) => DiscoverConfig::job_default()?,
    };
    if let Some(seed) = args.seed {
        config.training.seed = seed;
    }
    if args.initialise_from.is_some() {
        config.initialise_from = args.initialise_from;
    }
    if !args.eval_n.is_empty() {
        config.generalization.n = args.eval_n;
    }
    if !args.eval_m.is_empty() {
        config.generalization.m = args.eval_m;
    }
    let device = hyperinterp::backend::device(&args.backend)?;
    let report = run(&config, &args.out, &device, args.resume)?;
    print!("{}", summary(&report));
    println!("report: {}", args.out.join("report.html").display());
    Ok(())
}
