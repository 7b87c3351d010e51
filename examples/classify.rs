//! Names the algorithm of each network in JSON or safetensors files (the
//! core export formats): one JSON line per network with its order
//! parameters, label and a formula a person can check against the weights.
//!
//! ```sh
//! cargo run --release --example classify -- nets.json more.safetensors
//! cargo run --release --example classify -- nets.json --nmse 0.01 --config thresholds.json
//! cargo run --release --example classify -- --demo   # writes and reads the hand-written algorithms
//! ```
//!
//! Without `--nmse`, each network's NMSE on the L1 task is measured on
//! `--samples` (default 20 000) fresh Gaussian inputs. `--config` reads a
//! `ClassifierConfig` (JSON; missing fields keep their defaults).

use std::path::{Path, PathBuf};

use hyperinterp::core::{CoreError, Mlp, Result, Sign, Task, export};
use hyperinterp::l1::{self, ConvexityConfig, L1Task, SHARPNESS};
use hyperinterp::phases::{Classifier, ClassifierConfig};
use serde_json::json;

const USAGE: &str =
    "usage: classify FILE... [--nmse X] [--samples N] [--config FILE.json] | --demo";

fn main() {
    if let Err(error) = run() {
        eprintln!("error: {error}\n{USAGE}");
        std::process::exit(1);
    }
}

struct Arguments {
    files: Vec<PathBuf>,
    nmse: Option<f64>,
    samples: usize,
    config: ClassifierConfig,
    demo: bool,
}

fn parse() -> Result<Arguments> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Arguments {
        files: Vec::new(),
        nmse: None,
        samples: 20_000,
        config: ClassifierConfig::default(),
        demo: false,
    };
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .ok_or_else(|| CoreError::config(flag, "needs a value"))
        };
        match arg.as_str() {
            "--nmse" => {
                let text = value("--nmse")?;
                let nmse = text.parse().map_err(|_| {
                    CoreError::config("--nmse", format!("must be a number, got {text:?}"))
                })?;
                parsed.nmse = Some(nmse);
            }
            "--samples" => {
                let text = value("--samples")?;
                parsed.samples = text.parse().map_err(|_| {
                    CoreError::config("--samples", format!("must be an integer, got {text:?}"))
                })?;
            }
            "--config" => {
                let path = PathBuf::from(value("--config")?);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    CoreError::config("--config", format!("{}: {e}", path.display()))
                })?;
                parsed.config = serde_json::from_str(&text)?;
            }
            "--demo" => parsed.demo = true,
            flag if flag.starts_with("--") => {
                return Err(CoreError::config(flag, "is not a known flag"));
            }
            file => parsed.files.push(PathBuf::from(file)),
        }
    }
    if parsed.files.is_empty() && !parsed.demo {
        return Err(CoreError::config(
            "FILE",
            "give at least one network file (or --demo)",
        ));
    }
    Ok(parsed)
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
    arguments: &Arguments,
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

fn run() -> Result<()> {
    let mut arguments = parse()?;
    let demo = if arguments.demo {
        let files = demo_files()?;
        arguments.files.extend(files.iter().cloned());
        files
    } else {
        Vec::new()
    };
    let classifier = Classifier::new(arguments.config.clone())?;
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
