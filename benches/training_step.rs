//! One Pareto training step (forward + backward + Adam) at the reference
//! configuration: G = 8 betas, N = 4 networks, X = 256 inputs, d = 32,
//! 4 heads, 3 layers, d_z = 4; at (n, m) = (8, 24) and (16, 48).
//!
//! `cargo bench --bench training_step`; choose the backend with
//! `HYPERINTERP_BACKEND=ndarray|flex|wgpu` and the number of threads the
//! step's groups are split over with `HYPERINTERP_SHARDS` (default: the
//! trainer's default, 2; on a GPU one shard keeps the batches whole).
//! `HYPERINTERP_NETWORKS` sets N (default 4), to see how the step scales with
//! the batch.

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use hyperinterp::core::Sizes;
use hyperinterp::l1::L1Task;
use hyperinterp::pareto::{Trainer, TrainerConfig};

fn bench(c: &mut Criterion) {
    let device = hyperinterp::backend::from_env().expect("a backend is compiled in");
    let task = L1Task::default();
    let from_env = |name: &str, default: usize| match std::env::var(name) {
        Ok(text) => text
            .parse()
            .unwrap_or_else(|_| panic!("{name} is a positive integer")),
        Err(_) => default,
    };
    let defaults = TrainerConfig::default();
    let shards = from_env("HYPERINTERP_SHARDS", defaults.shards);
    let networks = from_env("HYPERINTERP_NETWORKS", defaults.networks);
    let mut group = c.benchmark_group("training_step");
    group.sample_size(10);
    for (n, m) in [(8, 24), (16, 48)] {
        let config = TrainerConfig {
            sizes: vec![Sizes { n, m }],
            steps: 1_000_000,
            // Measure the full step, weight sampling included.
            deterministic_weight_steps: 0,
            progress: false,
            shards,
            networks,
            ..Default::default()
        };
        let mut trainer = Trainer::new(config, &task, &device).expect("valid configuration");
        let started = Instant::now();
        group.bench_function(format!("G8_N{networks}_X256_n{n}_m{m}"), |b| {
            b.iter(|| trainer.train_step(&task, started).expect("finite loss"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
