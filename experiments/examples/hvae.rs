//! Trains the HVAE hypernetwork at one beta and reports what it generates.
//!
//! `cargo run --release --example hvae -- --beta 0 --n 4 --m 12`
//!
//! Prints one JSON object: training time, NMSE of sampled and mean-weight
//! networks on fresh inputs, node and weight KL. Writes per-step metrics to
//! `<out>/metrics.jsonl` and the generated mean-weight networks to
//! `<out>/networks.json` and `.safetensors`.

use std::path::PathBuf;
use std::time::Instant;

use burn::module::Module;
use clap::Parser;
use hyperinterp::core::{Beta, Result, Sizes, Task, export, to_vec};
use hyperinterp::hvae::{
    Hypernetwork, HypernetworkConfig, Noise, TrainingConfig, train_fixed_beta,
};
use hyperinterp::l1::L1Task;

#[derive(Parser, Debug)]
#[command(about = "Train the HVAE hypernetwork at a fixed beta")]
struct Args {
    /// Price of one nat of KL.
    #[arg(long, default_value_t = 0.0)]
    beta: f64,
    /// Input size n.
    #[arg(long, default_value_t = 4)]
    n: usize,
    /// Hidden width m.
    #[arg(long, default_value_t = 12)]
    m: usize,
    /// Training steps [default: TrainingConfig's].
    #[arg(long)]
    steps: Option<usize>,
    /// Networks per step [default: TrainingConfig's].
    #[arg(long)]
    networks: Option<usize>,
    /// Peak learning rate [default: TrainingConfig's].
    #[arg(long)]
    learning_rate: Option<f64>,
    /// Steps at the start without weight sampling [default: TrainingConfig's].
    #[arg(long)]
    deterministic_weight_steps: Option<usize>,
    /// Steps over which beta ramps up from 0.
    #[arg(long, default_value_t = 0)]
    kl_warmup_steps: usize,
    /// Seed of the whole run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Backend: flex, ndarray, wgpu, or default (flex).
    #[arg(long, default_value = "default")]
    backend: String,
    /// Output folder.
    #[arg(long, default_value = "runs/hvae")]
    out: PathBuf,
    /// Hypernetwork configuration (JSON); defaults otherwise.
    #[arg(long)]
    config: Option<PathBuf>,
}

fn main() {
    if let Err(error) = run(Args::parse()) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<()> {
    let device = hyperinterp::backend::device(&args.backend)?.autodiff();
    let task = L1Task::default();
    let sizes = Sizes::new(args.n, args.m)?;
    let beta = Beta::new(args.beta)?;
    let config: HypernetworkConfig = match &args.config {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| hyperinterp::core::CoreError::Io {
                    path: path.clone(),
                    source: e,
                })?;
            serde_json::from_str(&text)?
        }
        None => HypernetworkConfig::default(),
    };
    let defaults = TrainingConfig::default();
    let training = TrainingConfig {
        steps: args.steps.unwrap_or(defaults.steps),
        networks: args.networks.unwrap_or(defaults.networks),
        sizes: vec![sizes],
        learning_rate: args.learning_rate.unwrap_or(defaults.learning_rate),
        kl_warmup_steps: args.kl_warmup_steps,
        deterministic_weight_steps: args
            .deterministic_weight_steps
            .unwrap_or(defaults.deterministic_weight_steps),
        seed: args.seed,
        ..defaults
    };
    std::fs::create_dir_all(&args.out).map_err(|e| hyperinterp::core::CoreError::Io {
        path: args.out.clone(),
        source: e,
    })?;
    let start = Instant::now();
    let model = Hypernetwork::new(config.clone(), &task, sizes, args.seed, &device)?;
    let (model, _) = train_fixed_beta(
        model,
        &task,
        beta,
        &training,
        Some(&args.out.join("metrics.jsonl")),
    )?;
    let seconds = start.elapsed().as_secs_f64();

    // Evaluate 32 fresh networks on fresh inputs, without autodiff.
    let eval_device = device.clone().without_autodiff();
    let noise = Noise::draw(&config, 1, 32, sizes, args.seed ^ 0xEEAA, &eval_device)?;
    let model = model.valid();
    let generation = model.generate_with(&noise)?;
    let inputs = task.input_tensor(32, 4096, sizes.n, args.seed ^ 0xE1A1, &eval_device);
    let mean_of =
        |values: Vec<f32>| values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64;
    let networks = &generation.networks;
    let nmse_sampled = mean_of(to_vec(
        &task.nmse(&networks.sampled, inputs.clone()),
        "nmse",
    )?);
    let nmse_mean = mean_of(to_vec(&task.nmse(&networks.mean, inputs), "nmse")?);
    let node_kl = mean_of(to_vec(&networks.kl.node, "node kl")?);
    let weight_kl = mean_of(to_vec(&networks.kl.weight, "weight kl")?);
    let mlps = networks.mean.to_mlps()?;
    export::save_json(&args.out.join("networks.json"), &mlps)?;
    export::save_safetensors(&args.out.join("networks.safetensors"), &mlps)?;
    println!(
        "{}",
        serde_json::json!({
            "beta": args.beta, "n": args.n, "m": args.m, "steps": training.steps,
            "train_seconds": seconds, "nmse_sampled": nmse_sampled, "nmse_mean_weights": nmse_mean,
            "node_kl": node_kl, "weight_kl": weight_kl, "kl": node_kl + weight_kl,
        })
    );
    Ok(())
}
