//! The objective the hypernetwork minimises, `NMSE + beta · KL`, minimised
//! for one network directly: a Gaussian posterior over its weights (a mean
//! and a std per parameter, KL against the same priors the hypernetwork
//! uses), fitted with Adam from a given starting network.
//!
//! Started from each hand-written algorithm, it says which algorithm the
//! objective itself prefers at a beta (the lowest free energy), apart from
//! how well the hypernetwork learns to write it.

use burn::module::{Module, Param};
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Tensor, TensorData};
use hyperinterp_core::{
    Activation, Beta, CoreError, Mlp, MlpBatch, Result, Sizes, Task, require_at_least_one,
    require_positive, to_vec, warmup_cosine,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::config::{HypernetworkConfig, PriorScales, PriorSigmas, PriorWidths};
use crate::model::{Decoded, DecodedKind, normal_kl};

/// The same bounds on the log-std (in prior units) as the hypernetwork's decoder.
const MIN_LOG_STD: f64 = -9.0;
const MAX_LOG_STD: f64 = 3.0;

/// Configuration of [`fit_posterior`].
///
/// ```
/// let config: hyperinterp_hvae::PosteriorFitConfig = serde_json::from_str(r#"{"steps": 50}"#).unwrap();
/// assert_eq!(config.draws, 8); // unspecified fields keep their defaults
/// assert!(config.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PosteriorFitConfig {
    /// Adam steps.
    pub steps: usize,
    /// Weight draws per step (each scored on its own inputs).
    pub draws: usize,
    /// Fresh inputs per draw and step.
    pub inputs: usize,
    /// Peak learning rate (warm-up over 5% of the steps, then cosine decay).
    pub learning_rate: f64,
    /// The posterior's std at the start, as a fraction of each prior's std.
    pub initial_std: f64,
    /// Priors of the weights (the hypernetwork's, by default), and the
    /// posterior's units.
    pub priors: PriorScales,
    /// The KL's prior as multiples of `priors` (all 1 by default; pass the
    /// hypernetwork's `kl_prior_widths` to price as it does).
    pub kl_prior_widths: PriorWidths,
    /// Weight draws and inputs per draw of the final evaluation.
    pub evaluation_draws: usize,
    /// See `evaluation_draws`.
    pub evaluation_inputs: usize,
    /// Seed of every draw.
    pub seed: u64,
    /// Keep every std at `initial_std · sigma0`: only the means move. The
    /// KL's pull on a mean is then `mean / sigma0^2`, an L2 price on the
    /// weights' size (weight decay), while its precision part is a constant
    /// shared by every start of the same sizes. So comparing starts under
    /// it asks which algorithm is cheapest by size alone, the description
    /// length's precision aside.
    pub fixed_std: bool,
}

impl Default for PosteriorFitConfig {
    fn default() -> Self {
        PosteriorFitConfig {
            steps: 2000,
            draws: 8,
            inputs: 256,
            learning_rate: 1e-2,
            initial_std: 0.01,
            priors: PriorScales::default(),
            kl_prior_widths: PriorWidths::default(),
            evaluation_draws: 64,
            evaluation_inputs: 2048,
            seed: 0,
            fixed_std: false,
        }
    }
}

impl PosteriorFitConfig {
    /// Errors naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        require_at_least_one(&[
            ("steps", self.steps),
            ("draws", self.draws),
            ("inputs", self.inputs),
            ("evaluation_draws", self.evaluation_draws),
            ("evaluation_inputs", self.evaluation_inputs),
        ])?;
        require_positive(&[
            ("learning_rate", self.learning_rate),
            ("initial_std", self.initial_std),
        ])?;
        self.priors.validate()?;
        self.kl_prior_widths.validate()
    }
}

/// The result of [`fit_posterior`].
#[derive(Clone, Debug)]
pub struct PosteriorFit {
    /// The posterior's mean network.
    pub mean: Mlp,
    /// The posterior's std of every parameter, laid out as a network.
    pub std: Mlp,
    /// The evaluation's weight draws (the networks this posterior writes).
    pub sampled: Vec<Mlp>,
    /// NMSE of each of `sampled`.
    pub sampled_nmse: Vec<f64>,
    /// NMSE averaged over weight draws (the objective's first term).
    pub nmse_sampled: f64,
    /// NMSE of the mean network.
    pub nmse_mean: f64,
    /// KL of the posterior against the priors, in nats.
    pub kl: f64,
    /// The price the fit was made at.
    pub beta: Beta,
}

impl PosteriorFit {
    /// `NMSE + beta · KL`: the quantity minimised, lower is preferred.
    pub fn free_energy(&self) -> f64 {
        self.nmse_sampled + self.beta.value() * self.kl
    }
}

/// Means and log-stds in prior units of `B` networks' posteriors (`W [B, m, n]`,
/// `b`, `a` `[B, m]`, `c [B]`): `weight = sigma0 · (mean + exp(log_std) · ε)`.
#[derive(Module, Debug)]
struct Posterior {
    w_mean: Param<Tensor<3>>,
    w_log_std: Param<Tensor<3>>,
    b_mean: Param<Tensor<2>>,
    b_log_std: Param<Tensor<2>>,
    a_mean: Param<Tensor<2>>,
    a_log_std: Param<Tensor<2>>,
    c_mean: Param<Tensor<1>>,
    c_log_std: Param<Tensor<1>>,
}

/// A trainable tensor from host values.
fn param<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Param<Tensor<D>> {
    Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), device))
}

/// A log-std parameter at `log_std` everywhere, frozen unless `trainable`.
fn log_std_param<const D: usize>(
    log_std: f32,
    shape: [usize; D],
    device: &Device,
    trainable: bool,
) -> Param<Tensor<D>> {
    param(vec![log_std; shape.iter().product()], shape, device).set_require_grad(trainable)
}

/// A trainable copy of a tensor, cut from the graph it came from.
fn leaf<const D: usize>(tensor: Tensor<D>) -> Param<Tensor<D>> {
    Param::from_tensor(tensor.detach())
}

/// Standard normal draws of one shape, from the host generator.
fn normal<const D: usize>(rng: &mut ChaCha8Rng, shape: [usize; D], device: &Device) -> Tensor<D> {
    let count = shape.iter().product();
    let values: Vec<f32> = (0..count).map(|_| StandardNormal.sample(rng)).collect();
    Tensor::from_data(TensorData::new(values, shape), device)
}

/// Standard normal draws from `rng`, or zeros (the mean) without one.
fn noise<const D: usize>(
    rng: Option<&mut ChaCha8Rng>,
    shape: [usize; D],
    device: &Device,
) -> Tensor<D> {
    match rng {
        Some(rng) => normal(rng, shape, device),
        None => Tensor::zeros(shape, device),
    }
}

/// KL of each of `B` posteriors against the prior widened by `width`, summed
/// over everything after the first axis.
fn kl_per_network<const D: usize>(mean: Tensor<D>, log_std: Tensor<D>, width: f64) -> Tensor<1> {
    let batch = mean.dims()[0];
    normal_kl(mean, log_std.clamp(MIN_LOG_STD, MAX_LOG_STD), width)
        .reshape([batch as i32, -1])
        .sum_dim(1)
        .reshape([batch])
}

impl Posterior {
    /// Networks in the batch.
    fn batch(&self) -> usize {
        self.c_mean.dims()[0]
    }

    /// `self`, an optimiser's update of `before`, with network `b`'s step
    /// multiplied by `scales[b]`. Adam's moments depend on the gradients
    /// only, so this is Adam with a learning rate per network.
    fn with_steps_scaled(self, before: &Posterior, scales: &Tensor<1>) -> Posterior {
        fn scaled<const D: usize>(
            after: Param<Tensor<D>>,
            before: &Param<Tensor<D>>,
            scales: &Tensor<1>,
        ) -> Param<Tensor<D>> {
            let mut shape = [1; D];
            shape[0] = scales.dims()[0];
            let scales = scales.clone().reshape(shape);
            let start = before.val().detach();
            after.map(|tensor| {
                let tracked = tensor.is_require_grad();
                let moved = (start.clone() + (tensor.detach() - start) * scales).detach();
                if tracked { moved.require_grad() } else { moved }
            })
        }
        Posterior {
            w_mean: scaled(self.w_mean, &before.w_mean, scales),
            w_log_std: scaled(self.w_log_std, &before.w_log_std, scales),
            b_mean: scaled(self.b_mean, &before.b_mean, scales),
            b_log_std: scaled(self.b_log_std, &before.b_log_std, scales),
            a_mean: scaled(self.a_mean, &before.a_mean, scales),
            a_log_std: scaled(self.a_log_std, &before.a_log_std, scales),
            c_mean: scaled(self.c_mean, &before.c_mean, scales),
            c_log_std: scaled(self.c_log_std, &before.c_log_std, scales),
        }
    }

    /// KL of each network's posterior against the priors widened by `widths`, `[B]`.
    fn kl(&self, widths: &PriorWidths) -> Tensor<1> {
        kl_per_network(self.w_mean.val(), self.w_log_std.val(), widths.weight)
            + kl_per_network(self.b_mean.val(), self.b_log_std.val(), widths.bias)
            + kl_per_network(
                self.a_mean.val(),
                self.a_log_std.val(),
                widths.output_weight,
            )
            + kl_per_network::<2>(
                self.c_mean.val().unsqueeze_dim(1),
                self.c_log_std.val().unsqueeze_dim(1),
                widths.output_bias,
            )
    }

    /// `draws` networks per posterior sampled by reparameterisation, network
    /// `b`'s draws at rows `b · draws .. (b + 1) · draws`; with no `rng`,
    /// the mean networks.
    fn networks(
        &self,
        sigmas: &PriorSigmas,
        draws: usize,
        mut rng: Option<&mut ChaCha8Rng>,
        activation: Activation,
    ) -> Result<MlpBatch> {
        let [batch, m, n] = self.w_mean.dims();
        let device = self.w_mean.device();
        let rows = batch * draws;
        // Each posterior's mean and std repeated `draws` times in place.
        fn draw<const D: usize, const E: usize>(
            mean: &Param<Tensor<D>>,
            log_std: &Param<Tensor<D>>,
            noise: Tensor<D>,
            sigma: f64,
        ) -> Tensor<D> {
            let dims = noise.dims();
            let draws = dims[0] / mean.dims()[0];
            let repeat = |t: Tensor<D>| -> Tensor<D> {
                let expanded: Tensor<E> = t.unsqueeze_dim(1);
                expanded.repeat_dim(1, draws).reshape(dims)
            };
            let std = log_std.val().clamp(MIN_LOG_STD, MAX_LOG_STD).exp();
            (repeat(mean.val()) + repeat(std) * noise) * sigma
        }
        MlpBatch::new(
            draw::<3, 4>(
                &self.w_mean,
                &self.w_log_std,
                noise(rng.as_deref_mut(), [rows, m, n], &device),
                sigmas.weight,
            ),
            draw::<2, 3>(
                &self.b_mean,
                &self.b_log_std,
                noise(rng.as_deref_mut(), [rows, m], &device),
                sigmas.bias,
            ),
            draw::<2, 3>(
                &self.a_mean,
                &self.a_log_std,
                noise(rng.as_deref_mut(), [rows, m], &device),
                sigmas.output_weight,
            ),
            draw::<1, 2>(
                &self.c_mean,
                &self.c_log_std,
                noise(rng, [rows], &device),
                sigmas.output_bias,
            ),
            activation,
            vec![rows],
        )
    }
}

/// What a descent's networks are made of and priced against: the priors'
/// stds at their size (the posterior's units), the KL's widths on those
/// priors, and the activation.
struct Pricing {
    sigmas: PriorSigmas,
    widths: PriorWidths,
    activation: Activation,
}

/// Minimises the sum over the batch of `mean NMSE over draws + beta_b · KL_b`
/// with Adam: each network's posterior on its own, since Adam's update is
/// per parameter and the networks share nothing. Weight draws come from a
/// generator seeded with `seed`, returned for what follows (the evaluation).
fn descend(
    task: &impl Task,
    mut posterior: Posterior,
    pricing: &Pricing,
    betas: &[f64],
    descent: &RefinementConfig,
    seed: u64,
) -> Result<(Posterior, ChaCha8Rng)> {
    let Pricing {
        sigmas,
        widths,
        activation,
    } = pricing;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let batch = posterior.batch();
    let device = posterior.w_mean.device();
    let n = posterior.w_mean.dims()[2];
    // Adam runs at the largest network's rate; the others' steps are scaled
    // down to theirs after each update.
    let rates: Vec<f64> = betas.iter().map(|&b| descent.learning_rate_at(b)).collect();
    let peak = rates.iter().copied().fold(0.0, f64::max);
    let step_scales = rates.iter().any(|&rate| rate != peak).then(|| {
        Tensor::<1>::from_data(
            TensorData::new(rates.iter().map(|&r| (r / peak) as f32).collect(), [batch]),
            &device,
        )
    });
    let betas: Tensor<1> = Tensor::from_data(
        TensorData::new(betas.iter().map(|&b| b as f32).collect(), [batch]),
        &device,
    );
    let mut optimizer = AdamConfig::new().init();
    let warmup = (descent.steps / 20).max(1);
    // Draws of the mean network would all be the same network.
    let draws = if descent.means_only { 1 } else { descent.draws };
    for step in 0..descent.steps {
        let draw_from = (!descent.means_only).then_some(&mut rng);
        let networks = posterior.networks(sigmas, draws, draw_from, *activation)?;
        let inputs = task.input_tensor(
            batch * draws,
            descent.inputs,
            n,
            seed ^ (step as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            &device,
        );
        let nmse: Tensor<1> = task
            .nmse(&networks, inputs)
            .reshape([batch, draws])
            .mean_dim(1)
            .reshape([batch]);
        let loss = (nmse + posterior.kl(widths) * betas.clone()).sum();
        let value = to_vec(&loss, "loss")?[0];
        if !value.is_finite() {
            return Err(CoreError::NonFinite {
                field: format!("posterior fit loss at step {step}"),
                index: 0,
                value,
            });
        }
        let grads = GradientsParams::from_grads(loss.backward(), &posterior);
        let learning_rate = warmup_cosine(peak, step, warmup, descent.steps);
        let stepped = optimizer.step(learning_rate, posterior.clone(), grads);
        posterior = match &step_scales {
            Some(scales) => stepped.with_steps_scaled(&posterior, scales),
            None => stepped,
        };
    }
    Ok((posterior, rng))
}

/// Minimises `NMSE + beta · KL` over a Gaussian posterior of one network's
/// weights, starting at mean `start` with std `initial_std · sigma0`, with
/// Adam. The priors are `config.priors` at the start's sizes, as in the
/// hypernetwork, and the activation is the start's. `device` should be an
/// autodiff device; it is made one if not.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::{Beta, Task};
/// use hyperinterp_hvae::{fit_posterior, PosteriorFitConfig};
/// use hyperinterp_l1::{double_sided, L1Task};
/// let task = L1Task::default();
/// let start = double_sided(2, 4, 5.0)?;
/// let config = PosteriorFitConfig { steps: 30, evaluation_draws: 4, ..Default::default() };
/// let fit = fit_posterior(&task, &start, Beta::new(1e-3)?, &config, &Device::default())?;
/// assert!(fit.nmse_sampled < 0.2 && fit.kl > 0.0);
/// assert_eq!(fit.free_energy(), fit.nmse_sampled + 1e-3 * fit.kl);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn fit_posterior(
    task: &impl Task,
    start: &Mlp,
    beta: Beta,
    config: &PosteriorFitConfig,
    device: &Device,
) -> Result<PosteriorFit> {
    let mut fits = fit_posteriors(task, &[(start.clone(), beta)], config, device)?;
    Ok(fits.remove(0))
}

/// [`fit_posterior`] for many `(start, beta)` pairs at once: one batched
/// descent (each pair's posterior on its own, as Adam's update is per
/// parameter), then each evaluated on its own draws. Much faster than one
/// fit at a time on small networks. Every start must have the same sizes
/// and activation; a list of one gives exactly [`fit_posterior`]'s result.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::{Beta, Sign};
/// use hyperinterp_hvae::{fit_posteriors, PosteriorFitConfig};
/// use hyperinterp_l1::{double_sided, pudding, L1Task};
/// let starts = [
///     (double_sided(2, 4, 5.0)?, Beta::new(1e-4)?),
///     (pudding(2, 4, Sign::Positive, 5.0, 1.0)?, Beta::new(1e-2)?),
/// ];
/// let config = PosteriorFitConfig { steps: 30, evaluation_draws: 4, ..Default::default() };
/// let fits = fit_posteriors(&L1Task::default(), &starts, &config, &Device::default())?;
/// assert_eq!(fits.len(), 2);
/// assert_eq!(fits[1].beta, Beta::new(1e-2)?);
/// assert!(fits.iter().all(|fit| fit.kl > 0.0 && fit.sampled.len() == 4));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn fit_posteriors(
    task: &impl Task,
    starts: &[(Mlp, Beta)],
    config: &PosteriorFitConfig,
    device: &Device,
) -> Result<Vec<PosteriorFit>> {
    config.validate()?;
    let Some((first, _)) = starts.first() else {
        return Err(CoreError::config("starts", "at least one start is needed"));
    };
    for (start, _) in starts {
        start.validate()?;
        if start.sizes() != first.sizes() || start.activation != first.activation {
            return Err(CoreError::config(
                "starts",
                "every start must have the same sizes and activation",
            ));
        }
    }
    let device = device.clone().autodiff();
    let sizes = first.sizes();
    let (n, m, batch) = (sizes.n, sizes.m, starts.len());
    let activation = first.activation;
    let sigmas = config.priors.sigmas(sizes);
    let scaled = |part: fn(&Mlp) -> Vec<f32>, sigma: f64| -> Vec<f32> {
        starts
            .iter()
            .flat_map(|(start, _)| part(start))
            .map(|v| (f64::from(v) / sigma) as f32)
            .collect()
    };
    let log_std = config.initial_std.ln() as f32;
    let trainable = !config.fixed_std;
    let posterior = Posterior {
        w_mean: param(
            scaled(|s| s.w.clone(), sigmas.weight),
            [batch, m, n],
            &device,
        ),
        w_log_std: log_std_param(log_std, [batch, m, n], &device, trainable),
        b_mean: param(scaled(|s| s.b.clone(), sigmas.bias), [batch, m], &device),
        b_log_std: log_std_param(log_std, [batch, m], &device, trainable),
        a_mean: param(
            scaled(|s| s.a.clone(), sigmas.output_weight),
            [batch, m],
            &device,
        ),
        a_log_std: log_std_param(log_std, [batch, m], &device, trainable),
        c_mean: param(scaled(|s| vec![s.c], sigmas.output_bias), [batch], &device),
        c_log_std: log_std_param(log_std, [batch], &device, trainable),
    };
    let descent = RefinementConfig {
        steps: config.steps,
        learning_rate: config.learning_rate,
        learning_rate_by_beta: Vec::new(),
        draws: config.draws,
        inputs: config.inputs,
        means_only: false,
    };
    let betas: Vec<f64> = starts.iter().map(|(_, beta)| beta.value()).collect();
    let (posterior, mut rng) = descend(
        task,
        posterior,
        &Pricing {
            sigmas,
            widths: config.kl_prior_widths,
            activation,
        },
        &betas,
        &descent,
        config.seed,
    )?;

    let posterior = posterior.valid();
    let evaluation_seed = config.seed.wrapping_add(0x5EED);
    let draws = config.evaluation_draws;
    let sampled = posterior.networks(&sigmas, draws, Some(&mut rng), activation)?;
    let inputs = task.input_tensor(
        batch * draws,
        config.evaluation_inputs,
        n,
        evaluation_seed,
        &sampled.device(),
    );
    let sampled_nmse: Vec<f64> = to_vec(&task.nmse(&sampled, inputs), "sampled NMSE")?
        .into_iter()
        .map(f64::from)
        .collect();
    let sampled = sampled.to_mlps()?;
    let kl = to_vec(&posterior.kl(&config.kl_prior_widths), "KL")?;
    // The mean and std of every parameter, back in the network's units.
    let means = posterior
        .networks(&sigmas, 1, None, activation)?
        .to_mlps()?;
    fn std_of<const D: usize>(log_std: Tensor<D>, sigma: f64) -> Tensor<D> {
        log_std.clamp(MIN_LOG_STD, MAX_LOG_STD).exp() * sigma
    }
    let p = &posterior;
    let stds = MlpBatch::new(
        std_of(p.w_log_std.val(), sigmas.weight),
        std_of(p.b_log_std.val(), sigmas.bias),
        std_of(p.a_log_std.val(), sigmas.output_weight),
        std_of(p.c_log_std.val(), sigmas.output_bias),
        activation,
        vec![batch],
    )?
    .to_mlps()?;
    let mut sampled = sampled.into_iter();
    means
        .into_iter()
        .zip(stds)
        .enumerate()
        .map(|(k, (mean, std))| {
            let sampled_nmse = sampled_nmse[k * draws..(k + 1) * draws].to_vec();
            let nmse_sampled = sampled_nmse.iter().sum::<f64>() / draws as f64;
            let nmse_mean = task.nmse_of(&mean, config.evaluation_inputs * 8, evaluation_seed)?;
            Ok(PosteriorFit {
                mean,
                std,
                sampled: sampled.by_ref().take(draws).collect(),
                sampled_nmse,
                nmse_sampled,
                nmse_mean,
                kl: f64::from(kl[k]),
                beta: starts[k].1,
            })
        })
        .collect()
}

/// Configuration of [`refine`]: a short descent, run inside a training step.
///
/// ```
/// let config: hyperinterp_hvae::RefinementConfig = serde_json::from_str(r#"{"steps": 10}"#).unwrap();
/// assert_eq!(config.draws, 1); // unspecified fields keep their defaults
/// assert!(config.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RefinementConfig {
    /// Adam steps.
    pub steps: usize,
    /// Peak learning rate (warm-up over 5% of the steps, then cosine decay).
    /// Adam steps on the decoder's output, which is in the units of
    /// [`HypernetworkConfig::priors`]: in k times larger units each step moves
    /// the network k times as far. Measured as the pull's refinement, that
    /// distance, not the units, decides whether the generator goes toward
    /// the pudding or double-sided (docs/findings.md, "the pull's step").
    pub learning_rate: f64,
    /// Each network's peak learning rate by the beta it is refined at, as
    /// `[beta, learning_rate]` points in increasing beta: interpolated
    /// linearly in log beta and log rate, held at the end points' rates
    /// beyond them. Empty (the default): `learning_rate` for every network.
    /// It lets the step, which decides the basin (see `learning_rate`), be
    /// long at low betas and short at high ones. The beta is the one the
    /// network is priced at, so during a KL warm-up it follows the ramp.
    /// Measured long up to beta 1e-6, it orders the order parameters by
    /// beta as the paper orders the phases (double-sidedness falling, the
    /// pudding slope rising), but labels no network double-sided (docs/findings.md,
    /// "the pull's step by beta").
    pub learning_rate_by_beta: Vec<[f64; 2]>,
    /// Weight draws per network and step.
    pub draws: usize,
    /// Fresh inputs per draw and step.
    pub inputs: usize,
    /// Refine the means alone: each network is scored at its posterior's
    /// mean (no weight draws) and the log-stds are held where the decoder
    /// wrote them, so the KL prices only the size of the mean weights (an
    /// L2 price, as [`PosteriorFitConfig::fixed_std`] makes it). For a
    /// generator trained without weight noise
    /// (`deterministic_weight_steps` covering every step), whose stds settle
    /// at the prior's and whose draws would be prior-sized noise. Off by
    /// default: the refinement then prices precision, as the description
    /// length does.
    pub means_only: bool,
}

impl Default for RefinementConfig {
    fn default() -> Self {
        RefinementConfig {
            steps: 25,
            learning_rate: 2e-2,
            learning_rate_by_beta: Vec::new(),
            draws: 1,
            inputs: 256,
            means_only: false,
        }
    }
}

impl RefinementConfig {
    /// Errors naming the first field out of range.
    ///
    /// ```
    /// use hyperinterp_hvae::RefinementConfig;
    /// let unordered = RefinementConfig {
    ///     learning_rate_by_beta: vec![[1e-5, 2e-2], [1e-7, 2e-1]],
    ///     ..Default::default()
    /// };
    /// assert!(unordered.validate().unwrap_err().to_string().contains("learning_rate_by_beta"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        require_at_least_one(&[
            ("steps", self.steps),
            ("draws", self.draws),
            ("inputs", self.inputs),
        ])?;
        require_positive(&[("learning_rate", self.learning_rate)])?;
        let points = &self.learning_rate_by_beta;
        let positive = points
            .iter()
            .all(|&[beta, rate]| beta.is_finite() && beta > 0.0 && rate.is_finite() && rate > 0.0);
        if !positive || points.windows(2).any(|pair| pair[1][0] <= pair[0][0]) {
            return Err(CoreError::config(
                "learning_rate_by_beta",
                "points must be [beta, learning_rate] pairs, both finite and > 0, in strictly increasing beta",
            ));
        }
        Ok(())
    }

    /// The peak learning rate of a network refined at `beta`
    /// ([`RefinementConfig::learning_rate_by_beta`], or `learning_rate`).
    ///
    /// ```
    /// use hyperinterp_hvae::RefinementConfig;
    /// let config = RefinementConfig {
    ///     learning_rate_by_beta: vec![[1e-7, 2e-1], [1e-5, 2e-2]],
    ///     ..Default::default()
    /// };
    /// assert!((config.learning_rate_at(1e-6) - 2e-1 / 10f64.sqrt()).abs() < 1e-9);
    /// assert_eq!(config.learning_rate_at(1e-9), 2e-1);
    /// assert_eq!(config.learning_rate_at(1e-3), 2e-2);
    /// assert_eq!(RefinementConfig::default().learning_rate_at(1e-6), 2e-2);
    /// ```
    pub fn learning_rate_at(&self, beta: f64) -> f64 {
        let points = &self.learning_rate_by_beta;
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return self.learning_rate;
        };
        if beta <= first[0] {
            return first[1];
        }
        if beta >= last[0] {
            return last[1];
        }
        let upper = points.partition_point(|point| point[0] <= beta);
        let ([beta_0, rate_0], [beta_1, rate_1]) = (points[upper - 1], points[upper]);
        let along = (beta / beta_0).ln() / (beta_1 / beta_0).ln();
        (rate_0.ln() + along * (rate_1 / rate_0).ln()).exp()
    }
}

/// What the decoder wrote, refined by [`RefinementConfig::steps`] of Adam on
/// each network's own `NMSE + beta · KL` (weight KL; the node latents stay as
/// drawn), with `betas` one per network in `[G N]` order. The result has the
/// decoder's shapes, is cut from any autodiff graph, and is a target: how far
/// the decoder's precision is from what the objective wants of the networks
/// it wrote (the amortisation gap, closed a little).
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::{Sizes, Task};
/// use hyperinterp_graph_transformer::ParamSet;
/// use hyperinterp_hvae::{catalogue, generate, refine, HypernetworkConfig, Noise, RefinementConfig};
/// use hyperinterp_l1::L1Task;
/// let device = Device::default().autodiff();
/// let config = HypernetworkConfig::default();
/// let set = ParamSet::initialise(&catalogue(&config), 1, 0, &device)?;
/// let noise = Noise::draw(&config, 1, 2, Sizes { n: 3, m: 6 }, 1, &device)?;
/// let decoded = generate(&set, &config, &noise)?.decoded;
/// let refined = refine(&L1Task::default(), &decoded, &[1e-3, 1e-3], &config, &RefinementConfig::default(), 0)?;
/// assert_eq!(refined.weight.mean.dims(), [1, 2, 6, 3]);
/// assert_eq!(decoded.squared_distance(&refined).dims(), [2]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn refine(
    task: &impl Task,
    decoded: &Decoded,
    betas: &[f64],
    config: &HypernetworkConfig,
    refinement: &RefinementConfig,
    seed: u64,
) -> Result<Decoded> {
    refinement.validate()?;
    let [groups, networks, m, n] = decoded.weight.mean.dims();
    let batch = groups * networks;
    if betas.len() != batch {
        return Err(CoreError::ShapeMismatch {
            field: "betas".to_string(),
            expected: vec![batch],
            found: vec![betas.len()],
        });
    }
    let sigmas = config.priors.sigmas(Sizes::new(n, m)?);
    let flat3 = |t: &Tensor<4>| leaf(t.clone().reshape([batch, m, n]));
    let flat2 = |t: &Tensor<3>| leaf(t.clone().reshape([batch, m]));
    let flat1 = |t: &Tensor<2>| leaf(t.clone().reshape([batch]));
    // Held log-stds are skipped by Adam and come back as the decoder wrote them.
    let std_trainable = !refinement.means_only;
    let posterior = Posterior {
        w_mean: flat3(&decoded.weight.mean),
        w_log_std: flat3(&decoded.weight.log_std).set_require_grad(std_trainable),
        b_mean: flat2(&decoded.bias.mean),
        b_log_std: flat2(&decoded.bias.log_std).set_require_grad(std_trainable),
        a_mean: flat2(&decoded.output_weight.mean),
        a_log_std: flat2(&decoded.output_weight.log_std).set_require_grad(std_trainable),
        c_mean: flat1(&decoded.output_bias.mean),
        c_log_std: flat1(&decoded.output_bias.log_std).set_require_grad(std_trainable),
    };
    let (p, _) = descend(
        task,
        posterior,
        &Pricing {
            sigmas,
            widths: config.kl_prior_widths,
            activation: config.activation,
        },
        betas,
        refinement,
        seed,
    )?;
    let back3 = |t: &Param<Tensor<3>>| t.val().detach().reshape([groups, networks, m, n]);
    let back2 = |t: &Param<Tensor<2>>| t.val().detach().reshape([groups, networks, m]);
    let back1 = |t: &Param<Tensor<1>>| t.val().detach().reshape([groups, networks]);
    Ok(Decoded {
        weight: DecodedKind {
            mean: back3(&p.w_mean),
            log_std: back3(&p.w_log_std),
        },
        bias: DecodedKind {
            mean: back2(&p.b_mean),
            log_std: back2(&p.b_log_std),
        },
        output_weight: DecodedKind {
            mean: back2(&p.a_mean),
            log_std: back2(&p.a_log_std),
        },
        output_bias: DecodedKind {
            mean: back1(&p.c_mean),
            log_std: back1(&p.c_log_std),
        },
    })
}
