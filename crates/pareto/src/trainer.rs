//! [`Trainer`]: one run trains the hyperhypernetwork over the whole beta
//! range; checkpoints are atomic and a resumed run continues exactly.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::optim::{AdamState, AdaptiveMomentumState};
use burn::tensor::{Device, Tensor, TensorData};
use hyperinterp_core::{
    CoreError, Guidance, NetworkClassifier, Result, Sizes, Task, require_at_least_one,
    require_positive, to_vec, validate_sizes, warmup_cosine,
};
use hyperinterp_graph_transformer::{ParamSet, ParamSpec};
use hyperinterp_hvae::{
    Decoded, HypernetworkConfig, MetricsLog, Noise, ParamAdam, RefinementConfig, StepMetrics,
    calibrate, generate, progress_bar, refine, step_seed,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::checkpoint::{AdamMoments, Checkpoint, decoded_parts, row};
use crate::generator::{Evaluation, Generator, LabelWeights};
use crate::model::{ParetoConfig, catalogue, hypernetwork_params};
use crate::teacher::{Teacher, TeacherConfig};

/// The seed stream of shard k's refinement targets is this plus k: apart
/// from streams 1–4 (a step's noise, inputs, betas and sizes).
const REFINEMENT_STREAM: u64 = 16;

/// The seed stream of the fixed latents of persistent targets at training
/// size k is this plus k.
const PERSISTENT_STREAM: u64 = 1 << 20;

/// What one shard of a training step returns: a gradient per parameter
/// tensor and its share of (loss, NMSE, node KL, weight KL, pull).
struct ShardResult {
    gradients: Vec<Option<Tensor<2>>>,
    sums: Vec<f32>,
    target: Option<Decoded>,
}

/// What is evaluated at every checkpoint: the phases over training time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvaluationConfig {
    /// Betas on a log grid across the trained range.
    pub betas: usize,
    /// Networks generated per beta (and per size).
    pub networks: usize,
    /// Fresh inputs per network for the NMSE.
    pub inputs: usize,
    /// Which weights are labelled. Default: the sampled ones.
    pub labels_from: LabelWeights,
}

impl Default for EvaluationConfig {
    fn default() -> Self {
        EvaluationConfig {
            betas: 7,
            networks: 16,
            inputs: 2048,
            labels_from: LabelWeights::Sampled,
        }
    }
}

/// Configuration of a Pareto training run (serialised into every checkpoint).
///
/// ```
/// let config: hyperinterp_pareto::TrainerConfig = serde_json::from_str(r#"{"steps": 10}"#).unwrap();
/// assert_eq!(config.groups, 8);
/// assert!(config.validate().is_ok());
/// let empty: hyperinterp_pareto::TrainerConfig = serde_json::from_str(r#"{"sizes": []}"#).unwrap();
/// assert!(empty.validate().unwrap_err().to_string().contains("sizes"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainerConfig {
    /// The hypernetwork whose parameters are generated.
    pub hypernetwork: HypernetworkConfig,
    /// The hyperhypernetwork and its beta range.
    pub pareto: ParetoConfig,
    /// Optimisation steps.
    pub steps: usize,
    /// Betas per step (G), drawn stratified log-uniform over the range.
    pub groups: usize,
    /// Networks per beta per step (N).
    pub networks: usize,
    /// Fresh inputs per network (X).
    pub inputs: usize,
    /// Sizes `(n, m)`; each step draws one. The first is also where the
    /// decoder is calibrated at initialisation, so put a typical size first:
    /// measured on n = 2, 3, 4, calibrating at (2, 6) left every size far
    /// less accurate than calibrating at (4, 12) (docs/findings.md, "training at small n").
    pub sizes: Vec<Sizes>,
    /// Peak learning rate.
    pub learning_rate: f64,
    /// Linear warm-up steps (cosine decay after).
    pub warmup_steps: usize,
    /// Global gradient-norm clipping.
    pub clip_norm: f64,
    /// Steps at the start without weight sampling (see `hyperinterp_hvae::TrainingConfig`).
    pub deterministic_weight_steps: usize,
    /// Steps at the start with every beta at 0: the networks get structure
    /// before complexity is priced. Without it the high-beta groups (whose
    /// `beta · KL` dwarfs the NMSE) held the shared parameters in a collapsed
    /// state: every label Trivial, mean-weight NMSE ~1.9 after 4000 steps.
    pub kl_free_steps: usize,
    /// Steps after `kl_free_steps` over which every beta ramps up from 0.
    pub kl_warmup_steps: usize,
    /// Checkpoint (and evaluate) every this many steps, and at the end.
    pub checkpoint_every: usize,
    /// The evaluation at checkpoints.
    pub evaluation: EvaluationConfig,
    /// Seed of every random draw of the run.
    pub seed: u64,
    /// Show a progress bar.
    pub progress: bool,
    /// The step's groups are split into this many shards (at most G), each
    /// run forward and backward on its own thread with its own autodiff
    /// graph; their gradients are summed. burn's CPU backends run most ops
    /// on one core, so this is what uses a second one. Results equal those
    /// of one shard up to float rounding, and are reproducible for a given
    /// value (a fixed number, not the machine's core count, for that reason).
    /// The teacher's fits (one per training size) run on this many threads
    /// too, with the same targets as on one.
    pub shards: usize,
    /// Semi-amortised training (on from step 2000, every step).
    pub semi_amortised: SemiAmortisedConfig,
    /// When the weight KL's prior widens to `hypernetwork.kl_prior_widths`
    /// (which are all 1 by default, so nothing widens).
    pub prior_widening: PriorWideningConfig,
    /// A factor on the weight KL in the price, `NMSE + beta · (node KL +
    /// scale · weight KL)`, in the generator's loss and in its refinement
    /// targets' objective alike. None (the default): 1, docs/design.md's
    /// price. A small scale leaves mostly the price of the node latents'
    /// information: what it costs to tell each hidden unit its part. Not
    /// with a teacher, whose fits price the weights in full.
    ///
    /// ```
    /// let config: hyperinterp_pareto::TrainerConfig =
    ///     serde_json::from_str(r#"{"weight_kl_scale": 0.01}"#).unwrap();
    /// assert_eq!(config.weight_kl_scale, Some(0.01));
    /// assert!(config.validate().is_ok());
    /// let negative: hyperinterp_pareto::TrainerConfig =
    ///     serde_json::from_str(r#"{"weight_kl_scale": -1.0}"#).unwrap();
    /// assert!(negative.validate().is_err());
    /// ```
    pub weight_kl_scale: Option<f64>,
}

/// A prior that widens during training: before `from_step` the weight KL is
/// against `hypernetwork.priors` themselves; over the next `steps` steps its
/// widths grow geometrically to `hypernetwork.kl_prior_widths`, and stay
/// there (the evaluations price at those). The decoder writes in the
/// priors' units throughout, so the networks do not jump; only their price
/// changes. Why: under a 10x wider input-weight prior the objective prefers
/// double-sided at the lowest betas, but trained with it from the start the
/// generator reaches it slowly; this lets the narrow prior's phases form first.
/// Measured (docs/findings.md, "the prior widened during training"): widened from 1 to
/// 10 over steps 4000-6000 of 12 000, it leads to the pudding instead; the
/// decoder's units, not the price alone, decide which basin.
///
/// ```
/// use hyperinterp_pareto::{PriorWideningConfig, TrainerConfig};
/// let mut config = TrainerConfig { prior_widening: PriorWideningConfig { from_step: 100, steps: 100 }, ..Default::default() };
/// config.hypernetwork.kl_prior_widths.weight = 100.0;
/// assert_eq!(config.hypernetwork_at(50).kl_prior_widths.weight, 1.0);
/// assert!((config.hypernetwork_at(150).kl_prior_widths.weight - 10.0).abs() < 1e-9);
/// assert_eq!(config.hypernetwork_at(200).kl_prior_widths.weight, 100.0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PriorWideningConfig {
    /// The step at which the widening starts.
    pub from_step: usize,
    /// Steps over which it widens (0: all at once at `from_step`).
    pub steps: usize,
}

/// Semi-amortised training: on its steps, each generated network's posterior
/// is refined by a short descent on its own `NMSE + beta · KL`
/// ([`hyperinterp_hvae::refine`]), and `weight ·` the squared distance from
/// the decoder's output to that target joins the loss. Refined by the
/// objective, the generated networks become puddings; the generator alone
/// did not get there (its precision, the amortisation gap), and this pulls it.
///
/// ```
/// let config: hyperinterp_pareto::SemiAmortisedConfig =
///     serde_json::from_str(r#"{"every": 2, "refinement": {"steps": 10}}"#).unwrap();
/// assert!(config.is_active(2000) && !config.is_active(2001) && !config.is_active(0));
/// assert!(config.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SemiAmortisedConfig {
    /// Pull on every this many steps; 0 never. Default 1: pulled on every
    /// second step (the earlier default), at any weight measured, the
    /// pudding stayed short of a pooled majority; on every step it is one
    /// in 3 of 5 seeds (docs/findings.md, "a pull on every step").
    pub every: usize,
    /// The first step that may pull (before it, the networks have no
    /// structure worth refining).
    pub from_step: usize,
    /// The first step that no longer pulls; none (the default) pulls to the
    /// end. Stopping it leaves the last steps to `NMSE + beta · KL` alone.
    /// Measured, that does not sharpen what the pull found: the long step's
    /// lean toward double-sided is gone within 500 steps, the default's
    /// pudding stops growing (docs/findings.md, "the pull with an end").
    pub until_step: Option<usize>,
    /// Weight of the squared distance in the loss, per network.
    pub weight: f64,
    /// The descent that makes the targets.
    pub refinement: RefinementConfig,
    /// Keep each target and refine it further at the next pull, instead of
    /// refining the generator's network afresh each time. Pull steps then
    /// use fixed latents per training size (slot k's network at one pull is
    /// slot k's at the next), so refinement accumulates across pulls: a
    /// 25-step target asks for little when the objective is flat between
    /// `mixed` and the pudding, and this lets the targets travel the whole way.
    /// Off by default: measured, it did worse than fresh targets (the kept
    /// targets drift away from what the generator writes; docs/findings.md, "persistent
    /// refinement targets"). The kept targets are in the checkpoint.
    pub persistent: bool,
    /// Steps over which the pull's weight grows linearly from `weight /
    /// warmup_steps` at `from_step` to `weight`; 0 (the default) pulls at
    /// full weight from the first pull. Under a ten times wider weight
    /// prior, a full pull starting with the weight KL's warm-up blew up at
    /// seed 2 and with latent width 8; warmed up over that warm-up's 1000
    /// steps, both still blew up, a few hundred steps later (docs/findings.md, "why
    /// seed 2 of the wide prior diverged"). Kept so that those runs can be
    /// repeated.
    pub warmup_steps: usize,
    /// Pull toward the objective's own choice at each size and beta (a
    /// [`Teacher`], fitted when the pull first starts) instead of each
    /// network refined from itself. None (the default): refined targets.
    pub teacher: Option<TeacherConfig>,
}

impl Default for SemiAmortisedConfig {
    fn default() -> Self {
        SemiAmortisedConfig {
            every: 1,
            from_step: 2000,
            until_step: None,
            weight: 1.0,
            refinement: RefinementConfig::default(),
            persistent: false,
            warmup_steps: 0,
            teacher: None,
        }
    }
}

impl SemiAmortisedConfig {
    /// Whether step `step` pulls.
    ///
    /// ```
    /// let config: hyperinterp_pareto::SemiAmortisedConfig =
    ///     serde_json::from_str(r#"{"from_step": 10, "until_step": 20}"#).unwrap();
    /// assert!(!config.is_active(9) && config.is_active(10) && config.is_active(19));
    /// assert!(!config.is_active(20) && !config.is_active(21));
    /// ```
    pub fn is_active(&self, step: usize) -> bool {
        self.every > 0
            && step >= self.from_step
            && self.until_step.is_none_or(|until| step < until)
            && (step - self.from_step).is_multiple_of(self.every)
    }

    /// The pull's weight at step `step` (a pulling step: `step >= from_step`),
    /// `weight` after the warm-up.
    ///
    /// ```
    /// let config: hyperinterp_pareto::SemiAmortisedConfig =
    ///     serde_json::from_str(r#"{"from_step": 100, "weight": 2.0, "warmup_steps": 4}"#).unwrap();
    /// assert_eq!(config.weight_at(100), 0.5);
    /// assert_eq!(config.weight_at(102), 1.5);
    /// assert_eq!(config.weight_at(103), 2.0);
    /// assert_eq!(config.weight_at(5000), 2.0);
    /// let at_once = hyperinterp_pareto::SemiAmortisedConfig::default();
    /// assert_eq!(at_once.weight_at(at_once.from_step), at_once.weight);
    /// ```
    pub fn weight_at(&self, step: usize) -> f64 {
        let into = step.saturating_sub(self.from_step) + 1;
        if into >= self.warmup_steps {
            self.weight
        } else {
            self.weight * into as f64 / self.warmup_steps as f64
        }
    }

    /// Errors naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        require_positive(&[("semi_amortised.weight", self.weight)])?;
        if let Some(until) = self.until_step.filter(|&until| until <= self.from_step) {
            return Err(CoreError::config(
                "semi_amortised.until_step",
                format!(
                    "must be after from_step ({}) or absent, got {until}",
                    self.from_step
                ),
            ));
        }
        if let Some(teacher) = &self.teacher {
            teacher.validate()?;
        }
        self.refinement.validate()
    }
}

impl Default for TrainerConfig {
    fn default() -> Self {
        TrainerConfig {
            hypernetwork: HypernetworkConfig::default(),
            pareto: ParetoConfig::default(),
            steps: 4000,
            groups: 8,
            networks: 4,
            inputs: 256,
            sizes: vec![
                Sizes { n: 4, m: 12 },
                Sizes { n: 6, m: 18 },
                Sizes { n: 8, m: 24 },
            ],
            learning_rate: 2e-3,
            warmup_steps: 100,
            clip_norm: 1.0,
            deterministic_weight_steps: 2000,
            kl_free_steps: 2000,
            kl_warmup_steps: 1000,
            checkpoint_every: 500,
            evaluation: EvaluationConfig::default(),
            seed: 0,
            progress: true,
            shards: 2,
            semi_amortised: SemiAmortisedConfig::default(),
            prior_widening: PriorWideningConfig::default(),
            weight_kl_scale: None,
        }
    }
}

impl TrainerConfig {
    /// Errors naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        self.hypernetwork.validate()?;
        self.pareto.validate()?;
        require_at_least_one(&[
            ("steps", self.steps),
            ("groups", self.groups),
            ("networks", self.networks),
            ("inputs", self.inputs),
            ("checkpoint_every", self.checkpoint_every),
            ("shards", self.shards),
            ("evaluation.betas", self.evaluation.betas),
            ("evaluation.networks", self.evaluation.networks),
            ("evaluation.inputs", self.evaluation.inputs),
        ])?;
        validate_sizes("sizes", &self.sizes)?;
        if let Some(scale) = self.weight_kl_scale {
            if !(scale.is_finite() && scale >= 0.0) {
                return Err(CoreError::config(
                    "weight_kl_scale",
                    format!("must be finite and >= 0, got {scale}"),
                ));
            }
            if scale != 1.0 && self.semi_amortised.teacher.is_some() {
                return Err(CoreError::config(
                    "weight_kl_scale",
                    "a teacher's fits price the weights in full: leave the scale at 1 with a teacher",
                ));
            }
        }
        // A trained size outside the limits would read as the nearest limit,
        // so the features could not tell it from that size: a misconfiguration.
        if let Some(limits) = &self.hypernetwork.size_feature_limits
            && let Some(outside) = self.sizes.iter().find(|&&size| limits.clamp(size) != size)
        {
            return Err(CoreError::config(
                "hypernetwork.size_feature_limits",
                format!(
                    "must contain every training size; n = {}, m = {} lies outside \
                     n {}..={}, m {}..={}",
                    outside.n,
                    outside.m,
                    limits.smallest.n,
                    limits.largest.n,
                    limits.smallest.m,
                    limits.largest.m
                ),
            ));
        }
        require_positive(&[
            ("learning_rate", self.learning_rate),
            ("clip_norm", self.clip_norm),
        ])?;
        self.semi_amortised.validate()
    }

    /// What this configuration hands training of the task's hand-written
    /// solutions: blind or guided ([`Guidance`]), computed from the switches
    /// that carry them: hidden roles ([`hyperinterp_hvae::HiddenRoles::guidance`]) and a
    /// teacher whose targets are fitted from `task`'s reference networks
    /// (named here; a teacher started from random networks gives nothing). A trainer warm-started from another run adds that
    /// run's guidance ([`Trainer::guidance`]).
    ///
    /// ```
    /// use hyperinterp_l1::L1Task;
    /// use hyperinterp_pareto::{TeacherConfig, TeacherStarts, TrainerConfig};
    /// let mut config = TrainerConfig::default();
    /// assert!(config.guidance(&L1Task::default())?.blind);
    /// config.semi_amortised.teacher = Some(TeacherConfig::default());
    /// let guidance = config.guidance(&L1Task::default())?;
    /// assert!(!guidance.blind);
    /// assert!(guidance.given[0].contains("double_sided"));
    /// let starts = TeacherStarts::Random { networks: 4, scales: vec![1.0] };
    /// config.semi_amortised.teacher = Some(TeacherConfig { starts, ..Default::default() });
    /// assert!(config.guidance(&L1Task::default())?.blind);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn guidance(&self, task: &impl Task) -> Result<Guidance> {
        let mut given: Vec<String> = self
            .hypernetwork
            .hidden_roles
            .guidance()
            .map(String::from)
            .into_iter()
            .collect();
        if self
            .semi_amortised
            .teacher
            .as_ref()
            .is_some_and(|teacher| teacher.starts.is_guided())
        {
            let mut names: Vec<String> = Vec::new();
            for &sizes in &self.sizes {
                for (name, _) in task.reference_networks(sizes, self.hypernetwork.activation)? {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            given.push(format!(
                "a pull toward networks fitted from the task's hand-written reference networks ({})",
                if names.is_empty() {
                    "none given by this task".to_string()
                } else {
                    names.join(", ")
                }
            ));
        }
        Ok(Guidance::from_given(given))
    }

    /// The hypernetwork's parameter catalogue.
    pub fn hypernetwork_catalogue(&self) -> Vec<ParamSpec> {
        hyperinterp_hvae::catalogue(&self.hypernetwork)
    }

    /// The hyperhypernetwork's parameter catalogue.
    pub fn pareto_catalogue(&self) -> Vec<ParamSpec> {
        catalogue(&self.hypernetwork_catalogue(), &self.pareto)
    }

    /// The G betas of a step: stratified log-uniform over the range.
    pub fn step_betas(&self, step: usize) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(step_seed(self.seed, step, 3));
        let (low, high) = (self.pareto.beta_min.log10(), self.pareto.beta_max.log10());
        (0..self.groups)
            .map(|g| {
                let t = (g as f64 + rng.random::<f64>()) / self.groups as f64;
                10f64.powf(low + t * (high - low))
            })
            .collect()
    }

    /// The factor on every beta at `step` (0 while KL is free, then a linear ramp to 1).
    ///
    /// ```
    /// let config = hyperinterp_pareto::TrainerConfig { kl_free_steps: 10, kl_warmup_steps: 10, ..Default::default() };
    /// assert_eq!(config.beta_ramp(5), 0.0);
    /// assert_eq!(config.beta_ramp(15), 0.5);
    /// assert_eq!(config.beta_ramp(25), 1.0);
    /// ```
    pub fn beta_ramp(&self, step: usize) -> f64 {
        if step < self.kl_free_steps {
            0.0
        } else if step < self.kl_free_steps + self.kl_warmup_steps {
            (step - self.kl_free_steps) as f64 / self.kl_warmup_steps as f64
        } else {
            1.0
        }
    }

    /// The hypernetwork's configuration at `step`: the KL's prior widths as
    /// [`PriorWideningConfig`] schedules them.
    pub fn hypernetwork_at(&self, step: usize) -> HypernetworkConfig {
        let widening = &self.prior_widening;
        let progress = if step < widening.from_step {
            0.0
        } else if widening.steps == 0 {
            1.0
        } else {
            (step - widening.from_step) as f64 / widening.steps as f64
        };
        HypernetworkConfig {
            kl_prior_widths: self.hypernetwork.kl_prior_widths.towards(progress),
            ..self.hypernetwork.clone()
        }
    }

    /// The size of a step.
    pub fn step_sizes(&self, step: usize) -> Sizes {
        let mut rng = ChaCha8Rng::seed_from_u64(step_seed(self.seed, step, 4));
        self.sizes[rng.random_range(0..self.sizes.len())]
    }
}

/// Files a run writes into its output folder.
#[derive(Clone, Debug)]
pub struct RunFiles {
    /// The folder.
    pub dir: PathBuf,
}

impl RunFiles {
    /// `checkpoint.safetensors`: the latest checkpoint.
    pub fn checkpoint(&self) -> PathBuf {
        self.dir.join("checkpoint.safetensors")
    }
    /// `metrics.jsonl`: one [`StepMetrics`] per step.
    pub fn metrics(&self) -> PathBuf {
        self.dir.join("metrics.jsonl")
    }
    /// `teacher.json`: the [`Teacher`]'s choice at each size and grid beta,
    /// written when it is fitted.
    pub fn teacher(&self) -> PathBuf {
        self.dir.join("teacher.json")
    }
    /// `evaluations.jsonl`: one [`Evaluation`] per checkpoint.
    pub fn evaluations(&self) -> PathBuf {
        self.dir.join("evaluations.jsonl")
    }
}

/// A training run of the Pareto hyperhypernetwork, step by step.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::Sizes;
/// use hyperinterp_pareto::{Trainer, TrainerConfig};
/// let mut config = TrainerConfig { steps: 2, groups: 2, networks: 2, inputs: 16, progress: false, ..Default::default() };
/// config.sizes = vec![Sizes::new(2, 4)?];
/// config.hypernetwork.graph.layers = 1;
/// let task = hyperinterp_l1::L1Task::default();
/// let mut trainer = Trainer::new(config, &task, &Device::default())?;
/// let metrics = trainer.run(&task, None, None)?;
/// assert_eq!((metrics.len(), trainer.step()), (2, 2));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub struct Trainer {
    config: TrainerConfig,
    specs: Vec<ParamSpec>,
    values: Vec<Tensor<2>>,
    optimizer: ParamAdam,
    step: usize,
    device: Device,
    /// Persistent refinement targets, one slot per training size.
    targets: Vec<Option<Decoded>>,
    /// The teacher's targets, once fitted (not in the checkpoint: a resumed
    /// run fits them again, the same from the same seed).
    teacher: Option<Teacher>,
    /// What earlier training stages were handed (a warm start from a guided
    /// run's checkpoint is guided too): kept in every checkpoint.
    earlier_guidance: Vec<String>,
}

impl Trainer {
    /// A fresh run: the bases start as a calibrated hypernetwork (at the first
    /// size), the heads at zero.
    pub fn new(config: TrainerConfig, task: &impl Task, device: &Device) -> Result<Self> {
        config.validate()?;
        let device = device.clone().autodiff();
        let hyper_specs = config.hypernetwork_catalogue();
        let hyper = ParamSet::initialise(&hyper_specs, 1, config.seed, &device)?;
        let hyper = calibrate(
            hyper,
            &config.hypernetwork,
            task,
            config.sizes[0],
            config.seed,
        )?;
        let specs = config.pareto_catalogue();
        let mut pareto = ParamSet::initialise(&specs, 1, config.seed ^ 0xBA5E, &device)?;
        for spec in &hyper_specs {
            pareto =
                pareto.with_value(&format!("base.{}", spec.name), hyper.flat(&spec.name)?.1)?;
        }
        let values = pareto
            .values()
            .iter()
            .map(|v| v.clone().detach().require_grad())
            .collect();
        Ok(Trainer::at_step_zero(config, specs, values, device))
    }

    /// A run at step 0 from these parameters, with a fresh optimiser.
    fn at_step_zero(
        config: TrainerConfig,
        specs: Vec<ParamSpec>,
        values: Vec<Tensor<2>>,
        device: Device,
    ) -> Self {
        Trainer {
            optimizer: ParamAdam::new(specs.len(), config.clip_norm),
            targets: vec![None; config.sizes.len()],
            config,
            specs,
            values,
            step: 0,
            device,
            teacher: None,
            earlier_guidance: Vec::new(),
        }
    }

    /// Continues a run from a checkpoint, exactly where it stopped.
    pub fn from_checkpoint(checkpoint: Checkpoint, device: &Device) -> Result<Self> {
        let device = device.clone().autodiff();
        checkpoint.config.validate()?;
        let targets = checkpoint.kept_targets(&device)?;
        let config = checkpoint.config;
        let specs = config.pareto_catalogue();
        let values = checkpoint
            .params
            .into_iter()
            .map(|v| row(v, &device).require_grad())
            .collect();
        let mut optimizer = ParamAdam::new(specs.len(), config.clip_norm);
        optimizer.states = checkpoint
            .adam
            .into_iter()
            .map(|moments| {
                moments.map(|m| {
                    AdamState::new(AdaptiveMomentumState::new(
                        m.time,
                        row(m.first, &device).inner(),
                        row(m.second, &device).inner(),
                    ))
                })
            })
            .collect();
        Ok(Trainer {
            targets,
            teacher: None,
            earlier_guidance: checkpoint.earlier_guidance,
            config,
            specs,
            values,
            optimizer,
            step: checkpoint.step,
            device,
        })
    }

    /// A new run under `config` that starts from a checkpoint's parameters:
    /// a second training stage, e.g. a fresh learning-rate schedule or
    /// another pull after a first run. Only the parameters carry over; the
    /// step count, Adam's moments and any kept targets start afresh, so every
    /// schedule in `config` (learning rate, KL warm-up, pull) counts from 0.
    /// The model must be the checkpoint's: the same parameter catalogue.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use hyperinterp_core::Sizes;
    /// use hyperinterp_pareto::{Trainer, TrainerConfig};
    /// let mut config = TrainerConfig { steps: 2, groups: 2, networks: 2, inputs: 16, progress: false, ..Default::default() };
    /// config.sizes = vec![Sizes::new(2, 4)?];
    /// config.hypernetwork.graph.layers = 1;
    /// let (task, device) = (hyperinterp_l1::L1Task::default(), Device::default());
    /// let mut first = Trainer::new(config.clone(), &task, &device)?;
    /// first.run(&task, None, None)?;
    /// let second = TrainerConfig { learning_rate: 1e-4, ..config.clone() };
    /// let mut next = Trainer::warm_start(second, first.checkpoint()?, &task, &device)?;
    /// assert_eq!(next.step(), 0);
    /// next.run(&task, None, None)?;
    ///
    /// let mut deeper = config;
    /// deeper.hypernetwork.graph.layers = 2;
    /// assert!(Trainer::warm_start(deeper, first.checkpoint()?, &task, &device).is_err());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn warm_start(
        config: TrainerConfig,
        checkpoint: Checkpoint,
        task: &impl Task,
        device: &Device,
    ) -> Result<Self> {
        config.validate()?;
        let specs = config.pareto_catalogue();
        if specs != checkpoint.config.pareto_catalogue() || checkpoint.params.len() != specs.len() {
            return Err(CoreError::config(
                "initialise_from",
                "the checkpoint's model has other parameters than this configuration's \
                 (the graph, latent width and Pareto head must match)",
            ));
        }
        let device = device.clone().autodiff();
        let values: Vec<Tensor<2>> = checkpoint
            .params
            .into_iter()
            .map(|values| row(values, &device).require_grad())
            .collect();
        // A checkpoint built by hand may hold a parameter of the wrong length;
        // `ParamSet` checks every shape, naming the parameter.
        ParamSet::new(specs.clone(), values.clone())?;
        // The earlier run's own guidance, and what its earlier stages had.
        let mut earlier_guidance = checkpoint.earlier_guidance;
        for line in checkpoint.config.guidance(task)?.given {
            let line = format!("in an earlier training stage (initialise_from), {line}");
            if !earlier_guidance.contains(&line) {
                earlier_guidance.push(line);
            }
        }
        let mut trainer = Trainer::at_step_zero(config, specs, values, device);
        trainer.earlier_guidance = earlier_guidance;
        Ok(trainer)
    }

    /// What this run was handed of the task's hand-written solutions: its
    /// configuration's [`TrainerConfig::guidance`] and, after a
    /// [`Trainer::warm_start`], what the earlier stages were handed.
    pub fn guidance(&self, task: &impl Task) -> Result<Guidance> {
        let mut given = self.config.guidance(task)?.given;
        given.extend(self.earlier_guidance.iter().cloned());
        Ok(Guidance::from_given(given))
    }

    /// Resumes from a checkpoint file.
    pub fn resume(path: &Path, device: &Device) -> Result<Self> {
        Trainer::from_checkpoint(Checkpoint::load(path)?, device)
    }

    /// Steps completed.
    pub fn step(&self) -> usize {
        self.step
    }

    /// The configuration.
    pub fn config(&self) -> &TrainerConfig {
        &self.config
    }

    /// The full state as a checkpoint.
    pub fn checkpoint(&self) -> Result<Checkpoint> {
        let params = self
            .values
            .iter()
            .map(|v| to_vec(v, "params"))
            .collect::<Result<Vec<_>>>()?;
        let adam = self
            .optimizer
            .states
            .iter()
            .map(|state| {
                state
                    .as_ref()
                    .map(|s| -> Result<AdamMoments> {
                        Ok(AdamMoments {
                            time: s.momentum.time,
                            first: to_vec(&s.momentum.moment_1, "adam")?,
                            second: to_vec(&s.momentum.moment_2, "adam")?,
                        })
                    })
                    .transpose()
            })
            .collect::<Result<Vec<_>>>()?;
        let targets = self
            .targets
            .iter()
            .map(|target| target.as_ref().map(decoded_parts).transpose())
            .collect::<Result<Vec<_>>>()?;
        Ok(Checkpoint {
            step: self.step,
            config: self.config.clone(),
            params,
            adam,
            targets,
            earlier_guidance: self.earlier_guidance.clone(),
        })
    }

    /// A generator holding the current parameters (no autodiff).
    pub fn generator(&self) -> Result<Generator> {
        let set = ParamSet::new(
            self.specs.clone(),
            self.values.iter().map(|v| v.clone().inner()).collect(),
        )?;
        Generator::new(self.config.clone(), set)
    }

    /// Whether the next step fits the teacher first (its first pull).
    fn teacher_due(&self) -> bool {
        self.teacher_due_in(self.step..self.step + 1)
    }

    /// Whether a step of `steps` pulls toward a teacher not fitted yet.
    fn teacher_due_in(&self, mut steps: std::ops::Range<usize>) -> bool {
        self.teacher.is_none()
            && self.config.semi_amortised.teacher.is_some()
            && steps.any(|step| self.config.semi_amortised.is_active(step))
    }

    /// The teacher's targets, once a pull has fitted them.
    pub fn teacher(&self) -> Option<&Teacher> {
        self.teacher.as_ref()
    }

    /// One optimisation step.
    pub fn train_step(&mut self, task: &impl Task, started: Instant) -> Result<StepMetrics> {
        if self.teacher_due() {
            let generator = self.generator()?;
            self.teacher = Some(Teacher::fit_from_generator(
                task,
                &self.config,
                &generator,
                &self.device,
            )?);
        }
        let config = &self.config;
        let teacher = self.teacher.as_ref();
        let step = self.step;
        let betas = config.step_betas(step);
        let sizes = config.step_sizes(step);
        let hyper_specs = config.hypernetwork_catalogue();
        let hypernetwork = config.hypernetwork_at(step);
        let (groups, networks) = (config.groups, config.networks);
        let pulls = config.semi_amortised.is_active(step);
        let weight_kl_scale = config.weight_kl_scale.unwrap_or(1.0);
        let size_index = config.sizes.iter().position(|&s| s == sizes).unwrap_or(0);
        let persistent = pulls && config.semi_amortised.persistent;
        let noise = Noise::draw(
            &config.hypernetwork,
            groups,
            networks,
            sizes,
            if persistent {
                step_seed(config.seed, 0, PERSISTENT_STREAM + size_index as u64)
            } else {
                step_seed(config.seed, step, 1)
            },
            &self.device,
        )?;
        let noise = if step < config.deterministic_weight_steps {
            noise.without_weight_noise()
        } else {
            noise
        };
        let inputs = task.input_tensor(
            groups * networks,
            config.inputs,
            sizes.n,
            step_seed(config.seed, step, 2),
            &self.device,
        );
        let ramp = config.beta_ramp(step);
        let betas_of_step = &betas;
        let per_network_beta: Vec<f32> = betas
            .iter()
            .flat_map(|&b| std::iter::repeat_n((b * ramp) as f32, networks))
            .collect();
        let beta: Tensor<1> = Tensor::from_data(
            TensorData::new(per_network_beta.clone(), [groups * networks]),
            &self.device,
        );
        let kept = if persistent {
            self.targets[size_index].as_ref()
        } else {
            None
        };

        // One shard: groups `start..start + len`, on leaves of its own so
        // that its autodiff graph is independent of the other shards'.
        let shard = |start: usize, len: usize| -> Result<ShardResult> {
            let leaves: Vec<Tensor<2>> = self
                .values
                .iter()
                .map(|v| v.clone().detach().require_grad())
                .collect();
            let pareto = ParamSet::new(self.specs.clone(), leaves.clone())?;
            let set = hypernetwork_params(
                &pareto,
                &hyper_specs,
                &config.pareto,
                &betas[start..start + len],
            )?;
            let generation = generate(&set, &hypernetwork, &noise.groups(start, len))?;
            let generated = &generation.networks;
            let rows = (start * networks, len * networks);
            let nmse = task.nmse(&generated.sampled, inputs.clone().narrow(0, rows.0, rows.1));
            let (node_kl, weight_kl) = (generated.kl.node.clone(), generated.kl.weight.clone());
            let beta = beta.clone().narrow(0, rows.0, rows.1);
            let mut kept_target = None;
            let pull = if pulls {
                // The refinement's objective prices the weights alone: its
                // beta carries the weight KL's scale.
                let betas: Vec<f64> = per_network_beta[rows.0..rows.0 + rows.1]
                    .iter()
                    .map(|&b| f64::from(b) * weight_kl_scale)
                    .collect();
                let from = kept.map(|t| t.groups(start, len));
                let target = match teacher {
                    // The price's full betas, not the ramp's: the teacher's
                    // targets are the objective's choice at the full price.
                    Some(teacher) => {
                        let full: Vec<f64> = betas_of_step[start..start + len]
                            .iter()
                            .flat_map(|&b| std::iter::repeat_n(b, networks))
                            .collect();
                        teacher.aligned_targets(&generation.decoded, &full)?
                    }
                    None => refine(
                        task,
                        from.as_ref().unwrap_or(&generation.decoded),
                        &betas,
                        &hypernetwork,
                        &config.semi_amortised.refinement,
                        step_seed(config.seed, step, REFINEMENT_STREAM + start as u64),
                    )?,
                };
                let distance = match teacher {
                    Some(teacher) => teacher.squared_distance(&generation.decoded, &target)?,
                    None => generation.decoded.squared_distance(&target),
                };
                kept_target = persistent.then_some(target);
                distance
            } else {
                Tensor::zeros([rows.1], &nmse.device())
            };
            // Sums over the shard divided by all G·N networks: the shards'
            // losses add up to the mean over the step.
            let total = (groups * networks) as f64;
            let loss = (nmse.clone()
                + (node_kl.clone() + weight_kl.clone() * weight_kl_scale) * beta
                + pull.clone() * config.semi_amortised.weight_at(step))
            .sum()
                / total;
            let sums = to_vec(
                &Tensor::cat(
                    vec![
                        loss.clone().detach(),
                        nmse.sum().detach() / total,
                        node_kl.sum().detach() / total,
                        weight_kl.sum().detach() / total,
                        pull.sum().detach() / total,
                    ],
                    0,
                ),
                "metrics",
            )?;
            let grads = loss.backward();
            Ok(ShardResult {
                gradients: leaves.iter().map(|v| v.grad(&grads)).collect(),
                sums,
                target: kept_target,
            })
        };
        let shards = config.shards.clamp(1, groups);
        let bounds: Vec<(usize, usize)> = (0..shards)
            .map(|k| {
                let start = k * groups / shards;
                (start, (k + 1) * groups / shards - start)
            })
            .collect();
        let results: Vec<Result<ShardResult>> = if shards == 1 {
            vec![shard(0, groups)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = bounds
                    .iter()
                    .map(|&(start, len)| scope.spawn(move || shard(start, len)))
                    .collect();
                handles
                    .into_iter()
                    .map(|handle| {
                        handle.join().unwrap_or_else(|_| {
                            Err(CoreError::config("shards", "a shard's thread panicked"))
                        })
                    })
                    .collect()
            })
        };
        let mut readout = [0.0f32; 5];
        let mut gradients: Vec<Option<Tensor<2>>> = vec![None; self.values.len()];
        let mut targets = Vec::new();
        for result in results {
            let result = result?;
            targets.extend(result.target);
            for (total, part) in readout.iter_mut().zip(&result.sums) {
                *total += part;
            }
            for (sum, part) in gradients.iter_mut().zip(result.gradients) {
                *sum = match (sum.take(), part) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                };
            }
        }
        if readout.iter().any(|v| !v.is_finite()) {
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
        let (next, gradient_norm) = self
            .optimizer
            .apply(learning_rate, &self.values, gradients)?;
        self.values = next;
        if persistent {
            self.targets[size_index] =
                Some(Decoded::cat_groups(&targets.iter().collect::<Vec<_>>()));
        }
        self.step += 1;
        let log_mean = betas.iter().map(|b| b.ln()).sum::<f64>() / betas.len() as f64;
        Ok(StepMetrics {
            step,
            n: sizes.n,
            m: sizes.m,
            beta: log_mean.exp() * ramp,
            loss: f64::from(readout[0]),
            nmse: f64::from(readout[1]),
            kl: f64::from(readout[2] + readout[3]),
            node_kl: f64::from(readout[2]),
            weight_kl: f64::from(readout[3]),
            gradient_norm,
            learning_rate,
            seconds: started.elapsed().as_secs_f64(),
            pull: f64::from(readout[4]),
        })
    }

    /// Trains up to `config.steps`. With `out`, writes `metrics.jsonl`
    /// (appending when resumed), and every `checkpoint_every` steps and at the
    /// end an atomic `checkpoint.safetensors` plus an [`Evaluation`] line in
    /// `evaluations.jsonl` (labels from `classifier`, if given). A NaN or
    /// infinite loss stops with an error naming the step; the last good
    /// checkpoint stays in place. A teacher's fits run on a thread beside
    /// the steps before its first pull, with the same targets as fitted at
    /// that step.
    pub fn run(
        &mut self,
        task: &impl Task,
        classifier: Option<&dyn NetworkClassifier>,
        out: Option<&Path>,
    ) -> Result<Vec<StepMetrics>> {
        self.run_until(task, classifier, out, self.config.steps)
    }

    /// Like [`Trainer::run`], but stops after step `until` (at most
    /// `config.steps`), writing a checkpoint there: an interrupted run that
    /// [`Trainer::resume`] continues exactly.
    pub fn run_until(
        &mut self,
        task: &impl Task,
        classifier: Option<&dyn NetworkClassifier>,
        out: Option<&Path>,
        until: usize,
    ) -> Result<Vec<StepMetrics>> {
        let until = until.min(self.config.steps);
        let files = out.map(|dir| RunFiles {
            dir: dir.to_path_buf(),
        });
        let resumed = self.step > 0;
        let mut metrics_log =
            MetricsLog::open(files.as_ref().map(|f| f.metrics()).as_deref(), resumed)?;
        let mut evaluation_log =
            MetricsLog::open(files.as_ref().map(|f| f.evaluations()).as_deref(), resumed)?;
        let bar = progress_bar(self.config.steps, self.config.progress);
        bar.set_position(self.step as u64);
        let started = Instant::now();
        let mut history = Vec::new();
        // Unless they start from the generator's own networks, the
        // teacher's fits depend on the configuration only, so they run
        // beside the steps before the first pull (a step leaves part of the
        // cores idle) instead of stopping the run at that step; the targets
        // are the same. (A step's error before then is returned once the
        // fits end: the scope joins them.)
        let needs_teacher = self.teacher_due_in(self.step..until)
            && !self
                .config
                .semi_amortised
                .teacher
                .as_ref()
                .is_some_and(|teacher| teacher.starts.needs_generator());
        let (config, device) = (self.config.clone(), self.device.clone());
        std::thread::scope(|scope| -> Result<()> {
            let mut fitting =
                needs_teacher.then(|| scope.spawn(|| Teacher::fit(task, &config, &device)));
            while self.step < until {
                let fits_teacher = self.teacher_due();
                if fits_teacher {
                    bar.set_message("fitting the teacher's targets");
                    if let Some(handle) = fitting.take() {
                        let teacher = handle.join().map_err(|_| {
                            CoreError::config(
                                "semi_amortised.teacher",
                                "the teacher's fit panicked",
                            )
                        })?;
                        self.teacher = Some(teacher.inspect_err(|_| bar.abandon())?);
                    }
                }
                let record = match self.train_step(task, started) {
                    Ok(record) => record,
                    Err(error) => {
                        bar.abandon();
                        return Err(error);
                    }
                };
                metrics_log.write(&record)?;
                if let (true, Some(classifier), Some(teacher)) =
                    (fits_teacher, classifier, self.teacher.as_mut())
                {
                    teacher.label(classifier)?;
                }
                if let (true, Some(files), Some(teacher)) = (fits_teacher, &files, &self.teacher) {
                    let json = serde_json::to_string_pretty(teacher.targets())
                        .map_err(|error| CoreError::config("teacher", error.to_string()))?;
                    std::fs::write(files.teacher(), json).map_err(|source| CoreError::Io {
                        path: files.teacher(),
                        source,
                    })?;
                }
                bar.set_message(format!(
                    "loss {:.4} nmse {:.4} kl {:.1}",
                    record.loss, record.nmse, record.kl
                ));
                bar.inc(1);
                history.push(record);
                let due =
                    self.step.is_multiple_of(self.config.checkpoint_every) || self.step == until;
                if let Some(files) = files.as_ref().filter(|_| due) {
                    self.checkpoint()?.save(&files.checkpoint())?;
                    let evaluation = self.evaluate(task, classifier)?;
                    evaluation_log.write(&evaluation)?;
                }
            }
            Ok(())
        })?;
        bar.finish();
        Ok(history)
    }

    /// Generates and scores networks on the evaluation beta grid at every
    /// training size.
    pub fn evaluate(
        &self,
        task: &impl Task,
        classifier: Option<&dyn NetworkClassifier>,
    ) -> Result<Evaluation> {
        let generator = self.generator()?;
        let betas = self.config.pareto.grid(self.config.evaluation.betas);
        let mut rows = Vec::new();
        for &sizes in &self.config.sizes {
            rows.extend(generator.evaluate(
                task,
                classifier,
                &betas,
                sizes,
                self.config.evaluation.networks,
                self.config.evaluation.inputs,
                self.config.seed ^ 0xE7A1,
            )?);
        }
        Ok(Evaluation {
            step: self.step,
            rows,
        })
    }
}
