//! One Pareto training step (forward + backward + Adam) at the reference
//! configuration: G = 8 betas, N = 4 networks, X = 256 inputs, d = 32,
//! 4 heads, 3 layers, d_z = 4; at (n, m) = (8, 24) and (16, 48).
//!
//! `cargo bench --bench training_step`

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use hyperinterp::core::Sizes;
use hyperinterp::l1::L1Task;
use hyperinterp::pareto::{Trainer, TrainerConfig};

fn bench(c: &mut Criterion) {
    let device = hyperinterp::backend::from_env().expect("a backend is compiled in");
    let task = L1Task::default();
    let mut group = c.benchmark_group("training_step");
    group.sample_size(10);
    for (n, m) in [(8, 24), (16, 48)] {
        let config = TrainerConfig {
            sizes: vec![Sizes { n, m }],
            steps: 1_000_000,
            // Measure the full step, weight sampling included.
            deterministic_weight_steps: 0,
            progress: false,
            ..Default::default()
        };
        let mut trainer = Trainer::new(config, &task, &device).expect("valid configuration");
        let started = Instant::now();
        group.bench_function(format!("G8_N4_X256_n{n}_m{m}"), |b| {
            b.iter(|| trainer.train_step(&task, started).expect("finite loss"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
