//! Every compiled backend computes what ndarray computes: the same small
//! generation and the same training steps agree to 1e-3 relative. With the
//! default features this compares flex with ndarray; built with
//! `--features wgpu` it also compares wgpu (in CI: lavapipe, Mesa's
//! software Vulkan driver).

use std::time::Instant;

use burn::tensor::Device;
use hyperinterp::core::{Beta, NetworkGenerator, Sizes};
use hyperinterp::l1::L1Task;
use hyperinterp::pareto::{Trainer, TrainerConfig};

const RELATIVE_TOLERANCE: f64 = 1e-3;

fn small_config() -> TrainerConfig {
    let mut config = hyperinterp::discover::DiscoverConfig::quick().training;
    config.progress = false;
    config.groups = 2;
    config.networks = 2;
    config.inputs = 64;
    // Both stages: the first step has deterministic weights, the rest sample.
    config.deterministic_weight_steps = 1;
    config.kl_free_steps = 0;
    config.kl_warmup_steps = 0;
    config
}

/// `||a - b|| / ||b||` over the whole vector.
fn relative_error(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len(), "shapes differ");
    let (mut difference, mut norm) = (0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        difference += (x as f64 - y as f64).powi(2);
        norm += (y as f64).powi(2);
    }
    (difference / norm.max(1e-30)).sqrt()
}

fn close(what: &str, backend: &str, a: f64, b: f64) {
    let error = (a - b).abs() / b.abs().max(1e-12);
    assert!(
        error <= RELATIVE_TOLERANCE,
        "{what}: {backend} gives {a}, ndarray {b} (relative error {error:.2e})"
    );
}

/// What one backend computes: the weights of generated networks, the
/// metrics of three training steps, and the parameters after them.
struct Computed {
    networks: Vec<f32>,
    losses: Vec<f64>,
    gradient_norms: Vec<f64>,
    parameters: Vec<f32>,
}

fn compute(device: &Device) -> Computed {
    let task = L1Task::default();
    let mut trainer = Trainer::new(small_config(), &task, device).unwrap();
    let generator = trainer.generator().unwrap();
    let generated = generator
        .at_beta(Beta::new(1e-3).unwrap())
        .generate(Sizes { n: 5, m: 15 }, 3, 11, device)
        .unwrap();
    let mut networks = Vec::new();
    for batch in [generated.sampled, generated.mean] {
        for network in batch.to_mlps().unwrap() {
            networks.extend(&network.w);
            networks.extend(&network.b);
            networks.extend(&network.a);
            networks.push(network.c);
        }
    }
    let started = Instant::now();
    let (mut losses, mut gradient_norms) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let metrics = trainer.train_step(&task, started).unwrap();
        losses.push(metrics.loss);
        gradient_norms.push(metrics.gradient_norm);
    }
    let set = trainer
        .generator()
        .unwrap()
        .hypernetwork_params(&[1e-4, 1e-2])
        .unwrap();
    let mut parameters = Vec::new();
    for value in set.values() {
        parameters.extend(hyperinterp::core::to_vec(value, "parameter").unwrap());
    }
    Computed {
        networks,
        losses,
        gradient_norms,
        parameters,
    }
}

#[test]
fn every_backend_matches_ndarray() {
    let reference = compute(&hyperinterp::backend::device("ndarray").unwrap());
    let others: Vec<&str> = hyperinterp::backend::available()
        .into_iter()
        .filter(|name| *name != "ndarray")
        .collect();
    assert!(
        !others.is_empty(),
        "only ndarray is compiled in: nothing to compare"
    );
    for backend in others {
        let computed = compute(&hyperinterp::backend::device(backend).unwrap());
        let error = relative_error(&computed.networks, &reference.networks);
        assert!(
            error <= RELATIVE_TOLERANCE,
            "generated weights: {backend} differs from ndarray by {error:.2e}"
        );
        for (step, (a, b)) in computed.losses.iter().zip(&reference.losses).enumerate() {
            close(&format!("loss at step {step}"), backend, *a, *b);
        }
        for (step, (a, b)) in computed
            .gradient_norms
            .iter()
            .zip(&reference.gradient_norms)
            .enumerate()
        {
            close(&format!("gradient norm at step {step}"), backend, *a, *b);
        }
        let error = relative_error(&computed.parameters, &reference.parameters);
        assert!(
            error <= RELATIVE_TOLERANCE,
            "parameters after 3 steps: {backend} differs from ndarray by {error:.2e}"
        );
        eprintln!("{backend} matches ndarray (parameters within {error:.1e})");
    }
}
