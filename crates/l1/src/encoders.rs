//! The L1 algorithms written into weights by hand (docs/design.md §3): reference
//! networks for users and labelled test cases for the classifier.
//!
//! All use swish, `s(u) = u sigmoid(u)`, and its identities
//! `s(u) + s(-u) = u tanh(u/2)` and `s(u) - s(-u) = u`. Neurons beyond what an
//! algorithm needs are left unused (all weights 0, `a = 0`).

use hyperinterp_core::{Activation, CoreError, Mlp, Result, Sign, Sizes, Task, require_positive};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::task::L1Task;

/// Default sharpness `k` of the one-input neurons: NMSE ≈ 6e-4 at n = 16.
pub const SHARPNESS: f32 = 20.0;

/// Errors unless `m >= needed`.
fn require_width(sizes: Sizes, needed: usize, algorithm: &str) -> Result<()> {
    sizes.validate()?;
    if sizes.m < needed {
        return Err(CoreError::config(
            "m",
            format!(
                "{algorithm} at n = {} needs m >= {needed}, got {}",
                sizes.n, sizes.m
            ),
        ));
    }
    Ok(())
}

/// Sets neuron `j` to read input `i` alone: `W_ji = weight`, output weight `a`.
fn set_local(mlp: &mut Mlp, j: usize, i: usize, weight: f32, a: f32) {
    mlp.w[j * mlp.n + i] = weight;
    mlp.a[j] = a;
}

/// Sets neuron `j` to a dense neuron `weight * (1, ..., 1)` with bias and output weight.
fn set_dense(mlp: &mut Mlp, j: usize, weight: f32, bias: f32, a: f32) {
    let n = mlp.n;
    mlp.w[j * n..(j + 1) * n].fill(weight);
    mlp.b[j] = bias;
    mlp.a[j] = a;
}

/// Double-sided (width `2n`): for each input a pair `s(k x_i)/k + s(-k x_i)/k
/// = x_i tanh(k x_i / 2) → |x_i|`.
///
/// ```
/// use hyperinterp_core::Task;
/// use hyperinterp_l1::{double_sided, L1Task, SHARPNESS};
/// let net = double_sided(4, 12, SHARPNESS)?;
/// assert!(L1Task::default().nmse_of(&net, 5000, 0)? < 0.01);
/// assert!(double_sided(4, 7, SHARPNESS).is_err()); // needs m >= 8
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn double_sided(n: usize, m: usize, sharpness: f32) -> Result<Mlp> {
    require_width(Sizes { n, m }, 2 * n, "double-sided")?;
    require_positive(&[("sharpness", f64::from(sharpness))])?;
    let mut mlp = Mlp::zeros(n, m, Activation::Swish)?;
    for i in 0..n {
        set_local(&mut mlp, 2 * i, i, sharpness, 1.0 / sharpness);
        set_local(&mut mlp, 2 * i + 1, i, -sharpness, 1.0 / sharpness);
    }
    Ok(mlp)
}

/// The bias that keeps the pudding neuron always on: `C = 6 alpha sqrt(n) + 5`
/// (six standard deviations of its pre-activation, plus a margin).
pub fn pudding_bias(n: usize, alpha: f32) -> f32 {
    6.0 * alpha * (n as f32).sqrt() + 5.0
}

/// Pudding of sign `s` (width `n + 1`): one-sided neurons `2 s(s k x_i)/k`
/// for every input, plus one always-on "pudding" neuron
/// `s(C - s alpha sum x)/alpha` with output bias `-C/alpha`, which adds the
/// linear counterweight `-s sum_i x_i`.
///
/// ```
/// use hyperinterp_core::{Sign, Task};
/// use hyperinterp_l1::{pudding, L1Task, SHARPNESS};
/// let net = pudding(8, 24, Sign::Negative, SHARPNESS, 1.0)?;
/// assert!(L1Task::default().nmse_of(&net, 5000, 0)? < 0.01);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn pudding(n: usize, m: usize, sign: Sign, sharpness: f32, alpha: f32) -> Result<Mlp> {
    require_width(Sizes { n, m }, n + 1, "pudding")?;
    require_positive(&[
        ("sharpness", f64::from(sharpness)),
        ("alpha", f64::from(alpha)),
    ])?;
    let s = sign.value();
    let mut mlp = Mlp::zeros(n, m, Activation::Swish)?;
    for i in 0..n {
        set_local(&mut mlp, i, i, s * sharpness, 2.0 / sharpness);
    }
    let bias = pudding_bias(n, alpha);
    set_dense(&mut mlp, n, -s * alpha, bias, 1.0 / alpha);
    mlp.c = -bias / alpha;
    Ok(mlp)
}

/// Spread-out pudding of sign `s` (width `n + 2`): the pudding's one-sided
/// neurons, with the linear term carried by a pair of dense neurons
/// `s(v)/alpha - s(-v)/alpha = v/alpha`, `v = -s alpha sum x` (exact, no
/// large bias). The same algorithm, other wiring.
///
/// ```
/// use hyperinterp_core::{Sign, Task};
/// use hyperinterp_l1::{spread_out_pudding, L1Task, SHARPNESS};
/// let net = spread_out_pudding(8, 24, Sign::Positive, SHARPNESS, 1.0)?;
/// assert!(L1Task::default().nmse_of(&net, 5000, 0)? < 0.01);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn spread_out_pudding(
    n: usize,
    m: usize,
    sign: Sign,
    sharpness: f32,
    alpha: f32,
) -> Result<Mlp> {
    require_width(Sizes { n, m }, n + 2, "spread-out pudding")?;
    require_positive(&[
        ("sharpness", f64::from(sharpness)),
        ("alpha", f64::from(alpha)),
    ])?;
    let s = sign.value();
    let mut mlp = Mlp::zeros(n, m, Activation::Swish)?;
    for i in 0..n {
        set_local(&mut mlp, i, i, s * sharpness, 2.0 / sharpness);
    }
    set_dense(&mut mlp, n, -s * alpha, 0.0, 1.0 / alpha);
    set_dense(&mut mlp, n + 1, s * alpha, 0.0, -1.0 / alpha);
    Ok(mlp)
}

/// How the convexity network's dense directions are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Directions {
    /// Random sign vectors `sigma in {-1, +1}^n` (`||x||_1 = max_sigma sigma . x`).
    #[default]
    SignVectors,
    /// Random Gaussian directions.
    Gaussian,
}

/// Configuration of [`convexity`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConvexityConfig {
    /// Seed for the directions and the fitting samples.
    pub seed: u64,
    /// How directions are drawn.
    pub directions: Directions,
    /// Samples used to fit the read-out `gamma` and `c`.
    pub fit_samples: usize,
    /// Grid of scales `k sqrt(n)` tried for the weights `W_j = k sigma_j`.
    pub scales: Vec<f32>,
    /// Grid of shared biases tried.
    pub biases: Vec<f32>,
}

impl Default for ConvexityConfig {
    fn default() -> Self {
        ConvexityConfig {
            seed: 0,
            directions: Directions::SignVectors,
            fit_samples: 4096,
            scales: vec![0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0],
            biases: vec![-4.0, -3.0, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0],
        }
    }
}

impl ConvexityConfig {
    /// Errors naming the first field out of range.
    ///
    /// ```
    /// let mut config = hyperinterp_l1::ConvexityConfig::default();
    /// assert!(config.validate().is_ok());
    /// config.scales.clear();
    /// assert!(config.validate().unwrap_err().to_string().contains("scales"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.fit_samples < 2 {
            return Err(CoreError::config("fit_samples", "must be at least 2"));
        }
        if self.scales.is_empty() || self.scales.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(CoreError::config(
                "scales",
                "must be a non-empty list of finite values > 0",
            ));
        }
        if self.biases.is_empty() || self.biases.iter().any(|b| !b.is_finite()) {
            return Err(CoreError::config(
                "biases",
                "must be a non-empty list of finite values",
            ));
        }
        Ok(())
    }
}

/// Convexity (any width): `||x||_1` is convex, so a positive sum of convex
/// bumps `f = gamma sum_j s(k sigma_j . x + b) + c` along random directions
/// approximates it; `gamma > 0` and `c` are fitted by least squares, `k` and
/// `b` chosen on a grid. Less accurate than the other algorithms, and the
/// simplest to describe.
///
/// ```
/// use hyperinterp_core::Task;
/// use hyperinterp_l1::{convexity, ConvexityConfig, L1Task};
/// let net = convexity(8, 24, &ConvexityConfig::default())?;
/// let nmse = L1Task::default().nmse_of(&net, 5000, 1)?;
/// assert!(nmse > 0.005 && nmse < 0.5, "nmse {nmse}");
/// assert!(net.a.iter().all(|&a| a > 0.0));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn convexity(n: usize, m: usize, config: &ConvexityConfig) -> Result<Mlp> {
    Sizes::new(n, m)?;
    config.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let directions: Vec<f32> = (0..n * m)
        .map(|_| match config.directions {
            Directions::SignVectors => {
                if rng.random::<bool>() {
                    1.0
                } else {
                    -1.0
                }
            }
            Directions::Gaussian => rng.sample(rand_distr::StandardNormal),
        })
        .collect();
    let task = L1Task::default();
    let xs = task.sample_inputs(config.fit_samples, n, config.seed.wrapping_add(1));
    let targets: Vec<f64> = xs
        .chunks_exact(n)
        .map(|x| f64::from(task.target(x)))
        .collect();
    let root_n = (n as f32).sqrt();

    let mut best: Option<(f64, Mlp)> = None;
    for &scale in &config.scales {
        for &bias in &config.biases {
            let k = scale / root_n;
            let mut mlp = Mlp::zeros(n, m, Activation::Swish)?;
            mlp.w
                .iter_mut()
                .zip(&directions)
                .for_each(|(w, d)| *w = k * d);
            mlp.b.fill(bias);
            mlp.a.fill(1.0);
            // The summed bumps F(x); fit y ≈ gamma F + c.
            let features: Vec<f64> = mlp.forward_many(&xs)?.into_iter().map(f64::from).collect();
            let Some((gamma, c, mse)) = fit_line(&features, &targets) else {
                continue;
            };
            if gamma <= 0.0 {
                continue;
            }
            if best.as_ref().is_none_or(|(best_mse, _)| mse < *best_mse) {
                mlp.a.fill(gamma as f32);
                mlp.c = c as f32;
                best = Some((mse, mlp));
            }
        }
    }
    best.map(|(_, mlp)| mlp).ok_or_else(|| {
        CoreError::config(
            "scales",
            "no grid point gave a convex (gamma > 0) fit; widen the grid",
        )
    })
}

/// Least-squares line `y ≈ gamma x + c`: `(gamma, c, mse)`, or `None` if `x` is constant.
fn fit_line(x: &[f64], y: &[f64]) -> Option<(f64, f64, f64)> {
    let count = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / count;
    let mean_y = y.iter().sum::<f64>() / count;
    let (mut sxx, mut sxy) = (0.0, 0.0);
    for (xi, yi) in x.iter().zip(y) {
        sxx += (xi - mean_x) * (xi - mean_x);
        sxy += (xi - mean_x) * (yi - mean_y);
    }
    if sxx <= 1e-12 * count {
        return None;
    }
    let gamma = sxy / sxx;
    let c = mean_y - gamma * mean_x;
    let mse = x
        .iter()
        .zip(y)
        .map(|(xi, yi)| (gamma * xi + c - yi).powi(2))
        .sum::<f64>()
        / count;
    Some((gamma, c, mse))
}
