//! `hyperinterp generate`: a trained model's networks at chosen betas.

use std::path::PathBuf;

use clap::Args;
use hyperinterp_core::{Beta, CoreError, Result, Sizes, export};
use hyperinterp_l1::L1Task;
use hyperinterp_pareto::{Generator, LabelWeights};
use hyperinterp_phases::{Classifier, ClassifierConfig};
use serde_json::json;

/// Generate networks from a trained model and write them in the core export
/// format (safetensors or JSON, by the file's extension). Prints one JSON
/// line per network: beta, NMSE (sampled and mean weights), KL, label, order
/// parameters and formula. The file holds the mean weights unless
/// `--sampled`; labels are read from the same weights.
#[derive(Args, Debug, Clone)]
pub struct GenerateArgs {
    /// A checkpoint written by discover or the Pareto trainer.
    pub checkpoint: PathBuf,
    /// Betas to generate at, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1e-6")]
    pub betas: Vec<f64>,
    /// Input size n.
    #[arg(long, default_value_t = 8)]
    pub n: usize,
    /// Hidden width m (default 3n).
    #[arg(long)]
    pub m: Option<usize>,
    /// Networks per beta.
    #[arg(long, default_value_t = 8)]
    pub count: usize,
    /// Seed of the generated networks and of the inputs that score them.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Inputs per network for its NMSE.
    #[arg(long, default_value_t = 20_000)]
    pub inputs: usize,
    /// Write (and label) the sampled weights instead of the mean weights.
    #[arg(long)]
    pub sampled: bool,
    /// Where to write the networks: `.safetensors` or `.json`.
    #[arg(long, default_value = "runs/generated.safetensors")]
    pub out: PathBuf,
    /// Backend: flex, ndarray, wgpu, or default (flex).
    #[arg(long, default_value = "default")]
    pub backend: String,
}

/// Generates, prints one JSON line per network and writes the file.
pub fn run(args: GenerateArgs) -> Result<()> {
    // Checked before any work: a bad beta is an error, not a garbage network.
    for &beta in &args.betas {
        Beta::new(beta)?;
    }
    let device = crate::backend::device(&args.backend)?;
    let generator = Generator::load(&args.checkpoint, &device)?;
    let sizes = Sizes::new(args.n, args.m.unwrap_or(3 * args.n))?;
    let classifier = Classifier::new(ClassifierConfig::default())?;
    let which = if args.sampled {
        LabelWeights::Sampled
    } else {
        LabelWeights::Mean
    };
    let generated = generator.generate_many(
        &L1Task::default(),
        &args.betas,
        sizes,
        args.count,
        args.inputs,
        args.seed,
    )?;
    let mut networks = Vec::with_capacity(args.betas.len() * args.count);
    for network in generated.iter().flatten() {
        let (weights, nmse) = network.weights(which);
        let result = classifier.classify(weights, nmse)?;
        let order = &result.order_parameters;
        let line = json!({
            "index": networks.len(),
            "beta": network.beta,
            "n": sizes.n,
            "m": sizes.m,
            "nmse": network.nmse,
            "nmse_mean_weights": network.nmse_mean_weights,
            "kl": network.kl,
            "node_kl": network.node_kl,
            "weight_kl": network.weight_kl,
            "labelled_weights": if args.sampled { "sampled" } else { "mean" },
            "algorithm": result.algorithm,
            "locality": order.locality,
            "double_sidedness": order.double_sidedness,
            "pudding_slope": order.pudding_slope,
            "inputs_read_on_both_sides": order.count_inputs_read_on_both_sides(),
            "side_balances": order.inputs.iter().map(|input| input.balance()).collect::<Vec<_>>(),
            "side_importances": order
                .inputs
                .iter()
                .map(|input| [input.positive_importance, input.negative_importance])
                .collect::<Vec<_>>(),
            "description": classifier.describe(weights)?,
        });
        println!("{line}");
        networks.push(weights.clone());
    }
    if let Some(dir) = args.out.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CoreError::config("--out", format!("{}: {e}", dir.display())))?;
    }
    export::save(&args.out, &networks)?;
    eprintln!(
        "{} networks written to {}",
        networks.len(),
        args.out.display()
    );
    Ok(())
}
