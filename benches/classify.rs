//! Order parameters + labels for 10 000 networks at (n, m) = (16, 48) on
//! one core (target: under 1 s): a mix of the hand-written algorithms with
//! 5% weight noise and random Gaussian networks, as a phase diagram sees them.
//!
//! `cargo bench --bench classify`

use criterion::{Criterion, criterion_group, criterion_main};
use hyperinterp::core::{Activation, Mlp, Sign, Task};
use hyperinterp::l1::{self, ConvexityConfig, L1Task, SHARPNESS};
use hyperinterp::phases::Classifier;

const COUNT: usize = 10_000;
const N: usize = 16;
const M: usize = 48;

/// `COUNT` networks: six kinds in turn, each a fresh noisy or random draw.
/// Gaussian numbers come from the L1 task's input sampler (no extra RNG
/// dependency).
fn networks() -> Vec<Mlp> {
    let bases = [
        l1::double_sided(N, M, SHARPNESS).expect("valid sizes"),
        l1::pudding(N, M, Sign::Positive, SHARPNESS, 1.0).expect("valid sizes"),
        l1::pudding(N, M, Sign::Negative, SHARPNESS, 1.0).expect("valid sizes"),
        l1::spread_out_pudding(N, M, Sign::Positive, SHARPNESS, 1.0).expect("valid sizes"),
        l1::convexity(N, M, &ConvexityConfig::default()).expect("valid sizes"),
    ];
    let task = L1Task::default();
    let per_network = M * N + 2 * M;
    (0..COUNT)
        .map(|k| {
            let noise = task.sample_inputs(1, per_network, k as u64);
            if k % 6 == 5 {
                let (w, rest) = noise.split_at(M * N);
                let (b, a) = rest.split_at(M);
                let w = w.iter().map(|v| v * 1.5 / (N as f32).sqrt()).collect();
                let b = b.iter().map(|v| v * 0.5).collect();
                let a = a.iter().map(|v| v / (M as f32).sqrt()).collect();
                Mlp::new(N, M, w, b, a, 0.0, Activation::Swish).expect("finite")
            } else {
                let mut net = bases[k % 6].clone();
                let parameters = net.w.iter_mut().chain(&mut net.b).chain(&mut net.a);
                for (value, z) in parameters.zip(&noise) {
                    *value *= 1.0 + 0.05 * z;
                }
                net
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let networks = networks();
    let nmse: Vec<f64> = (0..COUNT).map(|k| 0.01 * (k % 100) as f64).collect();
    let classifier = Classifier::default();
    let mut group = c.benchmark_group("classify");
    group.sample_size(10);
    group.bench_function("order_parameters_and_labels_10000_n16_m48", |b| {
        b.iter(|| {
            let labels = classifier
                .classify_many(&networks, &nmse)
                .expect("valid networks");
            assert_eq!(labels.len(), COUNT);
            labels
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
