//! `hyperinterp discover`: the main job.

use std::path::PathBuf;

use clap::Args;
use hyperinterp_core::{CoreError, Result};

use crate::discover::{DiscoverConfig, run as run_job, summary};

/// Train the Pareto hyperhypernetwork on the L1 task, map the algorithms it
/// generates over beta, training time and unseen sizes, and write
/// `report.html`, `report.json` and `networks.safetensors` into `--out`.
#[derive(Args, Debug, Clone)]
pub struct DiscoverArgs {
    /// Output folder.
    #[arg(long, default_value = "runs/discover")]
    pub out: PathBuf,
    /// Seed of the run (overrides the configuration's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Backend: flex, ndarray, wgpu, or default (flex).
    #[arg(long, default_value = "default")]
    pub backend: String,
    /// Configuration file, JSON (.json) or TOML; unknown keys are an error.
    /// Without it: the job's default, `DiscoverConfig::default()` (blind);
    /// `configs/` holds named ones.
    #[arg(long, conflicts_with = "quick")]
    pub config: Option<PathBuf>,
    /// A smoke version of the whole job (tiny model, under a minute).
    #[arg(long)]
    pub quick: bool,
    /// Input sizes never trained on to evaluate, e.g. 5,10,12.
    #[arg(long, value_delimiter = ',')]
    pub eval_n: Vec<usize>,
    /// Other widths (at the largest trained n) to evaluate.
    #[arg(long, value_delimiter = ',')]
    pub eval_m: Vec<usize>,
    /// Continue training from <out>/checkpoint.safetensors if present.
    #[arg(long)]
    pub resume: bool,
    /// Start training from another run's checkpoint, a second stage
    /// (overrides the configuration's `initialise_from`).
    #[arg(long)]
    pub initialise_from: Option<PathBuf>,
}

impl DiscoverArgs {
    /// The configuration these arguments ask for.
    pub fn config(&self) -> Result<DiscoverConfig> {
        let mut config = match (&self.config, self.quick) {
            (Some(_), true) => {
                return Err(CoreError::config(
                    "--quick",
                    "cannot be combined with --config",
                ));
            }
            (Some(path), false) => DiscoverConfig::load(path)?,
            (None, true) => DiscoverConfig::quick(),
            (None, false) => DiscoverConfig::default(),
        };
        if let Some(seed) = self.seed {
            config.training.seed = seed;
        }
        if self.initialise_from.is_some() {
            config.initialise_from = self.initialise_from.clone();
        }
        if !self.eval_n.is_empty() {
            config.generalization.n = self.eval_n.clone();
        }
        if !self.eval_m.is_empty() {
            config.generalization.m = self.eval_m.clone();
        }
        Ok(config)
    }
}

/// Runs the job and prints its summary.
pub fn run(args: DiscoverArgs) -> Result<()> {
    let config = args.config()?;
    let device = crate::backend::device(&args.backend)?;
    let report = run_job(&config, &args.out, &device, args.resume)?;
    print!("{}", summary(&report));
    println!("report: {}", args.out.join("report.html").display());
    Ok(())
}
