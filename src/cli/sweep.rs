//! `hyperinterp sweep`: `discover` for several seeds, then their merge.

use std::path::PathBuf;

use clap::Args;
use hyperinterp_core::{Result, export::write_atomic};
use hyperinterp_report::Report;

use super::discover::DiscoverArgs;
use super::merge::print_summary;
use crate::discover::{merge, run as run_job};

/// Run `discover` for each seed into `<out>/seed-<s>/` (one after another,
/// each resumable), then merge the reports into `<out>/merged.json`.
#[derive(Args, Debug, Clone)]
pub struct SweepArgs {
    /// Seeds to run.
    #[arg(long, value_delimiter = ',', default_values_t = [0u64, 1, 2])]
    pub seeds: Vec<u64>,
    /// Output folder; each seed writes to <out>/seed-<s>.
    #[arg(long, default_value = "runs/sweep")]
    pub out: PathBuf,
    /// Configuration file for every seed (JSON or TOML); without it, the
    /// job's default (blind).
    #[arg(long, conflicts_with = "quick")]
    pub config: Option<PathBuf>,
    /// The smoke configuration.
    #[arg(long)]
    pub quick: bool,
    /// Backend: flex, ndarray, wgpu, or default (flex).
    #[arg(long, default_value = "default")]
    pub backend: String,
    /// Print one `hyperinterp discover` command per seed instead of running
    /// them (for a job array or other machines).
    #[arg(long)]
    pub print: bool,
    /// Slurm: write (and submit) a job array instead of running here.
    #[command(flatten)]
    pub slurm: super::slurm::SlurmArgs,
}

impl SweepArgs {
    /// The `discover` arguments of one seed.
    pub fn seed_args(&self, seed: u64) -> DiscoverArgs {
        DiscoverArgs {
            out: self.out.join(format!("seed-{seed}")),
            seed: Some(seed),
            backend: self.backend.clone(),
            config: self.config.clone(),
            quick: self.quick,
            eval_n: Vec::new(),
            eval_m: Vec::new(),
            resume: true,
            initialise_from: None,
        }
    }
}

/// Runs (or prints) every seed, then merges.
pub fn run(args: SweepArgs) -> Result<()> {
    if args.slurm.slurm {
        return super::slurm::run(&args);
    }
    if args.print {
        for &seed in &args.seeds {
            let seed_args = args.seed_args(seed);
            let mut line = format!(
                "hyperinterp discover --seed {seed} --out {} --backend {} --resume",
                seed_args.out.display(),
                args.backend
            );
            if let Some(path) = &args.config {
                line.push_str(&format!(" --config {}", path.display()));
            }
            if args.quick {
                line.push_str(" --quick");
            }
            println!("{line}");
        }
        return Ok(());
    }
    let device = crate::backend::device(&args.backend)?;
    let mut reports: Vec<Report> = Vec::with_capacity(args.seeds.len());
    for &seed in &args.seeds {
        let seed_args = args.seed_args(seed);
        eprintln!("seed {seed} -> {}", seed_args.out.display());
        reports.push(run_job(
            &seed_args.config()?,
            &seed_args.out,
            &device,
            true,
        )?);
    }
    let summary = merge(&reports, false)?;
    print_summary(&summary);
    let merged = args.out.join("merged.json");
    write_atomic(&merged, serde_json::to_string_pretty(&summary)?.as_bytes())?;
    println!("merged: {}", merged.display());
    Ok(())
}
