//! The teacher's fits ([`Teacher::fit`]) under `experiments/configs/paper.toml`: every
//! reference network at each of its 13 grid betas and its three training
//! sizes, on one thread and on two (one size per thread, largest first).
//! The fits are shortened to 100 steps (`HYPERINTERP_TEACHER_STEPS`; the
//! config's 1500 take 15 times as long); the time scales with the steps.
//!
//! `cargo bench --bench teacher`; choose the backend with
//! `HYPERINTERP_BACKEND=ndarray|flex|wgpu`.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use hyperinterp::discover::DiscoverConfig;
use hyperinterp::l1::L1Task;
use hyperinterp::pareto::Teacher;

fn bench(c: &mut Criterion) {
    let device = hyperinterp::backend::from_env().expect("a backend is compiled in");
    let task = L1Task::default();
    let steps = match std::env::var("HYPERINTERP_TEACHER_STEPS") {
        Ok(text) => text
            .parse()
            .expect("HYPERINTERP_TEACHER_STEPS is a positive integer"),
        Err(_) => 100,
    };
    let paper = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/configs/paper.toml");
    let mut config = DiscoverConfig::load(&paper)
        .expect("experiments/configs/paper.toml loads")
        .training;
    config.progress = false;
    let teacher = config
        .semi_amortised
        .teacher
        .as_mut()
        .expect("paper.toml has a teacher");
    teacher.steps = steps;
    let mut group = c.benchmark_group("teacher");
    group.sample_size(10);
    for shards in [1, 2] {
        config.shards = shards;
        group.bench_function(format!("paper_{steps}_steps_{shards}_threads"), |b| {
            b.iter(|| Teacher::fit(&task, &config, &device).expect("the fits are finite"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
