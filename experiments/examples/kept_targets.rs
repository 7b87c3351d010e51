//! Labels the persistent refinement targets a run keeps in its checkpoint
//! (`[training.semi_amortised] persistent = true`): the networks the pull
//! drew the generator toward, from their mean weights, per training size and
//! group, with their NMSE and pudding slope P. Each group's beta is drawn
//! anew at every step inside its stratum of the log range; the midpoint is
//! printed.
//!
//! `cargo run --release --example kept_targets -- runs/persistent-targets/checkpoint.safetensors`

use std::path::PathBuf;

use clap::Parser;
use hyperinterp::core::{CoreError, Result, Task};
use hyperinterp::l1::L1Task;
use hyperinterp::pareto::Checkpoint;
use hyperinterp::phases::Classifier;

#[derive(Parser, Debug)]
#[command(about = "Label the persistent refinement targets kept in a checkpoint")]
struct Args {
    /// A checkpoint of a run with persistent targets.
    checkpoint: PathBuf,
    /// Fresh inputs per network for the NMSE.
    #[arg(long, default_value_t = 4096)]
    inputs: usize,
}

fn main() {
    if let Err(error) = main_result(Args::parse()) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn main_result(args: Args) -> Result<()> {
    let checkpoint = Checkpoint::load(&args.checkpoint)?;
    if checkpoint.targets.iter().all(Option::is_none) {
        return Err(CoreError::config(
            "checkpoint",
            "keeps no targets: train with [training.semi_amortised] persistent = true",
        ));
    }
    let config = &checkpoint.config;
    let (classifier, task) = (Classifier::default(), L1Task::default());
    let (low, high) = (
        config.pareto.beta_min.log10(),
        config.pareto.beta_max.log10(),
    );
    println!("kept targets' labels (NMSE, P), from their mean weights");
    let targets = checkpoint.kept_targets(&hyperinterp::backend::device("default")?)?;
    for (target, sizes) in targets.iter().zip(&config.sizes) {
        let Some(target) = target else { continue };
        let networks = target.mean_networks(&config.hypernetwork)?.to_mlps()?;
        for (group, row) in networks.chunks(config.networks).enumerate() {
            let middle = (group as f64 + 0.5) / config.groups as f64;
            let beta = 10f64.powf(low + middle * (high - low));
            let mut line = format!("n = {}, m = {}, beta ~ {beta:.1e}:", sizes.n, sizes.m);
            for (network, mlp) in row.iter().enumerate() {
                let seed = (group * config.networks + network) as u64;
                let nmse = task.nmse_of(mlp, args.inputs, seed)?;
                let label = classifier.classify(mlp, nmse)?;
                line += &format!(
                    " {} ({nmse:.3}, {:.2})",
                    label.algorithm.name(),
                    label.order_parameters.pudding_slope
                );
            }
            println!("{line}");
        }
    }
    Ok(())
}
