//! `hyperinterp merge`: seed statistics from several reports.

use std::path::PathBuf;

use clap::Args;
use hyperinterp_core::{CoreError, Result, export::write_atomic};
use hyperinterp_report::Report;

use crate::discover::{AlgorithmAcrossSeeds, SweepSummary, merge};

/// Combine the `report.json` of several seeds: in how many seeds each
/// algorithm is the majority somewhere on the beta grid, where, and its
/// peak fraction per seed; pooled and per trained size.
#[derive(Args, Debug, Clone)]
pub struct MergeArgs {
    /// report.json files (or the folders holding them).
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// Where to write the merged statistics as JSON.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Pool blind and guided runs together (refused otherwise); the merged
    /// statistics then count as guided.
    #[arg(long)]
    pub allow_mixed_guidance: bool,
}

/// Reads a `report.json`, or the one inside a folder.
pub fn read_report(path: &std::path::Path) -> Result<Report> {
    let path = if path.is_dir() {
        path.join("report.json")
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&path).map_err(|source| CoreError::Io {
        path: path.clone(),
        source,
    })?;
    Report::from_json(&text)
}

/// Merges and prints.
pub fn run(args: MergeArgs) -> Result<()> {
    let reports = args
        .reports
        .iter()
        .map(|path| read_report(path))
        .collect::<Result<Vec<_>>>()?;
    let summary = merge(&reports, args.allow_mixed_guidance)?;
    print_summary(&summary);
    if let Some(out) = &args.out {
        write_atomic(out, serde_json::to_string_pretty(&summary)?.as_bytes())?;
    }
    Ok(())
}

/// Prints a merged summary: blind or guided, then one table pooled and one
/// per trained size.
pub fn print_summary(summary: &SweepSummary) {
    println!("{}", summary.guidance.sentence());
    println!("pooled over the trained sizes ({} seeds):", summary.seeds);
    print_algorithms(&summary.algorithms, summary.seeds);
    for size in &summary.by_size {
        println!("n = {}, m = {} ({} seeds):", size.n, size.m, size.seeds);
        print_algorithms(&size.algorithms, size.seeds);
    }
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
