//! Generation throughput: networks per second written by a Pareto
//! hyperhypernetwork at one beta (reference model: d = 32, 4 heads, 3
//! layers, d_z = 4), at n = 16, 64 and 256 with m = 3n, weights read back to
//! the host. The cost grows with the n·m edges of each network.
//!
//! `cargo bench --bench generation`; choose the backend with
//! `HYPERINTERP_BACKEND=ndarray|flex|wgpu`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hyperinterp::core::{Beta, NetworkGenerator, Sizes};
use hyperinterp::l1::L1Task;
use hyperinterp::pareto::{Trainer, TrainerConfig};

fn bench(c: &mut Criterion) {
    let device = hyperinterp::backend::from_env().expect("a backend is compiled in");
    let task = L1Task::default();
    let config = TrainerConfig {
        progress: false,
        ..Default::default()
    };
    // An untrained generator costs the same as a trained one.
    let generator = Trainer::new(config, &task, &device)
        .expect("valid configuration")
        .generator()
        .expect("a generator");
    let at_beta = generator.at_beta(Beta::new(1e-3).expect("a valid beta"));
    let mut group = c.benchmark_group("generation");
    group.sample_size(10);
    for (n, count) in [(16usize, 16usize), (64, 4), (256, 1)] {
        let sizes = Sizes { n, m: 3 * n };
        group.throughput(Throughput::Elements(count as u64));
        group.bench_function(format!("n{n}_m{}_x{count}", 3 * n), |b| {
            b.iter(|| {
                let networks = at_beta
                    .generate(sizes, count, 7, &device)
                    .expect("generation");
                networks.sampled.to_mlps().expect("finite weights")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
