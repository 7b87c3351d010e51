//! Training at a fixed beta, and the pieces every trainer shares: Adam over a
//! [`ParamSet`] with global gradient-norm clipping, step metrics, a JSONL log
//! and a progress bar.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use burn::optim::{Adam, AdamConfig, AdamState, Optimizer};
use burn::tensor::{Device, Gradients, Tensor};
use hyperinterp_core::{
    Beta, CoreError, Result, Sizes, Task, require_at_least_one, require_positive, to_vec,
    validate_sizes, warmup_cosine,
};
use hyperinterp_graph_transformer::ParamSet;
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::hypernetwork::Hypernetwork;
use crate::model::{Noise, generate};

/// Adam over every tensor of a [`ParamSet`], with global gradient-norm
/// clipping (the norm over all tensors together, not per tensor).
#[derive(Clone)]
pub struct ParamAdam {
    adam: Adam,
    /// Per tensor: Adam's state (step count and both moments), `None` before the first step.
    pub states: Vec<Option<AdamState<2>>>,
    /// Largest global gradient norm let through.
    pub clip_norm: f64,
}

impl ParamAdam {
    /// Fresh state for `count` tensors.
    ///
    /// ```
    /// let adam = hyperinterp_hvae::ParamAdam::new(3, 1.0);
    /// assert_eq!(adam.states.len(), 3);
    /// ```
    pub fn new(count: usize, clip_norm: f64) -> Self {
        ParamAdam {
            adam: AdamConfig::new().build(),
            states: vec![None; count],
            clip_norm,
        }
    }

    /// One step: gradients of `values` (autodiff leaves) from `grads`, clipped
    /// together, then Adam. Returns the new leaves and the global gradient norm
    /// before clipping. A tensor without a gradient keeps its value.
    pub fn step(
        &mut self,
        learning_rate: f64,
        values: &[Tensor<2>],
        grads: &Gradients,
    ) -> Result<(Vec<Tensor<2>>, f64)> {
        let gradients: Vec<Option<Tensor<2>>> = values.iter().map(|v| v.grad(grads)).collect();
        self.apply(learning_rate, values, gradients)
    }

    /// [`ParamAdam::step`] with the gradients given, one per value (for
    /// gradients summed over shards computed apart).
    pub fn apply(
        &mut self,
        learning_rate: f64,
        values: &[Tensor<2>],
        gradients: Vec<Option<Tensor<2>>>,
    ) -> Result<(Vec<Tensor<2>>, f64)> {
        if gradients.len() != values.len() {
            return Err(CoreError::config(
                "gradients",
                format!("{} gradients for {} values", gradients.len(), values.len()),
            ));
        }
        let squares: Vec<Tensor<1>> = gradients
            .iter()
            .flatten()
            .map(|g| (g.clone() * g.clone()).sum())
            .collect();
        let norm = if squares.is_empty() {
            0.0
        } else {
            f64::from(to_vec(&Tensor::cat(squares, 0).sum().sqrt(), "gradient norm")?[0])
        };
        if !norm.is_finite() {
            return Err(CoreError::NonFinite {
                field: "gradient norm".into(),
                index: 0,
                value: norm as f32,
            });
        }
        let scale = if norm > self.clip_norm {
            self.clip_norm / norm
        } else {
            1.0
        };
        let mut updated = Vec::with_capacity(values.len());
        for ((value, gradient), state) in values.iter().zip(gradients).zip(self.states.iter_mut()) {
            let inner = value.clone().inner();
            let next = match gradient {
                Some(gradient) => {
                    let (next, next_state) =
                        self.adam
                            .step(learning_rate, inner, gradient * scale, state.take());
                    *state = next_state;
                    next
                }
                None => inner,
            };
            updated.push(next.autodiff().require_grad());
        }
        Ok((updated, norm))
    }
}

/// Configuration of a training run of the hypernetwork.
///
/// ```
/// let config: hyperinterp_hvae::TrainingConfig = serde_json::from_str(r#"{"steps": 50}"#).unwrap();
/// assert_eq!(config.inputs, 256);
/// assert!(config.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingConfig {
    /// Optimisation steps.
    pub steps: usize,
    /// Networks generated per step (N). Many networks per step matter: the
    /// model must learn a rule that turns latent noise into neurons, and with
    /// 4 networks per step it stayed at NMSE ~0.6 where 32 reached 0.2 in the
    /// same 1500 steps (n = 4, m = 12, `examples/hvae`).
    pub networks: usize,
    /// Fresh inputs per network per step (X).
    pub inputs: usize,
    /// Sizes `(n, m)`; each step draws one.
    pub sizes: Vec<Sizes>,
    /// Peak learning rate.
    pub learning_rate: f64,
    /// Linear learning-rate warm-up steps (cosine decay after).
    pub warmup_steps: usize,
    /// Global gradient-norm clipping.
    pub clip_norm: f64,
    /// Steps over which beta ramps linearly up from 0: lets networks get
    /// structure before the weight price bites (docs/design.md §7).
    pub kl_warmup_steps: usize,
    /// Steps at the start during which generated weights are not sampled
    /// (their means are used): the networks must get structure from the node
    /// latents first. Sampled from step 0, weight noise served as free random
    /// features and training stalled at NMSE ~0.46 (beta = 0, 3000 steps);
    /// with 1500 deterministic steps first it reached 0.06.
    pub deterministic_weight_steps: usize,
    /// Seed of every random draw of the run.
    pub seed: u64,
    /// Show a progress bar.
    pub progress: bool,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        TrainingConfig {
            steps: 8000,
            networks: 32,
            inputs: 256,
            sizes: vec![Sizes { n: 4, m: 12 }],
            learning_rate: 2e-3,
            warmup_steps: 100,
            clip_norm: 1.0,
            kl_warmup_steps: 0,
            deterministic_weight_steps: 4000,
            seed: 0,
            progress: true,
        }
    }
}

impl TrainingConfig {
    /// Errors naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        require_at_least_one(&[
            ("steps", self.steps),
            ("networks", self.networks),
            ("inputs", self.inputs),
        ])?;
        validate_sizes("sizes", &self.sizes)?;
        require_positive(&[
            ("learning_rate", self.learning_rate),
            ("clip_norm", self.clip_norm),
        ])?;
        Ok(())
    }

    /// Beta at `step`, with the KL warm-up applied.
    pub fn beta_at(&self, beta: f64, step: usize) -> f64 {
        if step < self.kl_warmup_steps {
            beta * step as f64 / self.kl_warmup_steps as f64
        } else {
            beta
        }
    }
}

/// What one training step measured (means over the step's networks).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepMetrics {
    /// Step index, from 0.
    pub step: usize,
    /// Input size of the step.
    pub n: usize,
    /// Hidden width of the step.
    pub m: usize,
    /// Beta used in the loss (after KL warm-up); for a Pareto run, the
    /// geometric mean of the step's betas.
    pub beta: f64,
    /// Loss `NMSE + beta KL`.
    pub loss: f64,
    /// NMSE of the sampled networks.
    pub nmse: f64,
    /// Total KL, nats.
    pub kl: f64,
    /// Node-latent KL, nats.
    pub node_kl: f64,
    /// Weight KL, nats.
    pub weight_kl: f64,
    /// Global gradient norm before clipping.
    pub gradient_norm: f64,
    /// Learning rate used.
    pub learning_rate: f64,
    /// Seconds since the run started.
    pub seconds: f64,
    /// Semi-amortised training's pull: squared distance in prior units from
    /// the decoder's output to its refined target, per network (0 without).
    #[serde(default)]
    pub pull: f64,
}

/// Appends one JSON object per line to a file (created, or truncated, on open).
pub struct MetricsLog {
    writer: Option<std::io::BufWriter<std::fs::File>>,
}

impl MetricsLog {
    /// Opens `path` (creating its folder), or logs nowhere for `None`.
    pub fn create(path: Option<&Path>) -> Result<Self> {
        MetricsLog::open(path, false)
    }

    /// Opens `path` to truncate it or, with `append`, to add to it (a resumed run).
    pub fn open(path: Option<&Path>, append: bool) -> Result<Self> {
        let writer = match path {
            Some(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
                }
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .write(true)
                    .append(append)
                    .truncate(!append)
                    .open(path)
                    .map_err(|e| io_error(path, e))?;
                Some(std::io::BufWriter::new(file))
            }
            None => None,
        };
        Ok(MetricsLog { writer })
    }

    /// Writes one line.
    pub fn write<T: Serialize>(&mut self, record: &T) -> Result<()> {
        if let Some(writer) = &mut self.writer {
            serde_json::to_writer(&mut *writer, record)?;
            writer
                .write_all(b"\n")
                .and_then(|_| writer.flush())
                .map_err(|e| io_error(Path::new("metrics"), e))?;
        }
        Ok(())
    }
}

fn io_error(path: &Path, source: std::io::Error) -> CoreError {
    CoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A progress bar showing step, loss, NMSE, KL, steps/s and ETA (hidden when
/// `visible` is false, e.g. in tests).
pub fn progress_bar(steps: usize, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(steps as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} {per_sec} eta {eta} {msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Derives a per-step seed from a run seed, a step and a stream.
pub fn step_seed(seed: u64, step: usize, stream: u64) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    rng.set_word_pos(2 * step as u128 * 8);
    rng.random()
}

/// Trains `model` at a fixed `beta` on `task`: per step, one size drawn from
/// `config.sizes`, N networks, X fresh inputs each; loss = mean(NMSE + beta KL);
/// Adam with warm-up and cosine decay, global gradient clipping. Writes one
/// [`StepMetrics`] line per step to `metrics` if given. A NaN or infinite loss
/// stops training with an error naming the step.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::{Beta, Sizes};
/// use hyperinterp_hvae::{train_fixed_beta, Hypernetwork, HypernetworkConfig, TrainingConfig};
/// use hyperinterp_l1::L1Task;
/// let device = Device::default().autodiff();
/// let task = L1Task::default();
/// let sizes = Sizes::new(2, 6)?;
/// let model = Hypernetwork::new(HypernetworkConfig::default(), &task, sizes, 0, &device)?;
/// let config = TrainingConfig { steps: 3, sizes: vec![sizes], inputs: 32, progress: false, ..Default::default() };
/// let (_model, metrics) = train_fixed_beta(model, &task, Beta::new(1e-3)?, &config, None)?;
/// assert_eq!(metrics.len(), 3);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn train_fixed_beta(
    model: Hypernetwork,
    task: &impl Task,
    beta: Beta,
    config: &TrainingConfig,
    metrics: Option<&Path>,
) -> Result<(Hypernetwork, Vec<StepMetrics>)> {
    config.validate()?;
    let hypernetwork_config = model.config().clone();
    let set = model.param_set()?;
    let device: Device = set.values()[0].device().autodiff();
    let specs = set.specs().to_vec();
    let mut values: Vec<Tensor<2>> = set
        .values()
        .iter()
        .map(|v| {
            v.clone()
                .inner()
                .to_device(&device)
                .autodiff()
                .require_grad()
        })
        .collect();
    let mut optimizer = ParamAdam::new(values.len(), config.clip_norm);
    let mut log = MetricsLog::create(metrics)?;
    let bar = progress_bar(config.steps, config.progress);
    let mut size_rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x517E);
    let mut history = Vec::with_capacity(config.steps);
    let start = Instant::now();
    for step in 0..config.steps {
        let sizes = config.sizes[size_rng.random_range(0..config.sizes.len())];
        let set = ParamSet::new(specs.clone(), values.clone())?;
        let noise = Noise::draw(
            &hypernetwork_config,
            1,
            config.networks,
            sizes,
            step_seed(config.seed, step, 1),
            &device,
        )?;
        let noise = if step < config.deterministic_weight_steps {
            noise.without_weight_noise()
        } else {
            noise
        };
        let generated = generate(&set, &hypernetwork_config, &noise)?.networks;
        let inputs = task.input_tensor(
            config.networks,
            config.inputs,
            sizes.n,
            step_seed(config.seed, step, 2),
            &device,
        );
        let step_beta = config.beta_at(beta.value(), step);
        let nmse = task.nmse(&generated.sampled, inputs).mean();
        let node_kl = generated.kl.node.clone().mean();
        let weight_kl = generated.kl.weight.clone().mean();
        let loss = nmse.clone() + (node_kl.clone() + weight_kl.clone()) * step_beta;
        let readout = to_vec(
            &Tensor::cat(
                vec![
                    loss.clone().detach(),
                    nmse.detach(),
                    node_kl.detach(),
                    weight_kl.detach(),
                ],
                0,
            ),
            "metrics",
        )?;
        if readout.iter().any(|v| !v.is_finite()) {
            bar.abandon();
            return Err(CoreError::NonFinite {
                field: format!("training loss at step {step}"),
                index: 0,
                value: readout[0],
            });
        }
        let learning_rate = warmup_cosine(
            config.learning_rate,
            step,
            config.warmup_steps,
            config.steps,
        );
        let (next, gradient_norm) = optimizer.step(learning_rate, &values, &loss.backward())?;
        values = next;
        let record = StepMetrics {
            step,
            n: sizes.n,
            m: sizes.m,
            beta: step_beta,
            loss: f64::from(readout[0]),
            nmse: f64::from(readout[1]),
            kl: f64::from(readout[2] + readout[3]),
            node_kl: f64::from(readout[2]),
            weight_kl: f64::from(readout[3]),
            gradient_norm,
            learning_rate,
            seconds: start.elapsed().as_secs_f64(),
            pull: 0.0,
        };
        log.write(&record)?;
        bar.set_message(format!(
            "loss {:.4} nmse {:.4} kl {:.1}",
            record.loss, record.nmse, record.kl
        ));
        bar.inc(1);
        history.push(record);
    }
    bar.finish();
    let set = ParamSet::new(specs, values.into_iter().map(|v| v.inner()).collect())?;
    Ok((
        Hypernetwork::from_param_set(hypernetwork_config, set)?,
        history,
    ))
}
