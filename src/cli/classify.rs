//! `hyperinterp classify`: name the algorithm of networks in files.

use std::path::{Path, PathBuf};

use clap::Args;
use hyperinterp_core::{CoreError, Mlp, Result, Sign, Task, export};
use hyperinterp_l1::{self as l1, ConvexityConfig, L1Task, SHARPNESS};
use hyperinterp_phases::{Classifier, ClassifierConfig};
use serde_json::json;

/// Name the algorithm of each network in JSON or safetensors files (the
/// core export formats, e.g. written from PyTorch with numpy and
/// safetensors): one JSON line per network with its order parameters, label
/// and a formula a person can check against the weights.
#[derive(Args, Debug, Clone)]
pub struct ClassifyArgs {
    /// Network files (.json or .safetensors).
    #[arg(required_unless_present = "demo")]
    pub files: Vec<PathBuf>,
    /// Each network's NMSE on the L1 task; without it, measured on
    /// `--samples` fresh Gaussian inputs.
    #[arg(long)]
    pub nmse: Option<f64>,
    /// Fresh inputs for the measured NMSE.
    #[arg(long, default_value_t = 20_000)]
    pub samples: usize,
    /// Classifier thresholds, a `ClassifierConfig` as JSON (missing fields
    /// keep their defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Write the hand-written algorithms to files and classify those.
    #[arg(long)]
    pub demo: bool,
}

/// Writes the hand-written algorithms at n = 8, m = 24 to a JSON and a
/// safetensors file in the temporary folder and returns their paths.
fn demo_files() -> Result<Vec<PathBuf>> {
    let (n, m) = (8, 24);
    let networks = [
        l1::double_sided(n, m, SHARPNESS)?,
        l1::pudding(n, m, Sign::Positive, SHARPNESS, 1.0)?,
        l1::pudding(n, m, Sign::Negative, SHARPNESS, 1.0)?,
        l1::spread_out_pudding(n, m, Sign::Negative, SHARPNESS, 1.0)?,
        l1::convexity(n, m, &ConvexityConfig::default())?,
    ];
    let dir =
        std::env::temp_dir().join(format!("hyperinterp-classify-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| CoreError::config("--demo", format!("{}: {e}", dir.display())))?;
    let (json, safetensors) = (dir.join("demo.json"), dir.join("demo.safetensors"));
    export::save_json(&json, &networks[..3])?;
    export::save_safetensors(&safetensors, &networks[3..])?;
    Ok(vec![json, safetensors])
}

fn classify_file(
    path: &Path,
    arguments: &ClassifyArgs,
    classifier: &Classifier,
    task: &L1Task,
) -> Result<()> {
    let networks: Vec<Mlp> = export::load(path)?;
    for (index, net) in networks.iter().enumerate() {
        // A seed no constructor or trainer uses, so the NMSE is out of sample.
        let nmse = match arguments.nmse {
            Some(nmse) => nmse,
            None => task.nmse_of(net, arguments.samples, 0x5eed_c1a5)?,
        };
        let result = classifier.classify(net, nmse)?;
        let order = &result.order_parameters;
        let line = json!({
            "file": path.display().to_string(),
            "index": index,
            "n": net.n,
            "m": net.m,
            "activation": net.activation.name(),
            "nmse": nmse,
            "algorithm": result.algorithm,
            "locality": order.locality,
            "double_sidedness": order.double_sidedness,
            "pudding_slope": order.pudding_slope,
            "convex_share": order.convex_share,
            "majority_side": order.majority_side,
            "local": order.count_local(),
            "dense": order.count_dense(),
            "always_on": order.count_always_on(),
            "unused": order.count_unused(),
            "description": classifier.describe(net)?,
        });
        println!("{line}");
    }
    Ok(())
}

/// Classifies every network of every file.
pub fn run(mut arguments: ClassifyArgs) -> Result<()> {
    let config: ClassifierConfig = match &arguments.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CoreError::config("--config", format!("{}: {e}", path.display())))?;
            serde_json::from_str(&text)?
        }
        None => ClassifierConfig::default(),
    };
    let demo = if arguments.demo {
        let files = demo_files()?;
        arguments.files.extend(files.iter().cloned());
        files
    } else {
        Vec::new()
    };
    let classifier = Classifier::new(config)?;
    let task = L1Task::default();
    let result = arguments
        .files
        .iter()
        .try_for_each(|path| classify_file(path, &arguments, &classifier, &task));
    if let Some(dir) = demo.first().and_then(|file| file.parent()) {
        // Best effort: the demo files are scratch.
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}
