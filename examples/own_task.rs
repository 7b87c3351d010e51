//! Plug in your own task: implement `Task` (inputs, targets, the target's
//! mean and variance) and the hypernetwork trainer works on it. Here the
//! networks learn the squared L2 norm `sum_i x_i^2` instead of the L1 norm.
//!
//! `cargo run --release --example own_task`

use burn::tensor::Tensor;
use hyperinterp::core::{Result, Sizes, Task};
use hyperinterp::l1::L1Task;
use hyperinterp::pareto::{Trainer, TrainerConfig};

/// The squared L2 norm of standard normal inputs: mean n, variance 2n.
struct SquaredNorm;

impl Task for SquaredNorm {
    fn sample_inputs(&self, count: usize, n: usize, seed: u64) -> Vec<f32> {
        L1Task::default().sample_inputs(count, n, seed)
    }
    fn target(&self, x: &[f32]) -> f32 {
        x.iter().map(|v| v * v).sum()
    }
    fn targets(&self, inputs: Tensor<3>) -> Tensor<2> {
        inputs.powi_scalar(2).sum_dim(2).squeeze_dim(2)
    }
    fn target_mean(&self, n: usize) -> f64 {
        n as f64
    }
    fn target_variance(&self, n: usize) -> f64 {
        2.0 * n as f64
    }
}

fn main() -> Result<()> {
    let device = hyperinterp::backend::device("default")?;
    let config = TrainerConfig {
        steps: 800,
        deterministic_weight_steps: 400,
        kl_free_steps: 400,
        kl_warmup_steps: 200,
        checkpoint_every: 800,
        sizes: vec![Sizes::new(3, 12)?],
        ..Default::default()
    };
    let mut trainer = Trainer::new(config, &SquaredNorm, &device)?;
    let metrics = trainer.run(&SquaredNorm, None, None)?;
    let last = metrics.last().expect("one step or more");
    println!(
        "after {} steps: NMSE {:.3} on sum x_i^2",
        last.step + 1,
        last.nmse
    );
    let networks = trainer
        .generator()?
        .generate(&SquaredNorm, 1e-7, Sizes::new(3, 12)?, 2, 0)?;
    for network in networks {
        println!(
            "generated at beta 1e-7: NMSE {:.3}",
            network.nmse_mean_weights
        );
    }
    Ok(())
}
