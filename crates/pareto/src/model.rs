//! The hyperhypernetwork: normalised log-beta → a small MLP trunk →
//! features `phi` → every hypernetwork parameter tensor as `base + head(phi)`.

use burn::tensor::{Device, Tensor, TensorData, activation};
use hyperinterp_core::{CoreError, Result};
use hyperinterp_graph_transformer::{Init, ParamSet, ParamSpec, linear};
use serde::{Deserialize, Serialize};

/// Sizes of the hyperhypernetwork and the beta range it covers.
///
/// ```
/// let config = hyperinterp_pareto::ParetoConfig::default();
/// assert!(config.validate().is_ok());
/// let bad = hyperinterp_pareto::ParetoConfig { beta_min: 1.0, beta_max: 0.1, ..config };
/// assert!(bad.validate().unwrap_err().to_string().contains("beta_min"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParetoConfig {
    /// Smallest beta trained (> 0). Default 1e-7: the pudding lives at the
    /// low end, and 1e-6 left it less of the grid.
    pub beta_min: f64,
    /// Largest beta trained.
    pub beta_max: f64,
    /// Width of the trunk's hidden layer.
    pub trunk_hidden: usize,
    /// Number of features `phi(u)` that drive the heads.
    pub features: usize,
}

impl Default for ParetoConfig {
    fn default() -> Self {
        ParetoConfig {
            beta_min: 1e-7,
            beta_max: 1e-1,
            trunk_hidden: 32,
            features: 8,
        }
    }
}

impl ParetoConfig {
    /// Errors naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        if !(self.beta_min.is_finite() && self.beta_min > 0.0) {
            return Err(CoreError::config("beta_min", "must be finite and > 0"));
        }
        if !(self.beta_max.is_finite() && self.beta_min < self.beta_max) {
            return Err(CoreError::config(
                "beta_min",
                format!(
                    "must be < beta_max, got {} >= {}",
                    self.beta_min, self.beta_max
                ),
            ));
        }
        if self.trunk_hidden == 0 {
            return Err(CoreError::config("trunk_hidden", "must be at least 1"));
        }
        if self.features == 0 {
            return Err(CoreError::config("features", "must be at least 1"));
        }
        Ok(())
    }

    /// `u = (log10 beta - centre) / half_width`, in [-1, 1] across the range.
    ///
    /// ```
    /// let config = hyperinterp_pareto::ParetoConfig { beta_min: 1e-4, beta_max: 1e-2, ..Default::default() };
    /// assert!((config.normalise(1e-4) + 1.0).abs() < 1e-12);
    /// assert!(config.normalise(1e-3).abs() < 1e-12);
    /// ```
    pub fn normalise(&self, beta: f64) -> f64 {
        let (low, high) = (self.beta_min.log10(), self.beta_max.log10());
        (beta.log10() - (low + high) / 2.0) / ((high - low) / 2.0)
    }

    /// `count` betas evenly spaced in log10 over the range (inclusive).
    ///
    /// ```
    /// let grid = hyperinterp_pareto::ParetoConfig { beta_min: 1e-4, beta_max: 1e-2, ..Default::default() }.grid(3);
    /// assert!((grid[1] - 1e-3).abs() < 1e-12);
    /// ```
    pub fn grid(&self, count: usize) -> Vec<f64> {
        let (low, high) = (self.beta_min.log10(), self.beta_max.log10());
        (0..count)
            .map(|i| {
                let t = if count > 1 {
                    i as f64 / (count - 1) as f64
                } else {
                    0.5
                };
                10f64.powf(low + t * (high - low))
            })
            .collect()
    }
}

/// The hyperhypernetwork's catalogue for a hypernetwork catalogue: the trunk,
/// then `base.{name}` `[numel]` and `head.{name}` `[features, numel]` for every
/// hypernetwork parameter. Bases are filled from a hypernetwork
/// initialisation; heads start at zero, so every beta starts from the same
/// hypernetwork and training pulls them apart.
///
/// ```
/// use hyperinterp_graph_transformer::{Init, ParamSpec};
/// let inner = vec![ParamSpec::new("w", [2, 3], Init::Ones)];
/// let specs = hyperinterp_pareto::catalogue(&inner, &Default::default());
/// assert!(specs.iter().any(|s| s.name == "base.w" && s.shape == vec![6]));
/// assert!(specs.iter().any(|s| s.name == "head.w" && s.shape == vec![8, 6]));
/// ```
pub fn catalogue(hypernetwork: &[ParamSpec], config: &ParetoConfig) -> Vec<ParamSpec> {
    let (h, k) = (config.trunk_hidden, config.features);
    let mut specs = vec![
        ParamSpec::new("trunk.in", [1, h], Init::Normal { std: 1.0 }),
        ParamSpec::new("trunk.in_bias", [h], Init::Normal { std: 0.5 }),
        ParamSpec::new("trunk.out", [h, k], Init::scaled(h, 1.0)),
        ParamSpec::new("trunk.out_bias", [k], Init::Zeros),
    ];
    for spec in hypernetwork {
        specs.push(ParamSpec::new(
            format!("base.{}", spec.name),
            [spec.numel()],
            spec.init,
        ));
        specs.push(ParamSpec::new(
            format!("head.{}", spec.name),
            [k, spec.numel()],
            Init::Zeros,
        ));
    }
    specs
}

/// The hypernetwork parameters for each of `betas` (one group per beta) from
/// the hyperhypernetwork's parameters `pareto` (one group): one forward for
/// all betas.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_graph_transformer::{Init, ParamSet, ParamSpec};
/// use hyperinterp_pareto::{catalogue, hypernetwork_params, ParetoConfig};
/// let device = Device::default();
/// let inner = vec![ParamSpec::new("w", [2, 3], Init::Ones)];
/// let config = ParetoConfig::default();
/// let pareto = ParamSet::initialise(&catalogue(&inner, &config), 1, 0, &device)?;
/// let set = hypernetwork_params(&pareto, &inner, &config, &[1e-5, 1e-3, 1e-2])?;
/// assert_eq!(set.matrix("w")?.dims(), [3, 2, 3]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn hypernetwork_params(
    pareto: &ParamSet,
    hypernetwork: &[ParamSpec],
    config: &ParetoConfig,
    betas: &[f64],
) -> Result<ParamSet> {
    if betas.is_empty() {
        return Err(CoreError::config("betas", "need at least one beta"));
    }
    if let Some(bad) = betas.iter().find(|b| !(b.is_finite() && **b > 0.0)) {
        return Err(CoreError::config(
            "betas",
            format!("must be finite and > 0, got {bad}"),
        ));
    }
    let device: Device = pareto.values()[0].device();
    let groups = betas.len();
    let u: Vec<f32> = betas.iter().map(|&b| config.normalise(b) as f32).collect();
    // The trunk treats the betas as rows of one group: [1, G, 1].
    let u: Tensor<3> = Tensor::from_data(TensorData::new(u, [1, groups, 1]), &device);
    let hidden = activation::silu(linear(
        u,
        &pareto.matrix("trunk.in")?,
        Some(&pareto.vector("trunk.in_bias")?),
    ));
    let features = linear(
        hidden,
        &pareto.matrix("trunk.out")?,
        Some(&pareto.vector("trunk.out_bias")?),
    )
    .tanh(); // [1, G, k]
    let values = hypernetwork
        .iter()
        .map(|spec| {
            let base = pareto.vector(&format!("base.{}", spec.name))?; // [1, numel]
            let head = pareto.matrix(&format!("head.{}", spec.name))?; // [1, k, numel]
            let shift: Tensor<2> = features
                .clone()
                .matmul(head)
                .reshape([groups, spec.numel()]);
            Ok(base + shift)
        })
        .collect::<Result<Vec<_>>>()?;
    ParamSet::new(hypernetwork.to_vec(), values)
}
