//! Combines the `report.json` of several seeds into seed statistics: how often
//! each algorithm is the majority somewhere on the beta grid, and where.
//!
//! `cargo run --release --example merge -- runs/sweep/seed-*/report.json [--out runs/sweep/merged.json]`

use std::path::PathBuf;

use clap::Parser;
use hyperinterp::core::{CoreError, Result, export::write_atomic};
use hyperinterp::discover::merge;
use hyperinterp::report::Report;

#[derive(Parser, Debug)]
#[command(about = "Merge discover reports of several seeds")]
struct Args {
    /// report.json files (or the folders holding them).
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    /// Where to write the merged statistics as JSON.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() {
    if let Err(error) = main_result(Args::parse()) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn main_result(args: Args) -> Result<()> {
    let reports = args
        .reports
        .iter()
        .map(|path| {
            let path = if path.is_dir() {
                path.join("report.json")
            } else {
                path.clone()
            };
            let text = std::fs::read_to_string(&path).map_err(|source| CoreError::Io {
                path: path.clone(),
                source,
            })?;
            Report::from_json(&text)
        })
        .collect::<Result<Vec<_>>>()?;
    let summary = merge(&reports)?;
    println!(
        "{:>17}  {:>6}  beta ranges where it is the majority",
        "algorithm", "seeds"
    );
    for algorithm in &summary.algorithms {
        let ranges: Vec<String> = algorithm
            .beta_ranges
            .iter()
            .map(|[low, high]| format!("[{low:.1e}, {high:.1e}]"))
            .collect();
        println!(
            "{:>17}  {:>3}/{:<2}  {}",
            algorithm.label,
            algorithm.seeds_with_majority,
            summary.seeds,
            ranges.join(" ")
        );
    }
    if let Some(out) = &args.out {
        write_atomic(out, serde_json::to_string_pretty(&summary)?.as_bytes())?;
    }
    Ok(())
}
