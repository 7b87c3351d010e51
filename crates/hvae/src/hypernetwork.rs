//! [`Hypernetwork`]: the HVAE with owned parameters, its data-dependent
//! initialisation, and its [`NetworkGenerator`] implementation.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use hyperinterp_core::{
    CoreError, GeneratedNetworks, NetworkGenerator, Result, Sizes, Task, to_vec,
};
use hyperinterp_graph_transformer::{OwnedParams, ParamSet};

use crate::config::HypernetworkConfig;
use crate::model::{Generation, Noise, catalogue, encode_and_decode, generate};

/// The HVAE hypernetwork with its own parameters (one group): a graph
/// transformer with latents at the nodes that writes L1 networks and prices
/// each in nats.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::{NetworkGenerator, Sizes};
/// use hyperinterp_hvae::{Hypernetwork, HypernetworkConfig};
/// use hyperinterp_l1::L1Task;
/// let device = Device::default();
/// let sizes = Sizes::new(4, 12)?;
/// let model = Hypernetwork::new(HypernetworkConfig::default(), &L1Task::default(), sizes, 0, &device)?;
/// let out = model.generate(sizes, 3, 7, &device)?;
/// assert_eq!(out.sampled.to_mlps()?.len(), 3);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Module, Debug)]
pub struct Hypernetwork {
    params: OwnedParams,
    #[module(skip)]
    config: HypernetworkConfig,
}

impl Hypernetwork {
    /// A freshly initialised hypernetwork, calibrated on `task` at `sizes`
    /// (see [`calibrate`]).
    pub fn new(
        config: HypernetworkConfig,
        task: &impl Task,
        sizes: Sizes,
        seed: u64,
        device: &Device,
    ) -> Result<Self> {
        config.validate()?;
        let set = ParamSet::initialise(&catalogue(&config), 1, seed, device)?;
        let set = calibrate(set, &config, task, sizes, seed)?;
        Hypernetwork::from_param_set(config, set)
    }

    /// Wraps trained or loaded parameters (one group, the catalogue's layout).
    pub fn from_param_set(config: HypernetworkConfig, set: ParamSet) -> Result<Self> {
        config.validate()?;
        if set.specs() != catalogue(&config).as_slice() {
            return Err(CoreError::config(
                "params",
                "do not match the catalogue of this configuration",
            ));
        }
        Ok(Hypernetwork {
            params: OwnedParams::new(set)?,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &HypernetworkConfig {
        &self.config
    }

    /// The parameters as a one-group set.
    pub fn param_set(&self) -> Result<ParamSet> {
        self.params.param_set()
    }

    /// One forward pass with explicit noise (which fixes G = 1, N and the sizes).
    pub fn generate_with(&self, noise: &Noise) -> Result<Generation> {
        generate(&self.param_set()?, &self.config, noise)
    }
}

impl NetworkGenerator for Hypernetwork {
    fn generate(
        &self,
        sizes: Sizes,
        count: usize,
        seed: u64,
        device: &Device,
    ) -> Result<GeneratedNetworks> {
        let set = self.param_set()?.to_device(device)?;
        let noise = Noise::draw(&self.config, 1, count, sizes, seed, device)?;
        Ok(generate(&set, &self.config, &noise)?.networks)
    }
}

/// Mean and standard deviation of a tensor's entries (host side).
fn moments<const D: usize>(t: &Tensor<D>, what: &str) -> Result<(f64, f64)> {
    let values = to_vec(t, what)?;
    let count = values.len().max(1) as f64;
    let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / count;
    let variance = values
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / count;
    Ok((mean, variance.sqrt()))
}

/// The data-dependent initialisation of docs/design.md §7: rescales each decoder's
/// output layer so that freshly generated networks look like a standard
/// random MLP at `sizes` — `W` std `1.5/sqrt(n)`, `b` std 0.5, `a` std
/// `1/sqrt(m)`, `c` at the task's target mean — with weight std
/// `initial_weight_std · sigma0`. Without it training falls into the saddle
/// `W = 0`, `f = constant`, NMSE = 1.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::Sizes;
/// use hyperinterp_graph_transformer::ParamSet;
/// use hyperinterp_hvae::{calibrate, catalogue, HypernetworkConfig};
/// let config = HypernetworkConfig::default();
/// let set = ParamSet::initialise(&catalogue(&config), 1, 0, &Device::default())?;
/// let set = calibrate(set, &config, &hyperinterp_l1::L1Task::default(), Sizes::new(4, 12)?, 0)?;
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn calibrate(
    set: ParamSet,
    config: &HypernetworkConfig,
    task: &impl Task,
    sizes: Sizes,
    seed: u64,
) -> Result<ParamSet> {
    if set.groups() != 1 {
        return Err(CoreError::config("params", "calibrate one group at a time"));
    }
    let device = set.values()[0].device();
    let noise = Noise::draw(config, 1, 16, sizes, seed ^ 0x5EED, &device)?;
    let (decoded, _) = encode_and_decode(&set, config, &noise)?;
    let sigma = config.priors.sigmas(sizes);
    let (n, m) = (sizes.n as f64, sizes.m as f64);
    let target_log_std = config.initial_weight_std.ln();
    let c_mean = task.target_mean(sizes.n) / sigma.output_bias;
    // (decoder, measured mean column, measured log-std column, target mean, target std), in prior units.
    let heads = [
        (
            "decoder.w.",
            moments(&decoded.weight.mean, "w")?,
            moments(&decoded.weight.log_std, "w")?,
            0.0,
            1.5 / n.sqrt() / sigma.weight,
        ),
        (
            "decoder.b.",
            moments(&decoded.bias.mean, "b")?,
            moments(&decoded.bias.log_std, "b")?,
            0.0,
            0.5 / sigma.bias,
        ),
        (
            "decoder.a.",
            moments(&decoded.output_weight.mean, "a")?,
            moments(&decoded.output_weight.log_std, "a")?,
            0.0,
            1.0 / m.sqrt() / sigma.output_weight,
        ),
        (
            "decoder.c.",
            moments(&decoded.output_bias.mean, "c")?,
            moments(&decoded.output_bias.log_std, "c")?,
            c_mean,
            0.01 * c_mean.abs().max(1e-3),
        ),
    ];
    let mut set = set;
    for (prefix, (mean, std), (log_std_mean, _), target_mean, target_std) in heads {
        let out_name = format!("{prefix}out");
        let bias_name = format!("{prefix}out_bias");
        let mut out = to_vec(&set.flat(&out_name)?.1, &out_name)?;
        let mut bias = to_vec(&set.flat(&bias_name)?.1, &bias_name)?;
        let mean_gain = if std > 1e-8 { target_std / std } else { 1.0 };
        // The log-std column shrinks to a near-constant at the target.
        let log_std_gain = 0.1;
        for pair in out.chunks_exact_mut(2) {
            pair[0] *= mean_gain as f32;
            pair[1] *= log_std_gain as f32;
        }
        bias[0] = ((f64::from(bias[0]) - mean) * mean_gain + target_mean) as f32;
        bias[1] = ((f64::from(bias[1]) - log_std_mean) * log_std_gain + target_log_std) as f32;
        let out_len = out.len();
        set = set
            .with_value(
                &out_name,
                Tensor::from_data(TensorData::new(out, [1, out_len]), &device),
            )?
            .with_value(
                &bias_name,
                Tensor::from_data(TensorData::new(bias, [1, 2]), &device),
            )?;
    }
    Ok(set)
}
