//! The library path of the main job, small: train a Pareto hyperhypernetwork
//! for a few hundred steps (800), then generate networks at two betas and read
//! each one's algorithm and formula.
//!
//! `cargo run --release --example train_and_generate` (about a minute on 2 cores)

use hyperinterp::core::{Result, Sizes};
use hyperinterp::l1::L1Task;
use hyperinterp::pareto::{Trainer, TrainerConfig};
use hyperinterp::phases::{classify, describe};

fn main() -> Result<()> {
    let device = hyperinterp::backend::device("default")?;
    let task = L1Task::default();
    // The default configuration, shortened: every schedule in proportion.
    let mut config = TrainerConfig {
        steps: 800,
        deterministic_weight_steps: 400,
        kl_free_steps: 400,
        kl_warmup_steps: 200,
        checkpoint_every: 800,
        sizes: vec![Sizes::new(4, 12)?],
        ..Default::default()
    };
    config.semi_amortised.from_step = 400;
    // What training is handed of the task's hand-written solutions: nothing.
    println!("{}", config.guidance(&task)?.sentence());

    let mut trainer = Trainer::new(config, &task, &device)?;
    trainer.run(&task, None, None)?;
    let generator = trainer.generator()?;
    for beta in [1e-7, 3e-3] {
        for network in generator.generate(&task, beta, Sizes::new(4, 12)?, 2, 0)? {
            let label = classify(&network.mean, network.nmse_mean_weights)?.algorithm;
            println!(
                "beta {beta:.0e}: {} (NMSE {:.3}, KL {:.0} nats)\n{}",
                label.name(),
                network.nmse_mean_weights,
                network.kl,
                describe(&network.mean)?
            );
        }
    }
    Ok(())
}
