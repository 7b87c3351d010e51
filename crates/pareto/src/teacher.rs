//! [`Teacher`]: the objective's own choice of network at each size and beta,
//! as pull targets for the semi-amortised trainer.
//!
//! The default pull refines each generated network for a few steps and
//! pulls the generator toward the result; a short refinement stays in the
//! basin the generator already writes, so it cannot move the generator to
//! another algorithm even where the objective prefers one. The teacher
//! fits `NMSE + beta · KL` ([`fit_posteriors`]) from every known solution
//! of the task ([`Task::reference_networks`]) at each beta of a grid and
//! keeps the lowest free energy: the network an exact generator would write
//! there. Each step's networks are then pulled toward the target at the
//! nearest grid beta, its hidden units first matched to the generated
//! network's (the Hungarian method; an MLP's hidden units are unordered).
//!
//! Started from random networks instead ([`TeacherStarts::Random`]), the
//! same machinery hands training nothing of the task's solutions (a blind
//! run), and its table records at each size and beta which algorithm every
//! random start's fit ends as. Started from the generator's own networks
//! when the pull begins ([`TeacherStarts::Generated`]), it is blind too: a
//! long refinement, fitted once, of what the generator already writes.

use burn::tensor::{Device, Tensor, TensorData};
use hyperinterp_core::{
    Activation, Beta, CoreError, Mlp, NetworkClassifier, Result, Sizes, Task, to_vec,
};
use hyperinterp_hvae::{
    Decoded, DecodedKind, PosteriorFit, PosteriorFitConfig, PriorScales, PriorSigmas,
    fit_posteriors,
};
use pathfinding::prelude::{Matrix, kuhn_munkres_min};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::generator::Generator;
use crate::trainer::TrainerConfig;

/// Configuration of a [`Teacher`]: its beta grid and fits.
///
/// ```
/// let config: hyperinterp_pareto::TeacherConfig = serde_json::from_str(r#"{"steps": 500}"#).unwrap();
/// assert_eq!(config.betas, 13); // unspecified fields keep their defaults
/// assert!(config.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeacherConfig {
    /// Betas of the teacher's grid, log-spaced over the trainer's range
    /// (`ParetoConfig::grid`); a step's beta takes the nearest one's target.
    pub betas: usize,
    /// Adam steps of each fit (`description_length` uses 3000).
    pub steps: usize,
    /// Peak learning rate of each fit (`description_length`'s).
    pub learning_rate: f64,
    /// How the pull, and the matching of hidden units, measure the distance
    /// to a target.
    pub distance: PullDistance,
    /// Where the fits start: the task's hand-written solutions (guided) or
    /// random networks (blind).
    pub starts: TeacherStarts,
}

/// Where a [`Teacher`]'s fits start.
///
/// ```
/// use hyperinterp_pareto::{TeacherConfig, TeacherStarts};
/// let config: TeacherConfig =
///     serde_json::from_str(r#"{"starts": {"random": {"networks": 4, "scales": [1.0, 4.0]}}}"#).unwrap();
/// assert_eq!(config.starts, TeacherStarts::Random { networks: 4, scales: vec![1.0, 4.0] });
/// assert!(!config.starts.is_guided());
/// assert!(TeacherConfig::default().starts.is_guided());
/// // The generator's own networks beside random ones (TOML: `starts = { several = [...] }`).
/// let both: TeacherStarts = serde_json::from_str(
///     r#"{"several": [{"generated": {"networks": 4}}, {"random": {"networks": 2, "scales": [1.0]}}]}"#,
/// ).unwrap();
/// assert!(both.needs_generator() && !both.is_guided());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TeacherStarts {
    /// The task's hand-written solutions ([`Task::reference_networks`]):
    /// the targets are those solutions refined by the objective, so a run
    /// with this teacher is guided.
    #[default]
    Reference,
    /// `networks` random networks ([`Mlp::random`]) at each of `scales`,
    /// drawn afresh for every training size from the run's seed and shared
    /// by the betas of the grid: nothing of the task's solutions enters.
    Random {
        /// Random networks per scale.
        networks: usize,
        /// Input-weight scales of the random networks ([`Mlp::random`]).
        scales: Vec<f64>,
    },
    /// `networks` networks the generator itself writes (their mean
    /// weights) at each training size and grid beta when the pull starts:
    /// the objective refines the generator's own guesses and the pull
    /// keeps the best, so nothing of the task's solutions enters. Fitted
    /// with [`Teacher::fit_from_generator`]; a run resumed after its first
    /// pull refits them from the generator as it is then.
    Generated {
        /// Generated networks per size and beta.
        networks: usize,
    },
    /// Each of these starts, side by side (e.g. the generator's own
    /// networks beside random ones); guided if any of them is.
    Several(Vec<TeacherStarts>),
}

impl TeacherStarts {
    /// Whether the starts are the task's hand-written solutions.
    pub fn is_guided(&self) -> bool {
        match self {
            TeacherStarts::Reference => true,
            TeacherStarts::Several(all) => all.iter().any(TeacherStarts::is_guided),
            _ => false,
        }
    }

    /// Whether the starts are the generator's own networks, so that the
    /// fits wait for the generator as it is when the pull starts.
    pub fn needs_generator(&self) -> bool {
        match self {
            TeacherStarts::Generated { .. } => true,
            TeacherStarts::Several(all) => all.iter().any(TeacherStarts::needs_generator),
            _ => false,
        }
    }

    /// The named starts at one training size (`size_index` into the
    /// trainer's sizes, for the random draws' seeds), one list per grid
    /// beta; `generator` writes the generated ones.
    #[allow(clippy::too_many_arguments)]
    fn per_beta(
        &self,
        task: &impl Task,
        sizes: Sizes,
        activation: Activation,
        seed: u64,
        size_index: usize,
        betas: &[f64],
        generator: Option<&Generator>,
    ) -> Result<Vec<Vec<(String, Mlp)>>> {
        let shared = match self {
            TeacherStarts::Reference => {
                let references = task.reference_networks(sizes, activation)?;
                if references.is_empty() {
                    return Err(CoreError::config(
                        "semi_amortised.teacher",
                        "the task has no reference networks to choose among",
                    ));
                }
                references
            }
            TeacherStarts::Random { networks, scales } => {
                let mut starts = Vec::with_capacity(networks * scales.len());
                for (scale_index, &scale) in scales.iter().enumerate() {
                    for k in 0..*networks {
                        let draw = [size_index, scale_index, k].iter().fold(
                            seed ^ 0x7EAC_4E25,
                            |acc, &x| {
                                acc.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                                    .wrapping_add(x as u64 + 1)
                            },
                        );
                        starts.push((
                            format!("random (scale {scale})"),
                            Mlp::random(sizes, activation, scale, draw)?,
                        ));
                    }
                }
                starts
            }
            TeacherStarts::Generated { networks } => {
                let generator = generator.ok_or_else(|| {
                    CoreError::config(
                        "semi_amortised.teacher.starts",
                        "generated starts need the generator: Teacher::fit_from_generator",
                    )
                })?;
                let mut per_beta = Vec::with_capacity(betas.len());
                for &beta in betas {
                    let written = generator.generate(task, beta, sizes, *networks, seed)?;
                    per_beta.push(
                        written
                            .into_iter()
                            .enumerate()
                            .map(|(k, network)| (format!("generated {k}"), network.mean))
                            .collect(),
                    );
                }
                return Ok(per_beta);
            }
            TeacherStarts::Several(all) => {
                let mut per_beta = vec![Vec::new(); betas.len()];
                for starts in all {
                    let more = starts
                        .per_beta(task, sizes, activation, seed, size_index, betas, generator)?;
                    for (these, more) in per_beta.iter_mut().zip(more) {
                        these.extend(more);
                    }
                }
                return Ok(per_beta);
            }
        };
        Ok(vec![shared; betas.len()])
    }

    fn validate(&self) -> Result<()> {
        match self {
            TeacherStarts::Reference => Ok(()),
            TeacherStarts::Random { networks, scales } => {
                hyperinterp_core::require_at_least_one(&[
                    ("semi_amortised.teacher.starts.random.networks", *networks),
                    ("semi_amortised.teacher.starts.random.scales", scales.len()),
                ])?;
                for &scale in scales {
                    hyperinterp_core::require_positive(&[(
                        "semi_amortised.teacher.starts.random.scales",
                        scale,
                    )])?;
                }
                Ok(())
            }
            TeacherStarts::Generated { networks } => hyperinterp_core::require_at_least_one(&[(
                "semi_amortised.teacher.starts.generated.networks",
                *networks,
            )]),
            TeacherStarts::Several(all) => {
                hyperinterp_core::require_at_least_one(&[(
                    "semi_amortised.teacher.starts.several",
                    all.len(),
                )])?;
                all.iter().try_for_each(TeacherStarts::validate)
            }
        }
    }
}

/// How a teacher's pull measures the distance from a generated network to
/// its target.
///
/// ```
/// use hyperinterp_pareto::{PullDistance, TeacherConfig};
/// let config: TeacherConfig = serde_json::from_str(r#"{"distance": "means"}"#).unwrap();
/// assert_eq!(config.distance, PullDistance::Means);
/// assert_eq!(TeacherConfig::default().distance, PullDistance::MeansAndLogStds);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PullDistance {
    /// Means and log-stds of every parameter in prior units
    /// ([`Decoded::squared_distance`], the refinement pull's measure).
    /// Under a wide weight prior the log-stds are most of it and the first
    /// layer's means almost none, so it barely asks which algorithm.
    #[default]
    MeansAndLogStds,
    /// The means only, in the networks' own units
    /// ([`Decoded::squared_mean_distance`]): what the network computes,
    /// its certainty left to the objective.
    Means,
}

impl Default for TeacherConfig {
    fn default() -> Self {
        TeacherConfig {
            betas: 13,
            steps: 2000,
            learning_rate: 3e-2,
            distance: PullDistance::default(),
            starts: TeacherStarts::default(),
        }
    }
}

impl TeacherConfig {
    /// Errors naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        hyperinterp_core::require_at_least_one(&[
            ("semi_amortised.teacher.betas", self.betas),
            ("semi_amortised.teacher.steps", self.steps),
        ])?;
        hyperinterp_core::require_positive(&[(
            "semi_amortised.teacher.learning_rate",
            self.learning_rate,
        )])?;
        self.starts.validate()
    }
}

/// One posterior in prior units, every parameter kind's mean and log-std
/// flattened as in [`Decoded`] (`W` row-major `[m, n]`).
#[derive(Clone, Debug, PartialEq)]
struct HostPosterior {
    w: [Vec<f32>; 2],
    b: [Vec<f32>; 2],
    a: [Vec<f32>; 2],
    c: [f32; 2],
}

/// The teacher's choice at one size and beta.
#[derive(Clone, Debug, Serialize)]
pub struct TeacherTarget {
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
    /// The grid beta.
    pub beta: f64,
    /// The start the lowest free energy was fitted from.
    pub start: String,
    /// Its free energy `NMSE + beta · KL` after the fit.
    pub free_energy: f64,
    /// Its NMSE (sampled weights) after the fit.
    pub nmse: f64,
    /// Its KL (nats) after the fit.
    pub kl: f64,
    /// The best start of another name, and how much higher its free
    /// energy is, relative (how clear the choice is).
    pub runner_up: Option<(String, f64)>,
    /// The label most of its sampled networks get, and their share, once
    /// [`Teacher::label`] has been given a classifier.
    pub label: Option<(String, f64)>,
    /// Every start's fit at this size and beta, lowest free energy first
    /// (the first is the target): which algorithms the objective's descent
    /// reaches from these starts, and at what price.
    pub fits: Vec<StartFit>,
    #[serde(skip)]
    posterior: HostPosterior,
}

/// One start's fit at a size and beta.
#[derive(Clone, Debug, Serialize)]
pub struct StartFit {
    /// The start's name.
    pub start: String,
    /// Free energy `NMSE + beta · KL` after the fit.
    pub free_energy: f64,
    /// NMSE (sampled weights) after the fit.
    pub nmse: f64,
    /// KL (nats) after the fit.
    pub kl: f64,
    /// The label most of its sampled networks get, and their share, once
    /// [`Teacher::label`] has been given a classifier.
    pub label: Option<(String, f64)>,
    /// The fit's sampled networks and their NMSE.
    #[serde(skip)]
    sampled: Vec<(Mlp, f64)>,
}

/// Pull targets from the objective's own choice at each training size and
/// grid beta (module docs).
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_core::Sizes;
/// use hyperinterp_pareto::{Teacher, TeacherConfig, TrainerConfig};
/// let mut config = TrainerConfig { sizes: vec![Sizes::new(2, 4)?], ..Default::default() };
/// config.semi_amortised.teacher = Some(TeacherConfig { betas: 2, steps: 20, ..Default::default() });
/// let teacher = Teacher::fit(&hyperinterp_l1::L1Task::default(), &config, &Device::default())?;
/// assert_eq!(teacher.targets().len(), 2); // one size, two betas
/// let target = teacher.nearest(Sizes::new(2, 4)?, 1e-9)?;
/// assert_eq!(target.beta, config.pareto.beta_min);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Teacher {
    targets: Vec<TeacherTarget>,
    distance: PullDistance,
    priors: PriorScales,
}

impl Teacher {
    /// Fits every start ([`TeacherConfig::starts`]: the reference networks
    /// of `task`, or random networks) at every training size and grid beta
    /// of `config` (its `semi_amortised.teacher`, default if none), under
    /// the hypernetwork's priors, activation and final KL widths, and keeps
    /// the lowest free energy per size and beta; the sizes are fitted on up
    /// to `config.shards` threads, with the same targets as on one. Errors
    /// if the starts are the task's reference networks and it has none, or
    /// the generator's networks ([`Teacher::fit_from_generator`]).
    pub fn fit(task: &impl Task, config: &TrainerConfig, device: &Device) -> Result<Teacher> {
        Self::fit_with(task, config, None, device)
    }

    /// Like [`Teacher::fit`], with [`TeacherStarts::Generated`] starts drawn
    /// from `generator` (the networks it writes at each training size and
    /// grid beta, their mean weights, drawn from `config.seed`).
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use hyperinterp_core::Sizes;
    /// use hyperinterp_pareto::{Teacher, TeacherConfig, TeacherStarts, Trainer, TrainerConfig};
    /// let task = hyperinterp_l1::L1Task::default();
    /// let mut config = TrainerConfig { sizes: vec![Sizes::new(2, 4)?], ..Default::default() };
    /// let starts = TeacherStarts::Generated { networks: 2 };
    /// config.semi_amortised.teacher = Some(TeacherConfig { betas: 2, steps: 20, starts, ..Default::default() });
    /// let generator = Trainer::new(config.clone(), &task, &Device::default())?.generator()?;
    /// let teacher = Teacher::fit_from_generator(&task, &config, &generator, &Device::default())?;
    /// assert_eq!(teacher.targets()[0].fits.len(), 2); // two generated starts per size and beta
    /// assert!(teacher.targets()[0].start.starts_with("generated"));
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn fit_from_generator(
        task: &impl Task,
        config: &TrainerConfig,
        generator: &Generator,
        device: &Device,
    ) -> Result<Teacher> {
        Self::fit_with(task, config, Some(generator), device)
    }

    fn fit_with(
        task: &impl Task,
        config: &TrainerConfig,
        generator: Option<&Generator>,
        device: &Device,
    ) -> Result<Teacher> {
        let teacher = config.semi_amortised.teacher.clone().unwrap_or_default();
        teacher.validate()?;
        let hypernetwork = config.hypernetwork_at(config.steps);
        let fit_config = PosteriorFitConfig {
            steps: teacher.steps,
            learning_rate: teacher.learning_rate,
            priors: hypernetwork.priors.clone(),
            kl_prior_widths: hypernetwork.kl_prior_widths,
            seed: config.seed,
            ..Default::default()
        };
        let betas = config.pareto.grid(teacher.betas);
        // Every size's starts, drawn here on one thread (generating is
        // quick; the fits below are not).
        let all_starts = config
            .sizes
            .iter()
            .enumerate()
            .map(|(index, &sizes)| {
                teacher.starts.per_beta(
                    task,
                    sizes,
                    hypernetwork.activation,
                    config.seed,
                    index,
                    &betas,
                    generator,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        // Each size is one batched fit with its own seeded draws, so fitting
        // the sizes on `shards` threads at once gives the same targets as
        // one after another, in less time. The largest go first, so that a
        // thread does not start the largest last while the others idle (the
        // pool's threads take the rest of the list as they finish).
        let mut largest_first: Vec<usize> = (0..config.sizes.len()).collect();
        largest_first.sort_by_key(|&k| std::cmp::Reverse(config.sizes[k].n * config.sizes[k].m));
        // Every grid beta of a size has the same starts' count (validated
        // counts; the generated ones are drawn per beta, the others shared).
        let fit_size = |index: usize| -> Result<Vec<PosteriorFit>> {
            let mut starts = Vec::new();
            for (&beta, networks) in betas.iter().zip(&all_starts[index]) {
                for (_, network) in networks {
                    starts.push((network.clone(), Beta::new(beta)?));
                }
            }
            fit_posteriors(task, &starts, &fit_config, device)
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.shards.clamp(1, config.sizes.len().max(1)))
            .build()
            .map_err(|error| CoreError::config("shards", error.to_string()))?;
        // A panicking fit is answered as an error, like a panicking shard.
        let fits = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.install(|| {
                largest_first
                    .par_iter()
                    .map(|&index| fit_size(index))
                    .collect::<Result<Vec<_>>>()
            })
        }))
        .map_err(|_| CoreError::config("shards", "a teacher fit panicked"))??;
        let mut fitted: Vec<_> = largest_first.iter().copied().zip(fits).collect();
        fitted.sort_by_key(|&(index, _)| index);
        let mut targets = Vec::new();
        for ((&sizes, per_beta), (_, fits)) in config.sizes.iter().zip(&all_starts).zip(fitted) {
            let sigmas = hypernetwork.priors.sigmas(sizes);
            let count = per_beta[0].len();
            for ((&beta, references), fits) in betas.iter().zip(per_beta).zip(fits.chunks(count)) {
                let mut ranked: Vec<(f64, usize)> = fits
                    .iter()
                    .enumerate()
                    .map(|(k, fit)| (fit.free_energy(), k))
                    .collect();
                ranked.sort_by(|x, y| x.0.total_cmp(&y.0));
                let (free_energy, best) = ranked[0];
                let name = &references[best].0;
                let runner_up =
                    ranked
                        .iter()
                        .find(|&&(_, k)| references[k].0 != *name)
                        .map(|&(other, k)| {
                            (
                                references[k].0.clone(),
                                (other - free_energy) / free_energy.abs().max(f64::MIN_POSITIVE),
                            )
                        });
                let summaries: Vec<StartFit> = ranked
                    .iter()
                    .map(|&(free_energy, k)| StartFit {
                        start: references[k].0.clone(),
                        free_energy,
                        nmse: fits[k].nmse_sampled,
                        kl: fits[k].kl,
                        label: None,
                        sampled: fits[k]
                            .sampled
                            .iter()
                            .cloned()
                            .zip(fits[k].sampled_nmse.clone())
                            .collect(),
                    })
                    .collect();
                let fit = &fits[best];
                let in_prior_units = |values: &[f32], stds: &[f32], sigma: f64| {
                    let mean = values.iter().map(|&v| (f64::from(v) / sigma) as f32);
                    let log_std = stds.iter().map(|&s| (f64::from(s) / sigma).ln() as f32);
                    [mean.collect(), log_std.collect()]
                };
                let c = in_prior_units(&[fit.mean.c], &[fit.std.c], sigmas.output_bias);
                targets.push(TeacherTarget {
                    n: sizes.n,
                    m: sizes.m,
                    beta,
                    start: name.clone(),
                    free_energy,
                    nmse: fit.nmse_sampled,
                    kl: fit.kl,
                    runner_up,
                    label: None,
                    fits: summaries,
                    posterior: HostPosterior {
                        w: in_prior_units(&fit.mean.w, &fit.std.w, sigmas.weight),
                        b: in_prior_units(&fit.mean.b, &fit.std.b, sigmas.bias),
                        a: in_prior_units(&fit.mean.a, &fit.std.a, sigmas.output_weight),
                        c: [c[0][0], c[1][0]],
                    },
                });
            }
        }
        Ok(Teacher {
            targets,
            distance: teacher.distance,
            priors: hypernetwork.priors.clone(),
        })
    }

    /// Labels each target, and every start's fit, by the majority label of
    /// its sampled networks (what an evaluation of a generator labels).
    pub fn label(&mut self, classifier: &dyn NetworkClassifier) -> Result<()> {
        for target in &mut self.targets {
            for fit in &mut target.fits {
                let mut counts: Vec<(String, usize)> = Vec::new();
                for (network, nmse) in &fit.sampled {
                    let name = classifier.algorithm_name(network, *nmse)?;
                    match counts.iter_mut().find(|(known, _)| *known == name) {
                        Some((_, count)) => *count += 1,
                        None => counts.push((name, 1)),
                    }
                }
                fit.label = counts
                    .into_iter()
                    .max_by_key(|&(_, count)| count)
                    .map(|(name, count)| (name, count as f64 / fit.sampled.len() as f64));
            }
            target.label = target.fits.first().and_then(|fit| fit.label.clone());
        }
        Ok(())
    }

    /// Every size's and grid beta's choice, sizes in the trainer's order.
    pub fn targets(&self) -> &[TeacherTarget] {
        &self.targets
    }

    /// The target at `sizes` whose beta is nearest `beta` in log scale.
    pub fn nearest(&self, sizes: Sizes, beta: f64) -> Result<&TeacherTarget> {
        let distance = |target: &TeacherTarget| (target.beta.ln() - beta.ln()).abs();
        self.targets
            .iter()
            .filter(|target| target.n == sizes.n && target.m == sizes.m)
            .min_by(|x, y| distance(x).total_cmp(&distance(y)))
            .ok_or_else(|| {
                CoreError::config(
                    "semi_amortised.teacher",
                    format!("no target at n = {}, m = {}", sizes.n, sizes.m),
                )
            })
    }

    /// The pull's squared distance from `decoded`'s networks to `targets`
    /// (e.g. [`Teacher::aligned_targets`]), per network `[G N]`, as the
    /// config's [`PullDistance`] measures it.
    pub fn squared_distance(&self, decoded: &Decoded, targets: &Decoded) -> Result<Tensor<1>> {
        Ok(match self.distance {
            PullDistance::MeansAndLogStds => decoded.squared_distance(targets),
            PullDistance::Means => decoded.squared_mean_distance(targets, &self.sigmas(decoded)?),
        })
    }

    /// The prior stds at `decoded`'s sizes.
    fn sigmas(&self, decoded: &Decoded) -> Result<PriorSigmas> {
        let [_, _, m, n] = decoded.weight.mean.dims();
        Ok(self.priors.sigmas(Sizes::new(n, m)?))
    }

    /// Pull targets for `decoded`'s networks (`[G, N, ...]`, network `g·N + k`
    /// priced at `betas[g·N + k]`): each its nearest target with the hidden
    /// units put in the order that matches them best to its own (least
    /// summed squared distance of each unit's parameters, as the pull
    /// measures it: [`TeacherConfig::distance`]).
    pub fn aligned_targets(&self, decoded: &Decoded, betas: &[f64]) -> Result<Decoded> {
        let [groups, networks, m, n] = decoded.weight.mean.dims();
        let sizes = Sizes::new(n, m)?;
        let host = |t: &Tensor<4>| to_vec(t, "decoded weights");
        let host3 = |t: &Tensor<3>| to_vec(t, "decoded units");
        let generated = [
            host(&decoded.weight.mean)?,
            host(&decoded.weight.log_std)?,
            host3(&decoded.bias.mean)?,
            host3(&decoded.bias.log_std)?,
            host3(&decoded.output_weight.mean)?,
            host3(&decoded.output_weight.log_std)?,
        ];
        let batch = groups * networks;
        if betas.len() != batch {
            return Err(CoreError::ShapeMismatch {
                field: "betas".to_string(),
                expected: vec![batch],
                found: vec![betas.len()],
            });
        }
        // Each kind's means weigh its prior variance when the distance is
        // in the networks' units, and the log-stds nothing.
        let (mean_weights, log_std_weight) = match self.distance {
            PullDistance::MeansAndLogStds => ([1.0; 4], 1.0),
            PullDistance::Means => {
                let s = self.sigmas(decoded)?;
                let squares = [s.weight, s.bias, s.output_weight, s.output_bias].map(|x| x * x);
                (squares, 0.0)
            }
        };
        let mut out: [Vec<f32>; 8] = Default::default();
        for (index, &beta) in betas.iter().enumerate() {
            let target = &self.nearest(sizes, beta)?.posterior;
            // Unit i of the generated network and unit j of the target,
            // each as (values, row length, weight in the distance) per
            // parameter kind, means then log-stds.
            let rows = [
                (&generated[0], &target.w[0], n, mean_weights[0]),
                (&generated[1], &target.w[1], n, log_std_weight),
                (&generated[2], &target.b[0], 1, mean_weights[1]),
                (&generated[3], &target.b[1], 1, log_std_weight),
                (&generated[4], &target.a[0], 1, mean_weights[2]),
                (&generated[5], &target.a[1], 1, log_std_weight),
            ];
            let cost = |i: usize, j: usize| -> f64 {
                rows.iter()
                    .filter(|row| row.3 > 0.0)
                    .map(|&(own, theirs, len, weight)| {
                        let own = &own[(index * m + i) * len..(index * m + i + 1) * len];
                        let theirs = &theirs[j * len..(j + 1) * len];
                        own.iter()
                            .zip(theirs)
                            .map(|(x, y)| f64::from(x - y).powi(2))
                            .sum::<f64>()
                            * weight
                    })
                    .sum()
            };
            // Integer costs (micro-units) for the exact assignment.
            let weights = Matrix::from_vec(
                m,
                m,
                (0..m * m)
                    .map(|k| (cost(k / m, k % m).min(1e9) * 1e6).round() as i64)
                    .collect(),
            )
            .map_err(|error| CoreError::config("semi_amortised.teacher", error.to_string()))?;
            let (_, assignment) = kuhn_munkres_min(&weights);
            for (slot, &(_, theirs, len, _)) in out.iter_mut().zip(&rows) {
                for &j in &assignment {
                    slot.extend_from_slice(&theirs[j * len..(j + 1) * len]);
                }
            }
            out[6].push(target.c[0]);
            out[7].push(target.c[1]);
        }
        let device = decoded.weight.mean.device();
        let tensor = |values: &Vec<f32>| -> Tensor<1> {
            Tensor::from_data(TensorData::new(values.clone(), [values.len()]), &device)
        };
        let kind4 = |k: usize| DecodedKind {
            mean: tensor(&out[k]).reshape([groups, networks, m, n]),
            log_std: tensor(&out[k + 1]).reshape([groups, networks, m, n]),
        };
        let kind3 = |k: usize| DecodedKind {
            mean: tensor(&out[k]).reshape([groups, networks, m]),
            log_std: tensor(&out[k + 1]).reshape([groups, networks, m]),
        };
        Ok(Decoded {
            weight: kind4(0),
            bias: kind3(2),
            output_weight: kind3(4),
            output_bias: DecodedKind {
                mean: tensor(&out[6]).reshape([groups, networks]),
                log_std: tensor(&out[7]).reshape([groups, networks]),
            },
        })
    }
}
