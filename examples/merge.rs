//! Combines the `report.json` of several seeds into seed statistics: how often
//! each algorithm is the majority somewhere on the beta grid, and where.
//!
//! `cargo run --release --example merge -- runs/sweep/seed-*/report.json [--out runs/sweep/merged.json]`

use std::path::PathBuf;

use clap::Parser;
use hyperinterp::core::{CoreError, Result, export::write_atomic};
use hyperinterp::discover::{AlgorithmAcrossSeeds, merge};
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
    println!("pooled over the trained sizes ({} seeds):", summary.seeds);
    print_algorithms(&summary.algorithms, summary.seeds);
    for size in &summary.by_size {
        println!("n = {}, m = {} ({} seeds):", size.n, size.m, size.seeds);
        print_algorithms(&size.algorithms, size.seeds);
    }
    if let Some(out) = &args.out {
        write_atomic(out, serde_json::to_string_pretty(&summary)?.as_bytes())?;
    }
    Ok(())
}

/// One line per label: seeds where it is the majority, their beta ranges,
/// and its peak fraction in each seed.
fn print_algorithms(algorithms: &[AlgorithmAcrossSeeds], seeds: usize) {
    println!(
        "{:>17}  {:>6}  {:<28}  beta ranges where it is the majority",
        "algorithm", "seeds", "peak fraction per seed"
    );
    for algorithm in algorithms {
        let ranges: Vec<String> = algorithm
            .beta_ranges
            .iter()
            .map(|[low, high]| format!("[{low:.1e}, {high:.1e}]"))
            .collect();
        let peaks: Vec<String> = algorithm
            .peak_fractions
            .iter()
            .map(|peak| format!("{:.0}%", peak * 100.0))
            .collect();
        println!(
            "{:>17}  {:>3}/{:<2}  {:<28}  {}",
            algorithm.label,
            algorithm.seeds_with_majority,
            seeds,
            peaks.join(" "),
            ranges.join(" ")
        );
    }
}
