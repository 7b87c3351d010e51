//! Labels the networks a trained model generates on a beta grid twice: from
//! their mean weights (what `discover` reports) and from their sampled
//! weights (where a function that lives in the weight noise shows up), with
//! the sampled networks' mean locality L, convex share K, convex evidence Z
//! and its share Z / √k.
//!
//! `cargo run --release --example sampled_labels -- runs/discover/checkpoint.safetensors [--convexity-max-locality 0.75]`

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Parser;
use hyperinterp::core::{Result, Sizes};
use hyperinterp::l1::L1Task;
use hyperinterp::pareto::Generator;
use hyperinterp::phases::{Classifier, ClassifierConfig};

#[derive(Parser, Debug)]
#[command(about = "Compare labels of mean-weight and sampled networks across beta")]
struct Args {
    /// A checkpoint written by discover or the Pareto trainer.
    checkpoint: PathBuf,
    /// Input size n.
    #[arg(long, default_value_t = 8)]
    n: usize,
    /// Hidden width m.
    #[arg(long, default_value_t = 24)]
    m: usize,
    /// Networks per beta.
    #[arg(long, default_value_t = 32)]
    networks: usize,
    /// Betas on the grid.
    #[arg(long, default_value_t = 13)]
    betas: usize,
    /// Override the classifier's largest locality of a convexity network.
    #[arg(long)]
    convexity_max_locality: Option<f64>,
    /// Seed of the generated networks.
    #[arg(long, default_value_t = 5)]
    seed: u64,
}

fn main() {
    if let Err(error) = main_result(Args::parse()) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn main_result(args: Args) -> Result<()> {
    let device = hyperinterp::backend::device("default")?;
    let generator = Generator::load(&args.checkpoint, &device)?;
    let mut config = ClassifierConfig::default();
    if let Some(bound) = args.convexity_max_locality {
        config.convexity_max_locality = bound;
    }
    let classifier = Classifier::new(config)?;
    let task = L1Task::default();
    let betas = generator.config().pareto.grid(args.betas);
    let sizes = Sizes::new(args.n, args.m)?;
    let generated =
        generator.generate_many(&task, &betas, sizes, args.networks, 4096, args.seed)?;
    println!(
        "{:>8} {:>7} {:>5} {:>5} {:>5} {:>6}  sampled labels | mean-weight labels",
        "beta", "nmse", "L", "K", "Z", "Z/√k"
    );
    for (beta, networks) in betas.iter().zip(generated) {
        let (mut sampled, mut mean) = (BTreeMap::new(), BTreeMap::new());
        let (mut locality, mut convex_share, mut evidence, mut share, mut nmse) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        for network in &networks {
            let from_samples = classifier.classify(&network.sampled, network.nmse)?;
            let from_means = classifier.classify(&network.mean, network.nmse_mean_weights)?;
            *sampled.entry(from_samples.algorithm.name()).or_insert(0) += 1;
            *mean.entry(from_means.algorithm.name()).or_insert(0) += 1;
            locality += from_samples.order_parameters.locality;
            convex_share += from_samples.order_parameters.convex_share;
            evidence += from_samples.order_parameters.convex_evidence;
            share += from_samples.order_parameters.convex_evidence_share();
            nmse += network.nmse;
        }
        let count = networks.len() as f64;
        println!(
            "{beta:>8.1e} {:>7.3} {:>5.2} {:>5.2} {:>5.2} {:>6.2}  {sampled:?} | {mean:?}",
            nmse / count,
            locality / count,
            convex_share / count,
            evidence / count,
            share / count
        );
    }
    Ok(())
}
