//! The traits the other crates compose through: a [`Task`] that networks are
//! scored on, and a [`NetworkGenerator`] that writes networks; plus [`Beta`]
//! and [`Kl`], the two quantities of the accuracy/complexity trade-off.

use std::collections::BTreeMap;

use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::batch::MlpBatch;
use crate::error::{CoreError, Result};
use crate::mlp::{Activation, Mlp, Sizes};

/// The price of complexity: loss = NMSE + beta · KL. Finite and ≥ 0.
///
/// ```
/// use hyperinterp_core::Beta;
/// let beta = Beta::new(1e-3)?;
/// assert!((beta.log10() + 3.0).abs() < 1e-12);
/// assert!(Beta::new(-1.0).is_err());
/// assert!(Beta::new(f64::NAN).is_err());
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Beta(f64);

impl Beta {
    /// Checked constructor.
    pub fn new(value: f64) -> Result<Self> {
        if value.is_finite() && value >= 0.0 {
            Ok(Beta(value))
        } else {
            Err(CoreError::config(
                "beta",
                format!("must be finite and >= 0, got {value}"),
            ))
        }
    }

    /// The value.
    pub fn value(self) -> f64 {
        self.0
    }

    /// `log10(beta)` (−inf for 0).
    pub fn log10(self) -> f64 {
        self.0.log10()
    }
}

impl TryFrom<f64> for Beta {
    type Error = CoreError;
    fn try_from(value: f64) -> Result<Self> {
        Beta::new(value)
    }
}

impl From<Beta> for f64 {
    fn from(beta: Beta) -> f64 {
        beta.0
    }
}

/// The KL divergence of each generated network in nats — its description
/// length — split into the node-latent part and the weight part.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use hyperinterp_core::Kl;
/// let d = Device::default();
/// let kl = Kl { node: Tensor::from_floats([1.0, 2.0], &d), weight: Tensor::from_floats([10.0, 20.0], &d) };
/// assert_eq!(hyperinterp_core::to_vec(&kl.total(), "kl")?, vec![11.0, 22.0]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Kl {
    /// KL of the node latents against N(0, I), per network `[B]`.
    pub node: Tensor<1>,
    /// KL of the sampled weights against their prior, per network `[B]`.
    pub weight: Tensor<1>,
}

impl Kl {
    /// Node + weight KL per network `[B]`.
    pub fn total(&self) -> Tensor<1> {
        self.node.clone() + self.weight.clone()
    }
}

/// What a [`NetworkGenerator`] returns: networks with weights sampled from
/// the generator's distribution, the distribution's mean weights (used for
/// analysis), and the KL per network.
#[derive(Clone, Debug)]
pub struct GeneratedNetworks {
    /// Networks with sampled weights (what the loss sees).
    pub sampled: MlpBatch,
    /// The mean weights of the same networks.
    pub mean: MlpBatch,
    /// KL per network.
    pub kl: Kl,
}

/// Anything that writes networks of given sizes: the HVAE hypernetwork, a
/// Pareto hyperhypernetwork at a chosen beta, or a test double.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use hyperinterp_core::*;
/// /// A generator that always writes zero networks, at zero cost.
/// struct Zeros;
/// impl NetworkGenerator for Zeros {
///     fn generate(&self, sizes: Sizes, count: usize, _seed: u64, device: &Device) -> Result<GeneratedNetworks> {
///         sizes.validate()?;
///         let nets = vec![Mlp::zeros(sizes.n, sizes.m, Activation::Swish)?; count];
///         let batch = MlpBatch::from_mlps(&nets, device)?;
///         let zero = Tensor::zeros([count], device);
///         Ok(GeneratedNetworks { sampled: batch.clone(), mean: batch, kl: Kl { node: zero.clone(), weight: zero } })
///     }
/// }
/// let out = Zeros.generate(Sizes::new(2, 3)?, 4, 0, &Device::default())?;
/// assert_eq!(out.sampled.len(), 4);
/// # Ok::<(), CoreError>(())
/// ```
pub trait NetworkGenerator {
    /// Writes `count` networks of `sizes`, with all randomness drawn from `seed`.
    fn generate(
        &self,
        sizes: Sizes,
        count: usize,
        seed: u64,
        device: &Device,
    ) -> Result<GeneratedNetworks>;
}

/// Names the algorithm a network uses, from its weights and its NMSE.
/// Implemented by `hyperinterp-phases`; trainers take one to record the
/// phases over training time without depending on the classifier crate.
///
/// ```
/// use hyperinterp_core::{Mlp, NetworkClassifier, Result};
/// /// Calls every accurate network "accurate".
/// struct ByAccuracy;
/// impl NetworkClassifier for ByAccuracy {
///     fn algorithm_name(&self, _mlp: &Mlp, nmse: f64) -> Result<String> {
///         Ok(if nmse < 0.1 { "accurate" } else { "trivial" }.to_string())
///     }
/// }
/// let net = Mlp::zeros(2, 2, Default::default())?;
/// assert_eq!(ByAccuracy.algorithm_name(&net, 1.0)?, "trivial");
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub trait NetworkClassifier {
    /// The algorithm's name (for hyperinterp-phases: `double_sided`,
    /// `pudding_positive`, `pudding_negative`, `convexity`, `mixed`, `trivial`).
    fn algorithm_name(&self, mlp: &Mlp, nmse: f64) -> Result<String>;

    /// The name together with the order parameters it was given from, by
    /// name, so that a trainer can follow them over training: they move
    /// long before a label flips. The default gives none.
    ///
    /// ```
    /// use hyperinterp_core::{Mlp, NetworkClassifier, Result};
    /// struct Everything;
    /// impl NetworkClassifier for Everything {
    ///     fn algorithm_name(&self, _mlp: &Mlp, _nmse: f64) -> Result<String> {
    ///         Ok("mixed".to_string())
    ///     }
    /// }
    /// let labelled = Everything.label_with_order_parameters(&Mlp::zeros(2, 2, Default::default())?, 0.5)?;
    /// assert_eq!(labelled.algorithm, "mixed");
    /// assert!(labelled.order_parameters.is_empty());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    fn label_with_order_parameters(&self, mlp: &Mlp, nmse: f64) -> Result<Labelled> {
        Ok(Labelled {
            algorithm: self.algorithm_name(mlp, nmse)?,
            order_parameters: BTreeMap::new(),
        })
    }
}

/// A network's label and the order parameters behind it
/// ([`NetworkClassifier::label_with_order_parameters`]).
///
/// ```
/// let labelled = hyperinterp_core::Labelled {
///     algorithm: "double_sided".to_string(),
///     order_parameters: [("double_sidedness".to_string(), 0.9)].into(),
/// };
/// assert_eq!(labelled.order_parameters["double_sidedness"], 0.9);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Labelled {
    /// The algorithm's name.
    pub algorithm: String,
    /// Order parameters by name (for hyperinterp-phases: `locality`,
    /// `double_sidedness`, `pudding_slope`, `convex_share`,
    /// `convex_evidence`); empty where the classifier has none.
    pub order_parameters: BTreeMap<String, f64>,
}

/// A regression task that networks are scored on with the normalised mean
/// squared error `NMSE = E[(f(x) - y)^2] / Var(y)` (1 = predicting the mean).
///
/// Inputs are drawn on the host from a seed, so every backend sees the same
/// numbers for the same seed. `Send + Sync` so that a training step can score
/// shards of its networks on parallel threads.
pub trait Task: Send + Sync {
    /// Inputs `[count, n]` row-major, drawn from `seed`.
    fn sample_inputs(&self, count: usize, n: usize, seed: u64) -> Vec<f32>;

    /// The target at one input.
    fn target(&self, x: &[f32]) -> f32;

    /// Targets for a batch of inputs `[B, X, n]` → `[B, X]`.
    fn targets(&self, inputs: Tensor<3>) -> Tensor<2>;

    /// `E[y]` over the input distribution at input size `n`.
    fn target_mean(&self, n: usize) -> f64;

    /// `Var(y)` over the input distribution at input size `n` (the NMSE's denominator).
    fn target_variance(&self, n: usize) -> f64;

    /// Inputs as a tensor `[batch, count, n]` on `device`, drawn from `seed`.
    fn input_tensor(
        &self,
        batch: usize,
        count: usize,
        n: usize,
        seed: u64,
        device: &Device,
    ) -> Tensor<3> {
        let values = self.sample_inputs(batch * count, n, seed);
        Tensor::from_data(TensorData::new(values, [batch, count, n]), device)
    }

    /// NMSE of every network of a batch on inputs `[B, X, n]` → `[B]`
    /// (differentiable: this is the training loss's first term).
    fn nmse(&self, networks: &MlpBatch, inputs: Tensor<3>) -> Tensor<1> {
        let n = inputs.dims()[2];
        let error = networks.forward(inputs.clone()) - self.targets(inputs);
        let mse: Tensor<1> = error.powf_scalar(2.0).mean_dim(1).squeeze_dim(1);
        mse / self.target_variance(n)
    }

    /// NMSE of one network over `samples` fresh inputs drawn from `seed`,
    /// computed on the host in f64.
    fn nmse_of(&self, mlp: &Mlp, samples: usize, seed: u64) -> Result<f64> {
        mlp.validate()?;
        if samples == 0 {
            return Err(CoreError::config("samples", "must be at least 1"));
        }
        let xs = self.sample_inputs(samples, mlp.n, seed);
        let mut squared = 0.0f64;
        for x in xs.chunks_exact(mlp.n) {
            let error = f64::from(mlp.forward(x)?) - f64::from(self.target(x));
            squared += error * error;
        }
        Ok(squared / samples as f64 / self.target_variance(mlp.n))
    }

    /// Known solutions of the task at `sizes`, each named by its algorithm
    /// (several may share a name, e.g. at different sharpnesses): starts for
    /// fits of the objective that ask which algorithm it prefers, and the
    /// candidates a trainer's teacher chooses among. None by default.
    fn reference_networks(
        &self,
        sizes: Sizes,
        activation: Activation,
    ) -> Result<Vec<(String, Mlp)>> {
        let _ = (sizes, activation);
        Ok(Vec::new())
    }
}

/// Checks a size list for a generator or trainer: non-empty, each valid.
///
/// ```
/// use hyperinterp_core::{validate_sizes, Sizes};
/// assert!(validate_sizes("sizes", &[Sizes { n: 4, m: 12 }]).is_ok());
/// assert!(validate_sizes("sizes", &[]).is_err());
/// ```
pub fn validate_sizes(field: &str, sizes: &[Sizes]) -> Result<()> {
    if sizes.is_empty() {
        return Err(CoreError::config(field, "must list at least one (n, m)"));
    }
    for s in sizes {
        s.validate()
            .map_err(|e| CoreError::config(field, format!("contains ({}, {}): {e}", s.n, s.m)))?;
    }
    Ok(())
}
