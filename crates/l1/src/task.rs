//! The L1 task: inputs `x ~ N(0, I_n)` (or uniform on `[-1, 1]^n`), target `||x||_1`.

use burn::tensor::Tensor;
use hyperinterp_core::{Activation, Mlp, Result, Sign, Sizes, Task};

use crate::encoders::{ConvexityConfig, convexity, double_sided, pudding, spread_out_pudding};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, Uniform};
use serde::{Deserialize, Serialize};

/// Where the task's inputs come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputDistribution {
    /// `x ~ N(0, I_n)`: `E||x||_1 = n sqrt(2/pi)`, `Var = n (1 - 2/pi)`.
    #[default]
    Gaussian,
    /// `x ~ U[-1, 1]^n`: `E||x||_1 = n/2`, `Var = n/12`.
    Uniform,
}

/// The L1-norm regression task, scored by NMSE with the exact target variance.
///
/// ```
/// use hyperinterp_core::Task;
/// use hyperinterp_l1::{L1Task, InputDistribution};
/// let task = L1Task::default();
/// assert_eq!(task.target(&[1.0, -2.0]), 3.0);
/// assert!((task.target_variance(4) - 4.0 * (1.0 - 2.0 / std::f64::consts::PI)).abs() < 1e-12);
/// let uniform = L1Task { inputs: InputDistribution::Uniform };
/// assert!(uniform.sample_inputs(100, 3, 7).iter().all(|x| x.abs() <= 1.0));
/// // the same seed gives the same inputs
/// assert_eq!(task.sample_inputs(5, 2, 1), task.sample_inputs(5, 2, 1));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct L1Task {
    /// The input distribution.
    pub inputs: InputDistribution,
}

impl Task for L1Task {
    fn sample_inputs(&self, count: usize, n: usize, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let len = count * n;
        match self.inputs {
            InputDistribution::Gaussian => {
                (0..len).map(|_| StandardNormal.sample(&mut rng)).collect()
            }
            InputDistribution::Uniform => {
                let uniform =
                    Uniform::new_inclusive(-1.0f32, 1.0).expect("constant bounds are valid");
                (0..len).map(|_| uniform.sample(&mut rng)).collect()
            }
        }
    }

    fn target(&self, x: &[f32]) -> f32 {
        x.iter().map(|v| v.abs()).sum()
    }

    fn targets(&self, inputs: Tensor<3>) -> Tensor<2> {
        inputs.abs().sum_dim(2).squeeze_dim(2)
    }

    /// Double-sided, the pudding and the spread-out pudding (positive read-out)
    /// at two sharpnesses each, and convexity: the starts of
    /// `description_length`'s fits. Swish needs sharp one-input neurons to
    /// be accurate (k = 4 and 10); under ReLU every k is exact and only the
    /// price tells them apart, so moderate ones (1.4 and 2). An algorithm
    /// too wide for `sizes` (double-sided needs m >= 2n) is left out.
    ///
    /// ```
    /// use hyperinterp_core::{Activation, Sizes, Task};
    /// use hyperinterp_l1::L1Task;
    /// let networks = L1Task::default().reference_networks(Sizes { n: 4, m: 12 }, Activation::Swish)?;
    /// let names: Vec<&str> = networks.iter().map(|(name, _)| name.as_str()).collect();
    /// assert_eq!(names, ["double_sided", "pudding", "spread_out_pudding", "double_sided",
    ///                    "pudding", "spread_out_pudding", "convexity"]);
    /// // the pudding needs m >= n + 1 only, double-sided m >= 2n
    /// let narrow = L1Task::default().reference_networks(Sizes { n: 4, m: 6 }, Activation::Relu)?;
    /// assert!(narrow.iter().all(|(name, network)| name != "double_sided" && network.activation == Activation::Relu));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    fn reference_networks(
        &self,
        sizes: Sizes,
        activation: Activation,
    ) -> Result<Vec<(String, Mlp)>> {
        let Sizes { n, m } = sizes;
        let sharpnesses: &[f32] = match activation {
            Activation::Relu => &[1.4, 2.0],
            _ => &[4.0, 10.0],
        };
        let mut networks = Vec::new();
        for &k in sharpnesses {
            let candidates = [
                ("double_sided", double_sided(n, m, k)),
                ("pudding", pudding(n, m, Sign::Positive, k, 1.0)),
                (
                    "spread_out_pudding",
                    spread_out_pudding(n, m, Sign::Positive, k, 1.0),
                ),
            ];
            // An algorithm that does not fit in m is not a solution here.
            networks.extend(
                candidates
                    .into_iter()
                    .filter_map(|(name, network)| Some((name.to_string(), network.ok()?))),
            );
        }
        networks.push((
            "convexity".to_string(),
            convexity(n, m, &ConvexityConfig::default())?,
        ));
        for (_, network) in &mut networks {
            network.activation = activation;
        }
        Ok(networks)
    }

    fn target_mean(&self, n: usize) -> f64 {
        match self.inputs {
            InputDistribution::Gaussian => n as f64 * (2.0 / std::f64::consts::PI).sqrt(),
            InputDistribution::Uniform => n as f64 / 2.0,
        }
    }

    fn target_variance(&self, n: usize) -> f64 {
        match self.inputs {
            InputDistribution::Gaussian => n as f64 * (1.0 - 2.0 / std::f64::consts::PI),
            InputDistribution::Uniform => n as f64 / 12.0,
        }
    }
}

/// The L1 task's inputs with NaN targets: a test double for code that trains
/// on a [`Task`], which must answer a non-finite loss with an error, not a
/// panic or a silently poisoned model.
///
/// ```
/// use hyperinterp_core::Task;
/// use hyperinterp_l1::{L1Task, NanTargets};
/// assert!(NanTargets.target(&[1.0, -2.0]).is_nan());
/// assert_eq!(NanTargets.sample_inputs(3, 2, 7), L1Task::default().sample_inputs(3, 2, 7));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NanTargets;

impl Task for NanTargets {
    fn sample_inputs(&self, count: usize, n: usize, seed: u64) -> Vec<f32> {
        L1Task::default().sample_inputs(count, n, seed)
    }
    fn target(&self, _x: &[f32]) -> f32 {
        f32::NAN
    }
    fn targets(&self, inputs: Tensor<3>) -> Tensor<2> {
        L1Task::default().targets(inputs) * f32::NAN
    }
    fn target_mean(&self, n: usize) -> f64 {
        L1Task::default().target_mean(n)
    }
    fn target_variance(&self, n: usize) -> f64 {
        L1Task::default().target_variance(n)
    }
}
