//! The `hyperinterp` command: the main job and its companions as clap
//! subcommands (`discover`, `sweep`, `merge`, `generate`, `classify`,
//! `demo`). The binary (`cargo install --path .`, then `hyperinterp --help`)
//! and the examples of the same names (`cargo run --release --example
//! discover`) run this one implementation.
//!
//! ```
//! use clap::Parser;
//! use hyperinterp::cli::{Cli, Command};
//! let cli = Cli::try_parse_from(["hyperinterp", "discover", "--quick", "--out", "runs/q"]).unwrap();
//! assert!(matches!(cli.command, Command::Discover(ref args) if args.quick));
//! assert!(Cli::try_parse_from(["hyperinterp", "discover", "--no-such-flag"]).is_err());
//! ```

pub mod classify;
pub mod demo;
pub mod discover;
pub mod generate;
pub mod merge;
pub mod slurm;
pub mod sweep;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hyperinterp_core::Result;

/// Generate small neural networks whose algorithm a person can read.
#[derive(Parser, Debug)]
#[command(name = "hyperinterp", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train the Pareto hyperhypernetwork and write the report (the main job).
    Discover(discover::DiscoverArgs),
    /// Run `discover` for several seeds, then merge their reports.
    Sweep(sweep::SweepArgs),
    /// Combine the reports of several seeds into seed statistics.
    Merge(merge::MergeArgs),
    /// Write a trained model's networks at chosen betas to a file.
    Generate(generate::GenerateArgs),
    /// Name the algorithm of each network in JSON or safetensors files.
    Classify(classify::ClassifyArgs),
    /// Write a demo report (made-up rows, clearly marked) to look at.
    Demo(demo::DemoArgs),
}

impl Command {
    /// Runs the subcommand.
    pub fn run(self) -> Result<()> {
        match self {
            Command::Discover(args) => discover::run(args),
            Command::Sweep(args) => sweep::run(args),
            Command::Merge(args) => merge::run(args),
            Command::Generate(args) => generate::run(args),
            Command::Classify(args) => classify::run(args),
            Command::Demo(args) => demo::run(args),
        }
    }
}

/// Parses the process's arguments and runs them; `subcommand`, when given,
/// is put before them (an example named after a subcommand runs exactly
/// it). Errors are printed and give exit status 1.
pub fn main_with(subcommand: Option<&str>) -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if let Some(name) = subcommand {
        args.insert(1.min(args.len()), name.into());
    }
    let cli = Cli::parse_from(args);
    match cli.command.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
