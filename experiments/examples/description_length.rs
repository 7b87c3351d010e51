//! Which algorithm does the objective itself prefer? For each beta, fits a
//! weight posterior (`hyperinterp_hvae::fit_posterior`: `NMSE + beta · KL`,
//! the hypernetwork's priors) starting from each hand-written algorithm and
//! from the network Adam finds, and prints the free energy each start ends
//! at, its NMSE, KL (description length, nats) and the label of its mean
//! network. The lowest free energy at a beta is the algorithm a perfect
//! hypernetwork would write there; a start that relaxes into another label
//! shows its basin is not stable at that price.
//!
//! With `--checkpoint FILE`, the networks a trained model generates at each
//! beta are starts too (`--generated K` of them): the free energy they start
//! at (the generator's own `NMSE + beta · weight KL`) against the one they
//! reach measures the amortisation gap, and their labels before and after
//! say which algorithm's basin the generator wrote them in.
//!
//! With `--homotopy`, two chains more: from the `adam` start (blind: it
//! knows nothing of the hand-written solutions), a fit at the lowest beta,
//! then each next beta's fit started from the previous fit's mean, up the
//! grid ("homotopy up") and down it ("homotopy down"). A basin the objective
//! prefers but a single descent misses may be reached along the beta path.
//!
//! `cargo run --release --example description_length -- [--n 8 --m 24] [--steps 3000] [--sharpness 4 | 1,1.4,2] [--priors 1,1,1,1] [--activation relu] [--fixed-std --initial-std 0.001] [--betas 1e-6,1e-5,...] [--checkpoint runs/discover/checkpoint.safetensors --generated 8 [--describe]] [--homotopy]`
//!
//! Writes `<out>/description_length.json` (default `runs/description_length`).

use std::path::PathBuf;

use clap::Parser;
use hyperinterp::core::{Activation, Beta, CoreError, Mlp, Result, Sign, Sizes, Task};
use hyperinterp::hvae::{
    PosteriorFit, PosteriorFitConfig, PriorScales, fit_posterior, progress_bar,
};
use hyperinterp::l1::{
    AdamBaselineConfig, ConvexityConfig, L1Task, convexity, double_sided, pudding,
    spread_out_pudding, train_adam,
};
use hyperinterp::pareto::Generator;
use hyperinterp::phases::{Classifier, LabelCounts, LabelFractions, describe};
use serde::Serialize;

#[derive(Parser, Debug)]
#[command(
    about = "Free energy NMSE + beta·KL of each algorithm, fitted from its hand-written start"
)]
struct Args {
    /// Input size n.
    #[arg(long, default_value_t = 8)]
    n: usize,
    /// Hidden width m.
    #[arg(long, default_value_t = 24)]
    m: usize,
    /// Adam steps per fit.
    #[arg(long, default_value_t = 3000)]
    steps: usize,
    /// Comma-separated betas.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1e-6,1e-5,1e-4,3e-4,1e-3,2e-3,3e-3,5e-3,1e-2"
    )]
    betas: Vec<f64>,
    /// Sharpness k of the hand-written starts' one-input neurons (moderate,
    /// so that every start can still move: sharp weights are costly and slow
    /// to shrink). Several, comma-separated, give each hand-written
    /// algorithm a start at each: a fit does not travel far along the
    /// sharpness (under ReLU a free rescaling, `k` in and `1/k` out), so a
    /// fair comparison takes each algorithm's lowest over a few.
    #[arg(long, value_delimiter = ',', default_value = "4")]
    sharpness: Vec<f32>,
    /// Peak learning rate of each fit (means and log-stds are in prior units).
    #[arg(long, default_value_t = 3e-2)]
    learning_rate: f64,
    /// Seed of the fits' draws (and of the Adam start).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The weight prior's scales `weight,bias,output_weight,output_bias`
    /// (`hyperinterp_hvae::PriorScales`: sigma0 of W is weight/sqrt(n), of
    /// b is bias, of a is output_weight/sqrt(m), of c is output_bias·n):
    /// which algorithm the objective prefers depends on what it prices.
    /// Default: the checkpoint's priors with `--checkpoint`, else 1,1,1,1.
    #[arg(long, value_delimiter = ',')]
    priors: Option<Vec<f64>>,
    /// The hidden nonlinearity of every hand-written and Adam start:
    /// `swish` or `relu` (generated starts keep their model's). Under ReLU
    /// the double-sided and pudding starts are exact at any sharpness, so
    /// only what each costs tells them apart.
    #[arg(long, default_value = "swish", value_parser = Activation::from_name)]
    activation: Activation,
    /// Adam steps of the `adam` start before its fit; 1 makes it (nearly)
    /// the random initialisation, so its fit is a priced descent from
    /// scratch.
    #[arg(long, default_value_t = 3000)]
    adam_steps: usize,
    /// Keep every std at `--initial-std` prior stds (`PosteriorFitConfig::fixed_std`):
    /// the starts are then priced by the size of their weights alone (an L2
    /// price), the description length's precision part being a constant.
    #[arg(long)]
    fixed_std: bool,
    /// The posterior's std at the start, in prior stds.
    #[arg(long, default_value_t = 0.01)]
    initial_std: f64,
    /// Output folder.
    #[arg(long, default_value = "runs/description_length")]
    out: PathBuf,
    /// Backend: flex, ndarray, wgpu or default.
    #[arg(long, default_value = "default")]
    backend: String,
    /// A checkpoint of a trained model (discover's): its generated networks become starts too.
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Generated networks per beta, with `--checkpoint`.
    #[arg(long, default_value_t = 8)]
    generated: usize,
    /// Also print each generated start's formula before and after its fit
    /// (the JSON always has them).
    #[arg(long)]
    describe: bool,
    /// Also fit two chains along the beta grid from the `adam` start, each
    /// beta's fit started from its neighbour's (see the module doc).
    #[arg(long)]
    homotopy: bool,
}

/// A hand-written start's algorithm and sharpness k.
type HandWritten = (&'static str, f32);

/// A network a fit starts from, with its own label and formula (and, for a
/// generated one, the generator's free energy for it).
#[derive(Clone)]
struct Start {
    name: String,
    hand_written: Option<HandWritten>,
    network: Mlp,
    label: String,
    description: String,
    free_energy: Option<f64>,
}

#[derive(Serialize)]
struct Row {
    beta: f64,
    start: String,
    /// A hand-written start's algorithm (`double_sided`, `pudding`,
    /// `spread_out_pudding`) and sharpness k.
    #[serde(skip_serializing_if = "Option::is_none")]
    algorithm: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sharpness: Option<f32>,
    start_label: String,
    /// A generated start's own `NMSE + beta · weight KL` (sampled weights).
    start_free_energy: Option<f64>,
    free_energy: f64,
    nmse_sampled: f64,
    nmse_mean: f64,
    kl: f64,
    label: String,
    sampled_majority: String,
    sampled_majority_share: f64,
    sampled_fractions: LabelFractions,
    locality: f64,
    double_sidedness: f64,
    pudding_slope: f64,
    /// The start's mean network as a formula.
    start_description: String,
    /// The fitted mean network as a formula.
    description: String,
}

fn main() {
    if let Err(error) = main_result(Args::parse()) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn main_result(args: Args) -> Result<()> {
    let device = hyperinterp::backend::device(&args.backend)?;
    let task = L1Task::default();
    let sizes = Sizes::new(args.n, args.m)?;
    let (n, m) = (sizes.n, sizes.m);
    let adam = AdamBaselineConfig {
        seed: args.seed,
        activation: args.activation,
        steps: args.adam_steps,
        ..Default::default()
    };
    let mut starts: Vec<(String, Option<HandWritten>, Mlp)> = Vec::new();
    for &k in &args.sharpness {
        // Named by sharpness only when there are several.
        let mut push = |algorithm: &'static str, network: Mlp| {
            let name = match args.sharpness.len() {
                1 => algorithm.to_string(),
                _ => format!("{algorithm} k={k}"),
            };
            starts.push((name, Some((algorithm, k)), network));
        };
        push("double_sided", double_sided(n, m, k)?);
        push("pudding", pudding(n, m, Sign::Positive, k, 1.0)?);
        push(
            "spread_out_pudding",
            spread_out_pudding(n, m, Sign::Positive, k, 1.0)?,
        );
    }
    starts.push((
        "convexity".to_string(),
        None,
        convexity(n, m, &ConvexityConfig::default())?,
    ));
    starts.push((
        "adam".to_string(),
        None,
        train_adam(&task, sizes, &adam, &device)?.mlp,
    ));
    let classifier = Classifier::default();
    let label_of = |network: &Mlp, nmse: f64| -> Result<String> {
        Ok(classifier
            .classify(network, nmse)?
            .algorithm
            .name()
            .to_string())
    };
    // Each hand-written start's own label, once: it does not depend on beta.
    let mut fixed_starts = Vec::with_capacity(starts.len());
    for (name, hand_written, mut start) in starts {
        start.activation = args.activation;
        let label = label_of(&start, task.nmse_of(&start, 20_000, 1)?)?;
        fixed_starts.push(Start {
            name,
            hand_written,
            label,
            description: describe(&start)?,
            network: start,
            free_energy: None,
        });
    }
    let generator = match &args.checkpoint {
        Some(path) => Some(Generator::load(path, &device)?),
        None => None,
    };
    // A generated start's own free energy is priced under its model's priors,
    // so by default the fits use those too.
    let model_priors = generator
        .as_ref()
        .map(|g| g.config().hypernetwork.priors.clone());
    let priors = match args.priors.as_deref() {
        None => model_priors.clone().unwrap_or_default(),
        Some(&[weight, bias, output_weight, output_bias]) => PriorScales {
            weight,
            bias,
            output_weight,
            output_bias,
            ..model_priors.clone().unwrap_or_default()
        },
        Some(_) => {
            return Err(CoreError::config(
                "--priors",
                "four scales are needed: weight,bias,output_weight,output_bias",
            ));
        }
    };
    if model_priors.is_some_and(|model| model != priors) {
        eprintln!(
            "note: --priors differ from the checkpoint's; the generated starts' own free \
             energy is priced under the checkpoint's, their fits under --priors"
        );
    }
    let config = PosteriorFitConfig {
        priors,
        steps: args.steps,
        learning_rate: args.learning_rate,
        seed: args.seed,
        fixed_std: args.fixed_std,
        initial_std: args.initial_std,
        ..Default::default()
    };
    let chains = if args.homotopy { 2 } else { 0 };
    let per_beta = fixed_starts.len() + generator.as_ref().map_or(0, |_| args.generated) + chains;
    let bar = progress_bar(args.betas.len() * per_beta, true);
    // The chains: each beta's fit starts from the previous beta's fitted
    // mean, up the sorted grid and down it, from the blind `adam` start.
    let mut homotopy: Vec<(Start, std::collections::HashMap<u64, PosteriorFit>)> = Vec::new();
    if args.homotopy {
        let adam_start = fixed_starts
            .iter()
            .find(|start| start.name == "adam")
            .ok_or(CoreError::Empty)?;
        let mut ascending = args.betas.clone();
        ascending.sort_by(f64::total_cmp);
        for (name, betas) in [
            ("homotopy up", ascending.clone()),
            ("homotopy down", ascending.into_iter().rev().collect()),
        ] {
            let mut network = adam_start.network.clone();
            let mut fits = std::collections::HashMap::new();
            for beta in betas {
                bar.set_message(format!("beta {beta:.0e} {name}"));
                let fit = fit_posterior(&task, &network, Beta::new(beta)?, &config, &device)?;
                network = fit.mean.clone();
                fits.insert(beta.to_bits(), fit);
                bar.inc(1);
            }
            let start = Start {
                name: name.to_string(),
                ..adam_start.clone()
            };
            homotopy.push((start, fits));
        }
    }
    let mut rows = Vec::new();
    for &beta in &args.betas {
        let beta = Beta::new(beta)?;
        let mut generated = Vec::new();
        if let Some(generator) = &generator {
            let networks =
                generator.generate(&task, beta.value(), sizes, args.generated, args.seed)?;
            for (k, network) in networks.into_iter().enumerate() {
                generated.push(Start {
                    name: format!("generated {k}"),
                    hand_written: None,
                    label: label_of(&network.sampled, network.nmse)?,
                    description: describe(&network.mean)?,
                    free_energy: Some(network.nmse + beta.value() * network.weight_kl),
                    network: network.mean,
                });
            }
        }
        let mut fitted: Vec<(&Start, PosteriorFit)> = Vec::new();
        for start in fixed_starts.iter().chain(&generated) {
            bar.set_message(format!("beta {:.0e} {}", beta.value(), start.name));
            fitted.push((
                start,
                fit_posterior(&task, &start.network, beta, &config, &device)?,
            ));
            bar.inc(1);
        }
        let chains = homotopy
            .iter()
            .filter_map(|(start, fits)| fits.get(&beta.value().to_bits()).map(|fit| (start, fit)));
        for (start, fit) in fitted
            .iter()
            .map(|(start, fit)| (*start, fit))
            .chain(chains)
        {
            let classification = classifier.classify(&fit.mean, fit.nmse_mean)?;
            let mut counts = LabelCounts::default();
            for label in classifier.classify_many(&fit.sampled, &fit.sampled_nmse)? {
                counts.add(label.algorithm);
            }
            let sampled_fractions = LabelFractions::from_counts(&counts);
            let (majority, share) = counts.majority().ok_or(CoreError::Empty)?;
            let order = &classification.order_parameters;
            rows.push(Row {
                beta: beta.value(),
                start: start.name.clone(),
                algorithm: start.hand_written.map(|(algorithm, _)| algorithm),
                sharpness: start.hand_written.map(|(_, k)| k),
                start_label: start.label.clone(),
                start_free_energy: start.free_energy,
                free_energy: fit.free_energy(),
                nmse_sampled: fit.nmse_sampled,
                nmse_mean: fit.nmse_mean,
                kl: fit.kl,
                label: classification.algorithm.name().to_string(),
                sampled_majority: majority.name().to_string(),
                sampled_majority_share: share,
                sampled_fractions,
                locality: order.locality,
                double_sidedness: order.double_sidedness,
                pudding_slope: order.pudding_slope,
                start_description: start.description.clone(),
                description: describe(&fit.mean)?,
            });
        }
    }
    bar.finish_and_clear();

    println!(
        "n = {n}, m = {m}, {} steps per fit; lowest free energy per beta marked *",
        args.steps
    );
    println!(
        "{:>8} {:>26} {:>12} {:>8} {:>8} {:>8} {:>2} {:>18} {:>5} {:>5} {:>5} {:>24}",
        "beta",
        "start",
        "free energy",
        "NMSE",
        "NMSE(μ)",
        "KL",
        "",
        "label (μ)",
        "L",
        "D",
        "P",
        "sampled majority"
    );
    for beta_rows in rows.chunks(per_beta) {
        let best = beta_rows
            .iter()
            .map(|row| row.free_energy)
            .fold(f64::INFINITY, f64::min);
        for row in beta_rows {
            println!(
                "{:>8.0e} {:>26} {:>12.6} {:>8.4} {:>8.4} {:>8.1} {:>2} {:>18} {:>5.2} {:>5.2} {:>5.2} {:>18} {:>4.0}%",
                row.beta,
                row.start,
                row.free_energy,
                row.nmse_sampled,
                row.nmse_mean,
                row.kl,
                if row.free_energy == best { "*" } else { "" },
                row.label,
                row.locality,
                row.double_sidedness,
                row.pudding_slope,
                row.sampled_majority,
                100.0 * row.sampled_majority_share
            );
        }
        // With several sharpnesses, each hand-written algorithm at its best
        // one: the comparison that does not depend on where the fits began.
        if args.sharpness.len() > 1 {
            let best_of = |algorithm: &str| {
                beta_rows
                    .iter()
                    .filter(|row| row.algorithm == Some(algorithm))
                    .min_by(|x, y| x.free_energy.total_cmp(&y.free_energy))
                    .map(|row| format!("{} {:.6}", row.start, row.free_energy))
            };
            let bests: Vec<String> = ["double_sided", "pudding", "spread_out_pudding"]
                .into_iter()
                .filter_map(best_of)
                .collect();
            println!(
                "{:>8.0e} each at its best sharpness: {}",
                beta_rows[0].beta,
                bests.join(", ")
            );
        }
        // The generated starts: where the generator wrote them (its free
        // energy and labels) and where the same objective takes them.
        let generated: Vec<&Row> = beta_rows
            .iter()
            .filter(|row| row.start_free_energy.is_some())
            .collect();
        if args.describe {
            for row in &generated {
                println!(
                    "{:>8.0e} {:>20} before: {}\n{:>29} after:  {}",
                    row.beta, row.start, row.start_description, "", row.description
                );
            }
        }
        if !generated.is_empty() {
            let count = generated.len() as f64;
            let before = generated
                .iter()
                .filter_map(|row| row.start_free_energy)
                .sum::<f64>()
                / count;
            let after = generated.iter().map(|row| row.free_energy).sum::<f64>() / count;
            let tally = |labels: Vec<&str>| {
                let mut counts = std::collections::BTreeMap::<&str, usize>::new();
                for label in labels {
                    *counts.entry(label).or_default() += 1;
                }
                counts
                    .iter()
                    .map(|(label, k)| format!("{label} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            println!(
                "{:>8.0e} {:>20} free energy {before:.4} -> {after:.4}; labels [{}] -> sampled majorities [{}]",
                generated[0].beta,
                format!("generated ×{}", generated.len()),
                tally(
                    generated
                        .iter()
                        .map(|row| row.start_label.as_str())
                        .collect()
                ),
                tally(
                    generated
                        .iter()
                        .map(|row| row.sampled_majority.as_str())
                        .collect()
                ),
            );
        }
    }
    std::fs::create_dir_all(&args.out).map_err(|source| CoreError::Io {
        path: args.out.clone(),
        source,
    })?;
    let path = args.out.join("description_length.json");
    let json = serde_json::to_string_pretty(&rows)
        .map_err(|e| CoreError::config("description_length.json", e.to_string()))?;
    hyperinterp::core::export::write_atomic(&path, json.as_bytes())?;
    println!("wrote {}", path.display());
    Ok(())
}
