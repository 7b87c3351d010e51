//! Network transformations and generators shared by the integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use hyperinterp_core::{Activation, Mlp, Task};
use hyperinterp_l1::L1Task;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Hidden neuron `k` of the result is neuron `order[k]` of `net`.
pub fn permute_hidden(net: &Mlp, order: &[usize]) -> Mlp {
    let mut out = net.clone();
    for (k, &j) in order.iter().enumerate() {
        out.w[k * net.n..(k + 1) * net.n].copy_from_slice(net.row(j));
        out.b[k] = net.b[j];
        out.a[k] = net.a[j];
    }
    out
}

/// Input `i` of the result is input `order[i]` of `net`.
pub fn permute_inputs(net: &Mlp, order: &[usize]) -> Mlp {
    let mut out = net.clone();
    for j in 0..net.m {
        for (i, &from) in order.iter().enumerate() {
            out.w[j * net.n + i] = net.row(j)[from];
        }
    }
    out
}

/// The same function of `x` with the inputs in `flipped` negated: their
/// weight columns change sign.
pub fn flip_inputs(net: &Mlp, flipped: &[bool]) -> Mlp {
    let mut out = net.clone();
    for j in 0..net.m {
        for (i, &flip) in flipped.iter().enumerate() {
            if flip {
                out.w[j * net.n + i] = -out.w[j * net.n + i];
            }
        }
    }
    out
}

/// Every parameter times `1 + level * N(0, 1)`.
pub fn relative_noise(net: &Mlp, level: f32, rng: &mut ChaCha8Rng) -> Mlp {
    let mut out = net.clone();
    let mut jitter = |v: &mut f32| *v *= 1.0 + level * rng.sample::<f32, _>(StandardNormal);
    out.w.iter_mut().for_each(&mut jitter);
    out.b.iter_mut().for_each(&mut jitter);
    out.a.iter_mut().for_each(&mut jitter);
    jitter(&mut out.c);
    out
}

pub fn shuffled(count: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..count).collect();
    order.shuffle(rng);
    order
}

pub fn random_flips(count: usize, rng: &mut ChaCha8Rng) -> Vec<bool> {
    (0..count).map(|_| rng.random::<bool>()).collect()
}

/// NMSE on the L1 task after refitting the output bias `c` (noise on the
/// large constants of a pudding shifts the output; any fit would undo that).
pub fn nmse_with_refitted_bias(net: &Mlp) -> f64 {
    let task = L1Task::default();
    let samples = 2000;
    let xs = task.sample_inputs(samples, net.n, 77);
    let outputs = net.forward_many(&xs).unwrap();
    let shift: f64 = xs
        .chunks_exact(net.n)
        .zip(&outputs)
        .map(|(x, y)| f64::from(task.target(x)) - f64::from(*y))
        .sum::<f64>()
        / samples as f64;
    let mut fitted = net.clone();
    fitted.c += shift as f32;
    task.nmse_of(&fitted, samples, 78).unwrap()
}

/// A random network: `W ~ N(0, w_scale^2)`, `b ~ N(0, b_scale^2)`,
/// `a ~ N(0, 1/m)`, `c = c`.
pub fn gaussian_network(
    n: usize,
    m: usize,
    w_scale: f32,
    b_scale: f32,
    c: f32,
    rng: &mut ChaCha8Rng,
) -> Mlp {
    let mut normal = |scale: f32, count: usize| -> Vec<f32> {
        (0..count)
            .map(|_| scale * rng.sample::<f32, _>(StandardNormal))
            .collect()
    };
    let w = normal(w_scale, n * m);
    let b = normal(b_scale, m);
    let a = normal(1.0 / (m as f32).sqrt(), m);
    Mlp::new(n, m, w, b, a, c, Activation::Swish).unwrap()
}
