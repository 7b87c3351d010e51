//! The main job: train the Pareto hyperhypernetwork, then map where each
//! algorithm lives — over beta, over training time and over input sizes never
//! trained on — compare with the Adam baseline, and write a report.
//!
//! The example `discover` is a thin command line around [`run`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::tensor::Device;
use hyperinterp_core::{Beta, CoreError, Guidance, Result, Sizes, Task, require_at_least_one};
use hyperinterp_hvae::{HypernetworkConfig, PosteriorFitConfig, fit_posterior};
use hyperinterp_l1::{AdamBaselineConfig, L1Task, train_adam};
use hyperinterp_pareto::{
    Checkpoint, Evaluation, GeneratedNetwork, Generator, LabelWeights, RunFiles, Trainer,
    TrainerConfig,
};
use hyperinterp_phases::{Algorithm, Classifier, ClassifierConfig, describe};
use hyperinterp_report::{
    AdamBaselineSummary, BetaRow, Fractions, GeneralizationRow, OrderParameters, RefinementRow,
    Report, Representative, SizePhases, StepRow, write_report,
};
use serde::{Deserialize, Serialize};

/// The beta grid of the phase diagram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GridConfig {
    /// Betas, log-spaced over the trained range.
    pub betas: usize,
    /// Networks per beta and per training size.
    pub networks: usize,
    /// Fresh inputs per network for its NMSE.
    pub inputs: usize,
}

impl Default for GridConfig {
    fn default() -> Self {
        GridConfig {
            betas: 13,
            networks: 32,
            inputs: 4096,
        }
    }
}

/// Systematic generalisation: sizes never trained on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GeneralizationConfig {
    /// Input sizes to evaluate (each at the mean trained width ratio `m / n`);
    /// empty = smaller, between and larger than the training sizes.
    pub n: Vec<usize>,
    /// Other widths, evaluated at the largest trained `n`; empty = between
    /// each pair of its trained widths and double the widest (half and double
    /// if only one width was trained).
    pub m: Vec<usize>,
    /// The beta at which generalisation is measured; 0 = the grid's most accurate beta.
    pub beta: f64,
    /// Networks per size.
    pub networks: usize,
}

impl Default for GeneralizationConfig {
    fn default() -> Self {
        GeneralizationConfig {
            n: Vec::new(),
            m: Vec::new(),
            beta: 0.0,
            networks: 32,
        }
    }
}

/// The amortisation gap: at a few betas and every trained size, generated
/// networks are refined by gradient descent on the objective they were
/// generated for (`hyperinterp_hvae::fit_posterior`, with the hypernetwork's
/// priors), and labelled again. Also at a few input sizes never trained on
/// (`unseen_n`): at n = 2 and 3 and moderate beta the objective's optimum is
/// double-sided (docs/findings.md, "the objective's own optimum at small n"), and the
/// generator writes networks in its basin there, too imprecise to be
/// labelled so until refined.
///
/// ```
/// let config: hyperinterp::discover::RefinementConfig =
///     toml::from_str("betas = [1e-6, 3e-3]\nsteps = 500").unwrap();
/// assert_eq!((config.networks, config.steps), (4, 500)); // unnamed fields keep their defaults
/// assert_eq!(config.unseen_n, [2, 3]);
/// assert!(toml::from_str::<hyperinterp::discover::RefinementConfig>("fit = 1").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RefinementConfig {
    /// The betas; empty switches the refinement off.
    pub betas: Vec<f64>,
    /// Generated networks per beta and size, each refined.
    pub networks: usize,
    /// Adam steps per network.
    pub steps: usize,
    /// Peak learning rate (means and log-stds are in prior units).
    pub learning_rate: f64,
    /// Weight draws from each refined posterior that are labelled.
    pub draws: usize,
    /// Input sizes refined too although never trained on (at the trained
    /// width ratio, as in the generalisation table; `m = 3n` by default); an
    /// `n` that was trained is skipped.
    pub unseen_n: Vec<usize>,
}

impl Default for RefinementConfig {
    fn default() -> Self {
        RefinementConfig {
            betas: vec![1e-6, 1e-4, 1e-3, 3e-3],
            networks: 4,
            steps: 3000,
            learning_rate: 3e-2,
            draws: 16,
            unseen_n: vec![2, 3],
        }
    }
}

impl RefinementConfig {
    /// The posterior fit of each network, priced as `hypernetwork` prices
    /// (its priors and KL widths, at the end of training), with `seed`.
    fn fit(&self, hypernetwork: &HypernetworkConfig, seed: u64) -> PosteriorFitConfig {
        PosteriorFitConfig {
            steps: self.steps,
            learning_rate: self.learning_rate,
            evaluation_draws: self.draws,
            priors: hypernetwork.priors.clone(),
            kl_prior_widths: hypernetwork.kl_prior_widths,
            seed,
            ..Default::default()
        }
    }
}

/// Everything `discover` does, as one serde configuration (`--config FILE`,
/// JSON or TOML; unknown keys are an error; a file may start from another
/// with `extends`, see [`DiscoverConfig::load`]).
///
/// `DiscoverConfig::default()` is the job's default, what `discover` runs
/// without `--config`, and the base every configuration file is laid over.
/// It is blind ([`hyperinterp_core::Guidance`]): no hidden roles, no teacher.
///
/// ```
/// let task = hyperinterp::l1::L1Task::default();
/// let job = hyperinterp::discover::DiscoverConfig::default();
/// assert!(job.training.guidance(&task)?.blind);
/// let config: hyperinterp::discover::DiscoverConfig =
///     toml::from_str("[training]\nsteps = 10\n[grid]\nbetas = 5").unwrap();
/// assert_eq!(config.grid.networks, 32);
/// assert!(toml::from_str::<hyperinterp::discover::DiscoverConfig>("[grid]\nbeta = 5").is_err());
/// # Ok::<(), hyperinterp::core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscoverConfig {
    /// The Pareto training run.
    pub training: TrainerConfig,
    /// The phase diagram over beta.
    pub grid: GridConfig,
    /// Sizes never trained on.
    pub generalization: GeneralizationConfig,
    /// The directly trained baseline.
    pub adam: AdamBaselineConfig,
    /// Size of the baseline network; `None` = the largest training size.
    pub adam_sizes: Option<Sizes>,
    /// Classifier thresholds.
    pub classifier: ClassifierConfig,
    /// Generated networks refined by the same objective (the amortisation gap).
    pub refinement: RefinementConfig,
    /// Start training from this checkpoint's parameters (a second stage
    /// after an earlier run: [`Trainer::warm_start`]); `training` then
    /// counts its steps and schedules from 0. `None` (the default): from
    /// scratch. `--resume` of this run's own checkpoint takes precedence.
    pub initialise_from: Option<PathBuf>,
}

impl DiscoverConfig {
    /// A smoke-test version that runs in well under 90 seconds: tiny model,
    /// few steps, few networks; every part of the report is still produced.
    pub fn quick() -> Self {
        let mut config = DiscoverConfig::default();
        let training = &mut config.training;
        training.steps = 40;
        training.groups = 4;
        training.networks = 2;
        training.inputs = 64;
        training.deterministic_weight_steps = 20;
        training.kl_free_steps = 10;
        training.kl_warmup_steps = 10;
        training.warmup_steps = 5;
        training.checkpoint_every = 20;
        // The default's stages in proportion: semi-amortised in the second half.
        training.semi_amortised.from_step = 20;
        training.semi_amortised.refinement.steps = 5;
        training.sizes = vec![Sizes { n: 3, m: 9 }, Sizes { n: 4, m: 12 }];
        training.hypernetwork.graph.width = 8;
        training.hypernetwork.graph.heads = 2;
        training.hypernetwork.graph.edge_hidden = 8;
        training.hypernetwork.graph.feed_forward_hidden = 16;
        training.hypernetwork.graph.layers = 1;
        training.hypernetwork.latent_width = 2;
        training.evaluation.betas = 3;
        training.evaluation.networks = 4;
        training.evaluation.inputs = 256;
        config.grid = GridConfig {
            betas: 13,
            networks: 4,
            inputs: 512,
        };
        config.generalization.networks = 4;
        config.adam.steps = 100;
        config.refinement.betas = vec![1e-3];
        config.refinement.networks = 1;
        config.refinement.steps = 10;
        config.refinement.draws = 4;
        config.refinement.unseen_n = vec![2];
        config
    }

    /// Errors naming the first field out of range.
    ///
    /// ```
    /// let mut config = hyperinterp::discover::DiscoverConfig::default();
    /// assert!(config.validate().is_ok());
    /// config.refinement.unseen_n = vec![2, 0];
    /// assert!(config.validate().unwrap_err().to_string().contains("refinement.unseen_n"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.training.validate()?;
        require_at_least_one(&[
            ("grid.betas", self.grid.betas),
            ("grid.networks", self.grid.networks),
            ("grid.inputs", self.grid.inputs),
            ("generalization.networks", self.generalization.networks),
        ])?;
        if !(self.generalization.beta.is_finite() && self.generalization.beta >= 0.0) {
            return Err(CoreError::config(
                "generalization.beta",
                "must be finite and >= 0",
            ));
        }
        for (field, sizes) in [
            ("generalization.n", &self.generalization.n),
            ("refinement.unseen_n", &self.refinement.unseen_n),
        ] {
            if sizes.contains(&0) {
                return Err(CoreError::config(field, "sizes must be at least 1"));
            }
        }
        if let Some(beta) = self
            .refinement
            .betas
            .iter()
            .find(|b| !(b.is_finite() && **b > 0.0))
        {
            return Err(CoreError::config(
                "refinement.betas",
                format!("each beta must be finite and > 0, got {beta}"),
            ));
        }
        if !self.refinement.betas.is_empty() {
            require_at_least_one(&[("refinement.networks", self.refinement.networks)])?;
            self.refinement
                .fit(&self.training.hypernetwork, 0)
                .validate()
                .map_err(|e| CoreError::config("refinement", e.to_string()))?;
        }
        if self.generalization.m.contains(&0) {
            return Err(CoreError::config(
                "generalization.m",
                "widths must be at least 1",
            ));
        }
        self.adam.validate()?;
        if let Some(sizes) = self.adam_sizes {
            sizes.validate()?;
        }
        self.classifier.validate()
    }

    /// Reads a JSON (`.json`) or TOML (any other extension) configuration.
    ///
    /// A file may start from another: its top-level key `extends` names a
    /// configuration file (relative to the extending file's folder), and the
    /// file's own keys replace the ones they name there, table by table
    /// (an array is replaced whole). Chains are followed; a cycle is an
    /// error. This keeps a lever a few lines long: what it changes.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("extends-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("base.toml"), "[training]\nsteps = 8000\nseed = 3\n").unwrap();
    /// std::fs::write(dir.join("lever.toml"), "extends = \"base.toml\"\n[training]\nsteps = 9000\n").unwrap();
    /// let config = hyperinterp::discover::DiscoverConfig::load(&dir.join("lever.toml")).unwrap();
    /// assert_eq!((config.training.steps, config.training.seed), (9000, 3));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn load(path: &Path) -> Result<Self> {
        let merged = Self::load_layers(path, &mut Vec::new())?;
        let config: DiscoverConfig = serde_json::from_value(merged)
            .map_err(|e| CoreError::config("config", format!("{}: {e}", path.display())))?;
        config.validate()?;
        Ok(config)
    }

    /// The keys of `path` laid over those of the file it extends (if any),
    /// as a JSON value; `chain` holds the files already on the way, to stop
    /// a cycle.
    fn load_layers(path: &Path, chain: &mut Vec<PathBuf>) -> Result<serde_json::Value> {
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CoreError::Io { path, source }
        };
        let text = std::fs::read_to_string(path).map_err(io_error(path))?;
        let file_error = |e: &dyn std::fmt::Display| {
            CoreError::config("config", format!("{}: {e}", path.display()))
        };
        let json = path.extension().is_some_and(|e| e == "json");
        let mut layer: serde_json::Value = if json {
            serde_json::from_str(&text)?
        } else {
            toml::from_str(&text).map_err(|e| file_error(&e))?
        };
        let Some(table) = layer.as_object_mut() else {
            return Err(file_error(&"a configuration must be a table of keys"));
        };
        let base = match table.remove("extends") {
            None => None,
            Some(serde_json::Value::String(base)) => {
                Some(path.parent().unwrap_or_else(|| Path::new("")).join(base))
            }
            Some(other) => {
                return Err(CoreError::config(
                    "extends",
                    format!("{}: must be a path, got {other}", path.display()),
                ));
            }
        };
        // This file's own keys, so that a misspelt one is named with its
        // file (and, read straight from the text, with its line).
        let own_keys = match (&base, json) {
            (None, true) => {
                serde_json::from_str::<DiscoverConfig>(&text).map_err(|e| file_error(&e))
            }
            (None, false) => toml::from_str::<DiscoverConfig>(&text).map_err(|e| file_error(&e)),
            (Some(_), _) => serde_json::from_value(layer.clone()).map_err(|e| file_error(&e)),
        };
        own_keys?;
        let Some(base) = base else {
            return Ok(layer);
        };
        chain.push(std::fs::canonicalize(path).map_err(io_error(path))?);
        let canonical_base = std::fs::canonicalize(&base).map_err(io_error(&base))?;
        if chain.contains(&canonical_base) {
            return Err(CoreError::config(
                "extends",
                format!(
                    "{}: {} extends itself through {}",
                    path.display(),
                    base.display(),
                    chain
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" -> ")
                ),
            ));
        }
        let mut merged = Self::load_layers(&base, chain)?;
        lay_over(&mut merged, layer);
        Ok(merged)
    }

    /// The generalisation sizes, each with whether it was trained on:
    /// configured, or input sizes smaller, between and larger than the
    /// trained ones (at the trained width ratio), and other widths at the
    /// largest trained n.
    ///
    /// ```
    /// use hyperinterp::core::Sizes;
    /// let mut config = hyperinterp::discover::DiscoverConfig::default();
    /// config.training.sizes = vec![Sizes { n: 4, m: 8 }, Sizes { n: 4, m: 16 }, Sizes { n: 6, m: 12 }, Sizes { n: 6, m: 24 }];
    /// let unseen: Vec<(usize, usize)> = config
    ///     .generalization_sizes()
    ///     .into_iter()
    ///     .filter(|(_, trained)| !trained)
    ///     .map(|(s, _)| (s.n, s.m))
    ///     .collect();
    /// // n = 3, 5, 8, 10 at m = 3n; at n = 6, the width between 12 and 24, and double 24.
    /// assert_eq!(unseen, [(3, 9), (5, 15), (8, 24), (10, 30), (6, 18), (6, 48)]);
    /// ```
    pub fn generalization_sizes(&self) -> Vec<(Sizes, bool)> {
        let trained: Vec<Sizes> = self.training.sizes.clone();
        let trained_n: Vec<usize> = trained.iter().map(|s| s.n).collect();
        let (low, high) = (
            trained_n.iter().copied().min().unwrap_or(1),
            trained_n.iter().copied().max().unwrap_or(1),
        );
        let unseen_n: Vec<usize> = if self.generalization.n.is_empty() {
            let mut n: Vec<usize> = vec![low.saturating_sub(1).max(1), high + 2, high + 4];
            n.extend((low..high).filter(|k| !trained_n.contains(k)));
            n.sort_unstable();
            n.dedup();
            n.retain(|k| !trained_n.contains(k));
            n
        } else {
            self.generalization.n.clone()
        };
        // Widths trained at the largest n, in increasing order.
        let mut widths: Vec<usize> = trained
            .iter()
            .filter(|s| s.n == high)
            .map(|s| s.m)
            .collect();
        widths.sort_unstable();
        widths.dedup();
        let other_m: Vec<usize> = if !self.generalization.m.is_empty() {
            self.generalization.m.clone()
        } else if let [only] = widths[..] {
            vec![(only / 2).max(1), only * 2]
        } else {
            // Between each pair of trained widths, and double the widest.
            let mut m: Vec<usize> = widths.windows(2).map(|w| (w[0] + w[1]) / 2).collect();
            m.extend(widths.last().map(|&w| w * 2));
            m
        };
        let mut sizes: Vec<(Sizes, bool)> = trained.iter().map(|&s| (s, true)).collect();
        sizes.extend(unseen_n.into_iter().map(|n| {
            (
                Sizes {
                    n,
                    m: self.unseen_width(n),
                },
                false,
            )
        }));
        sizes.extend(
            other_m
                .into_iter()
                .filter(|m| !widths.contains(m))
                .map(|m| (Sizes { n: high, m }, false)),
        );
        sizes
    }

    /// The width of an input size `n` that was not trained on: `n` times the
    /// mean trained width ratio `m / n`.
    fn unseen_width(&self, n: usize) -> usize {
        let trained = &self.training.sizes;
        let ratio = trained.iter().map(|s| s.m as f64 / s.n as f64).sum::<f64>()
            / trained.len().max(1) as f64;
        ((n as f64 * ratio).round() as usize).max(1)
    }
}

/// Lays `overlay` over `base`: tables merge key by key, anything else
/// (numbers, strings, arrays) is replaced whole.
fn lay_over(base: &mut serde_json::Value, overlay: serde_json::Value) {
    match (base, overlay) {
        (serde_json::Value::Object(base), serde_json::Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) => lay_over(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// Label fractions of a set of label names (an unknown name is an error).
fn fractions(labels: &[String]) -> Result<Fractions> {
    Fractions::from_labels(labels.iter().map(String::as_str))
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    if count == 0 {
        f64::NAN
    } else {
        sum / count as f64
    }
}

/// One classified network of the beta grid.
struct Classified {
    network: GeneratedNetwork,
    label: String,
    mean_weight_label: String,
    order: hyperinterp_phases::OrderParameters,
}

/// Runs the whole job and writes `report.json`, `report.html` and
/// `networks.safetensors` (plus the run's checkpoint, metrics and
/// evaluations) into `out`. With `resume`, training continues from
/// `out/checkpoint.safetensors` if it exists.
pub fn run(config: &DiscoverConfig, out: &Path, device: &Device, resume: bool) -> Result<Report> {
    config.validate()?;
    let started = Instant::now();
    let task = L1Task::default();
    let classifier = Classifier::new(config.classifier.clone())?;
    std::fs::create_dir_all(out).map_err(|source| CoreError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let files = RunFiles {
        dir: out.to_path_buf(),
    };

    // 1. Train.
    let mut trainer = if resume && files.checkpoint().exists() {
        let trainer = Trainer::resume(&files.checkpoint(), device)?;
        if trainer.config() != &config.training {
            return Err(CoreError::config(
                "training",
                "the checkpoint was written with another training configuration",
            ));
        }
        trainer
    } else if let Some(path) = &config.initialise_from {
        Trainer::warm_start(
            config.training.clone(),
            Checkpoint::load(path)?,
            &task,
            device,
        )?
    } else {
        Trainer::new(config.training.clone(), &task, device)?
    };
    eprintln!(
        "training: {} steps, sizes {:?}",
        config.training.steps,
        config
            .training
            .sizes
            .iter()
            .map(|s| (s.n, s.m))
            .collect::<Vec<_>>()
    );
    let guidance = trainer.guidance(&task)?;
    eprintln!("{}", guidance.sentence());
    trainer.run(&task, Some(&classifier), Some(out))?;
    let generator = trainer.generator()?;
    drop(trainer);

    // 2. The phase diagram over beta, and the Pareto front.
    let betas = config.training.pareto.grid(config.grid.betas);
    let labels_from = config.training.evaluation.labels_from;
    let bar = hyperinterp_hvae::progress_bar(config.training.sizes.len(), config.training.progress);
    bar.set_message("beta grid");
    let mut by_beta: Vec<Vec<Classified>> = betas.iter().map(|_| Vec::new()).collect();
    let mut phases_by_size = Vec::new();
    for (k, &sizes) in config.training.sizes.iter().enumerate() {
        let generated = generator.generate_many(
            &task,
            &betas,
            sizes,
            config.grid.networks,
            config.grid.inputs,
            config.training.seed ^ 0xD15C ^ k as u64,
        )?;
        let mut at_size: Vec<Vec<Classified>> = Vec::with_capacity(betas.len());
        for networks in generated {
            let mut rows = Vec::with_capacity(networks.len());
            for network in networks {
                let (weights, nmse) = network.weights(labels_from);
                let classification = classifier.classify(weights, nmse)?;
                let mean_weight_label = classifier
                    .classify(&network.mean, network.nmse_mean_weights)?
                    .algorithm
                    .name()
                    .to_string();
                rows.push(Classified {
                    label: classification.algorithm.name().to_string(),
                    mean_weight_label,
                    order: classification.order_parameters,
                    network,
                });
            }
            at_size.push(rows);
        }
        phases_by_size.push(SizePhases {
            n: sizes.n,
            m: sizes.m,
            phases_by_beta: beta_rows(&betas, &at_size)?,
        });
        for (slot, rows) in by_beta.iter_mut().zip(at_size) {
            slot.extend(rows);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let phases_by_beta = beta_rows(&betas, &by_beta)?;

    // Representative networks: the most accurate network of each label found,
    // measured again after the choice.
    let representatives = representatives(
        &by_beta,
        labels_from,
        &task,
        &classifier,
        config.grid.inputs.max(REPRESENTATIVE_INPUTS),
        config.training.seed ^ REPRESENTATIVE_SEED,
    )?;

    // 3. Phases over training time, from the checkpoint evaluations.
    let phases_by_step = phases_by_step(&files.evaluations())?;

    // 4. Systematic generalisation.
    let generalization_beta = if config.generalization.beta > 0.0 {
        config.generalization.beta
    } else {
        most_accurate_beta(&phases_by_beta, labels_from).unwrap_or(config.training.pareto.beta_min)
    };
    let generalization =
        generalization_rows(config, &generator, &task, &classifier, generalization_beta)?;

    // The amortisation gap: generated networks refined by the same objective.
    let refinement = refinement_rows(config, &generator, &task, &classifier, device)?;

    // 5. The Adam baseline.
    let adam_sizes = config.adam_sizes.unwrap_or_else(|| {
        config
            .training
            .sizes
            .iter()
            .copied()
            .max_by_key(|s| s.n)
            .unwrap_or(Sizes { n: 8, m: 24 })
    });
    let baseline = train_adam(&task, adam_sizes, &config.adam, device)?.mlp;
    let baseline_nmse = task.nmse_of(
        &baseline,
        config.grid.inputs.max(20_000),
        config.training.seed ^ 0xADA,
    )?;
    let adam_baseline = AdamBaselineSummary {
        nmse: baseline_nmse,
        label: classifier
            .classify(&baseline, baseline_nmse)?
            .algorithm
            .name()
            .to_string(),
        description: Some(describe(&baseline)?),
    };

    // 6-7. The report.
    let report = Report {
        guidance,
        config: serde_json::to_value(config)?,
        wall_seconds: started.elapsed().as_secs_f64(),
        phases_by_beta,
        phases_by_size,
        phases_by_step,
        generalization,
        adam_baseline,
        refinement,
        representatives,
        title: "hyperinterp: algorithms for the L1 norm across beta".into(),
        notes: vec![format!(
            "Trained on sizes {:?} for {} steps; beta in [{:e}, {:e}]; labels from the {} weights of each generated network.",
            config
                .training
                .sizes
                .iter()
                .map(|s| (s.n, s.m))
                .collect::<Vec<_>>(),
            config.training.steps,
            config.training.pareto.beta_min,
            config.training.pareto.beta_max,
            match labels_from {
                LabelWeights::Sampled => "sampled",
                LabelWeights::Mean => "mean",
            }
        )],
    };
    write_report(out, &report)?;
    Ok(report)
}

/// Fresh inputs (at least) on which each representative's NMSE is measured
/// after it was chosen.
pub const REPRESENTATIVE_INPUTS: usize = 20_000;

/// Mixed into the training seed for those inputs: no other draw of the job
/// uses it, so they are fresh.
const REPRESENTATIVE_SEED: u64 = 0x5E1E_C7ED_0000;

/// The most accurate network of each label found, one per label, in label
/// order (the order of `networks.safetensors`). The lowest NMSE of many is
/// biased low (a lucky draw of the grid's inputs), so each chosen network's
/// NMSE is measured again on `inputs` fresh inputs from `seed`, and its label
/// recomputed from that NMSE: a network chosen as `convexity` at 0.85 that
/// measures 0.96 is `trivial`. If two chosen networks end with the same
/// label, the more accurate one stays.
fn representatives(
    by_beta: &[Vec<Classified>],
    labels_from: LabelWeights,
    task: &L1Task,
    classifier: &Classifier,
    inputs: usize,
    seed: u64,
) -> Result<Vec<Representative>> {
    let mut best: BTreeMap<&str, &Classified> = BTreeMap::new();
    for classified in by_beta.iter().flatten() {
        let entry = best.entry(&classified.label).or_insert(classified);
        if classified.network.weights(labels_from).1 < entry.network.weights(labels_from).1 {
            *entry = classified;
        }
    }
    let mut chosen: BTreeMap<String, Representative> = BTreeMap::new();
    for classified in best.into_values() {
        let network = classified.network.weights(labels_from).0;
        let nmse = task.nmse_of(network, inputs, seed)?;
        let label = classifier
            .classify(network, nmse)?
            .algorithm
            .name()
            .to_string();
        if chosen.get(&label).is_some_and(|kept| kept.nmse <= nmse) {
            continue;
        }
        chosen.insert(
            label.clone(),
            Representative {
                label,
                beta: classified.network.beta,
                nmse,
                description: describe(network)?,
                network: network.clone(),
            },
        );
    }
    Ok(chosen.into_values().collect())
}

/// The rows of [`RefinementConfig`]: per size (the trained ones, then the
/// unseen ones) and beta, the generated networks' free energy and labels,
/// and the same after each was refined by `fit_posterior` at that beta with
/// the hypernetwork's priors.
fn refinement_rows(
    config: &DiscoverConfig,
    generator: &Generator,
    task: &L1Task,
    classifier: &Classifier,
    device: &Device,
) -> Result<Vec<RefinementRow>> {
    let refinement = &config.refinement;
    let fit = refinement.fit(&config.training.hypernetwork, config.training.seed);
    let trained = &config.training.sizes;
    let mut sizes = trained.clone();
    for &n in &refinement.unseen_n {
        if !sizes.iter().any(|size| size.n == n) {
            sizes.push(Sizes::new(n, config.unseen_width(n))?);
        }
    }
    let bar = hyperinterp_hvae::progress_bar(
        sizes.len() * refinement.betas.len() * refinement.networks,
        config.training.progress,
    );
    bar.set_message("refinement");
    let mut rows = Vec::new();
    for (k, &size) in sizes.iter().enumerate() {
        for &beta in &refinement.betas {
            let networks = generator.generate(
                task,
                beta,
                size,
                refinement.networks,
                config.training.seed ^ 0x4EF1 ^ k as u64,
            )?;
            let (mut generated_labels, mut refined_labels) = (Vec::new(), Vec::new());
            let (mut generated_free_energy, mut refined_free_energy) = (0.0, 0.0);
            let (mut generated_nmse, mut refined_nmse) = (0.0, 0.0);
            for network in &networks {
                generated_labels.push(
                    classifier
                        .classify(&network.sampled, network.nmse)?
                        .algorithm,
                );
                generated_free_energy += network.nmse + beta * network.weight_kl;
                generated_nmse += network.nmse;
                let refined = fit_posterior(task, &network.mean, Beta::new(beta)?, &fit, device)?;
                refined_free_energy += refined.free_energy();
                refined_nmse += refined.nmse_sampled;
                for label in classifier.classify_many(&refined.sampled, &refined.sampled_nmse)? {
                    refined_labels.push(label.algorithm);
                }
                bar.inc(1);
            }
            let count = networks.len() as f64;
            let fractions = |labels: &[Algorithm]| {
                Fractions::from_labels(labels.iter().map(|label| label.name()))
            };
            rows.push(RefinementRow {
                n: size.n,
                m: size.m,
                trained: trained.contains(&size),
                beta,
                networks: networks.len(),
                generated_free_energy: generated_free_energy / count,
                refined_free_energy: refined_free_energy / count,
                generated_nmse: generated_nmse / count,
                refined_nmse: refined_nmse / count,
                generated_fractions: fractions(&generated_labels)?,
                refined_fractions: fractions(&refined_labels)?,
            });
        }
    }
    bar.finish_and_clear();
    Ok(rows)
}

/// One summary row per beta (NMSE, KL, label fractions, mean order
/// parameters) from the networks classified at that beta.
fn beta_rows(betas: &[f64], by_beta: &[Vec<Classified>]) -> Result<Vec<BetaRow>> {
    by_beta
        .iter()
        .zip(betas)
        .map(|(rows, &beta)| {
            let labels: Vec<String> = rows.iter().map(|c| c.label.clone()).collect();
            Ok(BetaRow {
                beta,
                nmse: mean(rows.iter().map(|c| c.network.nmse)),
                kl: mean(rows.iter().map(|c| c.network.kl)),
                fractions: fractions(&labels)?,
                order_parameters: OrderParameters {
                    locality: mean(rows.iter().map(|c| c.order.locality)),
                    double_sidedness: mean(rows.iter().map(|c| c.order.double_sidedness)),
                    pudding_slope: mean(rows.iter().map(|c| c.order.pudding_slope)),
                },
                nmse_mean_weights: Some(mean(rows.iter().map(|c| c.network.nmse_mean_weights))),
                mean_weight_fractions: Some(fractions(
                    &rows
                        .iter()
                        .map(|c| c.mean_weight_label.clone())
                        .collect::<Vec<_>>(),
                )?),
                networks: Some(rows.len()),
            })
        })
        .collect()
}

/// One checkpoint's evaluation at one beta, pooled over its sizes.
struct PooledStep {
    beta: f64,
    labels: Vec<String>,
    nmse: Vec<f64>,
    kl: Vec<f64>,
    /// One per size.
    order_parameters: Vec<OrderParameters>,
}

impl PooledStep {
    fn into_row(self, step: u64) -> Result<StepRow> {
        let component =
            |of: fn(&OrderParameters) -> f64| mean(self.order_parameters.iter().map(of));
        Ok(StepRow {
            step,
            beta: self.beta,
            fractions: fractions(&self.labels)?,
            nmse: Some(mean(self.nmse.iter().copied())),
            kl: Some(mean(self.kl.iter().copied())),
            order_parameters: (!self.order_parameters.is_empty()).then(|| OrderParameters {
                locality: component(|o| o.locality),
                double_sidedness: component(|o| o.double_sidedness),
                pudding_slope: component(|o| o.pudding_slope),
            }),
        })
    }
}

/// Reads `evaluations.jsonl` and pools each checkpoint's sizes per beta.
fn phases_by_step(path: &Path) -> Result<Vec<StepRow>> {
    use hyperinterp_phases::OrderParameters as Names;
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(source) if source.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(CoreError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let evaluation: Evaluation = serde_json::from_str(line)?;
        // Keyed by the beta's bits, which order positive betas by value.
        let mut pooled: BTreeMap<u64, PooledStep> = BTreeMap::new();
        for row in evaluation.rows {
            let entry = pooled
                .entry(row.beta.to_bits())
                .or_insert_with(|| PooledStep {
                    beta: row.beta,
                    labels: Vec::new(),
                    nmse: Vec::new(),
                    kl: Vec::new(),
                    order_parameters: Vec::new(),
                });
            entry.labels.extend(row.labels);
            entry.nmse.push(row.nmse);
            entry.kl.push(row.kl);
            let order = &row.order_parameters;
            // Rows written before order parameters were recorded have none.
            if let (Some(&locality), Some(&double_sidedness), Some(&pudding_slope)) = (
                order.get(Names::LOCALITY),
                order.get(Names::DOUBLE_SIDEDNESS),
                order.get(Names::PUDDING_SLOPE),
            ) {
                entry.order_parameters.push(OrderParameters {
                    locality,
                    double_sidedness,
                    pudding_slope,
                });
            }
        }
        for pool in pooled.into_values() {
            rows.push(pool.into_row(evaluation.step as u64)?);
        }
    }
    Ok(rows)
}

fn generalization_rows(
    config: &DiscoverConfig,
    generator: &Generator,
    task: &impl Task,
    classifier: &Classifier,
    beta: f64,
) -> Result<Vec<GeneralizationRow>> {
    let mut rows = Vec::new();
    for (k, (sizes, trained)) in config.generalization_sizes().into_iter().enumerate() {
        let networks = generator
            .generate_many(
                task,
                &[beta],
                sizes,
                config.generalization.networks,
                config.grid.inputs,
                config.training.seed ^ 0x6E4E ^ k as u64,
            )?
            .remove(0);
        let labels = networks
            .iter()
            .map(|x| {
                let (network, nmse) = x.weights(config.training.evaluation.labels_from);
                Ok(classifier
                    .classify(network, nmse)?
                    .algorithm
                    .name()
                    .to_string())
            })
            .collect::<Result<Vec<_>>>()?;
        rows.push(GeneralizationRow {
            n: sizes.n,
            m: sizes.m,
            trained,
            beta,
            nmse: mean(
                networks
                    .iter()
                    .map(|x| x.weights(config.training.evaluation.labels_from).1),
            ),
            fractions: fractions(&labels)?,
        });
    }
    Ok(rows)
}

/// The grid's beta whose labelled networks are the most accurate: by the
/// sampled weights' NMSE, or the mean weights' when the labels come from
/// them (a run without weight noise has sampled weights that are all noise).
fn most_accurate_beta(rows: &[BetaRow], labels_from: LabelWeights) -> Option<f64> {
    let labelled = |row: &BetaRow| match labels_from {
        LabelWeights::Sampled => row.nmse,
        LabelWeights::Mean => row.nmse_mean_weights.unwrap_or(row.nmse),
    };
    rows.iter()
        .min_by(|a, b| labelled(a).total_cmp(&labelled(b)))
        .map(|row| row.beta)
}

/// A short summary table of a report, one line per beta.
pub fn summary(report: &Report) -> String {
    let mut text = format!(
        "{}\n{:>10} {:>9} {:>9} {:>10}  fractions\n",
        report.guidance.sentence(),
        "beta",
        "nmse",
        "kl",
        "majority"
    );
    for row in &report.phases_by_beta {
        let shares: Vec<String> = row
            .fractions
            .entries()
            .iter()
            .filter(|(_, f)| *f > 0.0)
            .map(|(name, f)| format!("{name} {:.0}%", f * 100.0))
            .collect();
        text.push_str(&format!(
            "{:>10.2e} {:>9.4} {:>9.1} {:>10}  {}\n",
            row.beta,
            row.nmse,
            row.kl,
            row.fractions.majority().unwrap_or("-"),
            shares.join(", ")
        ));
    }
    for sized in &report.phases_by_size {
        // Consecutive betas with the same majority, as `label (lo–hi)`.
        let mut runs: Vec<(&str, f64, f64)> = Vec::new();
        for row in &sized.phases_by_beta {
            let label = row.fractions.majority().unwrap_or("-");
            match runs.last_mut() {
                Some((last, _, hi)) if *last == label => *hi = row.beta,
                _ => runs.push((label, row.beta, row.beta)),
            }
        }
        let runs: Vec<String> = runs
            .iter()
            .map(|(label, lo, hi)| format!("{label} ({lo:.1e}–{hi:.1e})"))
            .collect();
        text.push_str(&format!(
            "n = {}, m = {}: {}\n",
            sized.n,
            sized.m,
            runs.join(", ")
        ));
    }
    for row in &report.refinement {
        let majority = |fractions: &Fractions| {
            let label = fractions.majority().unwrap_or("-");
            format!(
                "{label} {:.0}%",
                100.0 * fractions.get(label).unwrap_or(0.0)
            )
        };
        text.push_str(&format!(
            "refined, n = {}{}, beta {:.0e}: free energy {:.4} -> {:.4}, {} -> {}\n",
            row.n,
            if row.trained { "" } else { " (never trained)" },
            row.beta,
            row.generated_free_energy,
            row.refined_free_energy,
            majority(&row.generated_fractions),
            majority(&row.refined_fractions),
        ));
    }
    text.push_str(&format!(
        "Adam baseline: NMSE {:.4}, {}\nwall time: {:.0} s\n",
        report.adam_baseline.nmse, report.adam_baseline.label, report.wall_seconds
    ));
    text
}

/// How often an algorithm is the majority somewhere on the beta grid,
/// across the seeds of a sweep, and where.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlgorithmAcrossSeeds {
    /// The label.
    pub label: String,
    /// Seeds (reports) in which it is the majority at one beta or more.
    pub seeds_with_majority: usize,
    /// Fraction of the seeds.
    pub fraction_of_seeds: f64,
    /// Per seed where it is the majority: `[lowest beta, highest beta]`.
    pub beta_ranges: Vec<[f64; 2]>,
    /// Per seed, in the order merged, its highest fraction anywhere on the
    /// grid: how near a phase that is not the majority came.
    #[serde(default)]
    pub peak_fractions: Vec<f64>,
}

/// The seed statistics of one trained size (from each report's
/// `phases_by_size`): phases that lead at one size each can miss the pooled
/// majority, so a sweep reports both.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SizeAcrossSeeds {
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
    /// Reports that trained this size.
    pub seeds: usize,
    /// Per label, as in [`SweepSummary::algorithms`].
    pub algorithms: Vec<AlgorithmAcrossSeeds>,
}

/// Seed statistics of a sweep: one entry per label, in the classifier's order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    /// Blind or guided, pooled over the reports merged: blind only if every
    /// one was.
    #[serde(default = "Guidance::unrecorded")]
    pub guidance: Guidance,
    /// Number of reports merged.
    pub seeds: usize,
    /// Per label, from the pooled `phases_by_beta`.
    pub algorithms: Vec<AlgorithmAcrossSeeds>,
    /// Per trained size, in increasing (n, m).
    #[serde(default)]
    pub by_size: Vec<SizeAcrossSeeds>,
}

/// Per label: where it is the majority in each grid (one grid per seed).
fn algorithms_across_seeds(grids: &[&[BetaRow]]) -> Vec<AlgorithmAcrossSeeds> {
    hyperinterp_report::LABELS
        .iter()
        .map(|&label| {
            let beta_ranges: Vec<[f64; 2]> = grids
                .iter()
                .filter_map(|grid| {
                    let betas: Vec<f64> = grid
                        .iter()
                        .filter(|row| row.fractions.majority() == Some(label))
                        .map(|row| row.beta)
                        .collect();
                    let low = betas.iter().copied().reduce(f64::min)?;
                    let high = betas.iter().copied().reduce(f64::max)?;
                    Some([low, high])
                })
                .collect();
            let peak_fractions = grids
                .iter()
                .map(|grid| {
                    grid.iter()
                        .filter_map(|row| row.fractions.get(label))
                        .fold(0.0, f64::max)
                })
                .collect();
            AlgorithmAcrossSeeds {
                label: label.to_string(),
                seeds_with_majority: beta_ranges.len(),
                fraction_of_seeds: beta_ranges.len() as f64 / grids.len() as f64,
                beta_ranges,
                peak_fractions,
            }
        })
        .collect()
}

/// Merges the reports of several seeds into [`SweepSummary`]: pooled over
/// the trained sizes, and per size. Blind and guided reports are not pooled
/// unless `allow_mixed_guidance` says so (then the summary counts as guided
/// and names what any of them was given): a pooled figure must not pass a
/// guided result off as a blind one.
///
/// ```
/// use hyperinterp::discover::merge;
/// use hyperinterp::report::{BetaRow, Fractions, Report, SizePhases};
/// let row = |beta: f64, mixed: f64| BetaRow {
///     beta, nmse: 0.1, kl: 1.0, order_parameters: Default::default(), nmse_mean_weights: None, mean_weight_fractions: None, networks: None,
///     fractions: Fractions { mixed, trivial: 1.0 - mixed, ..Default::default() },
/// };
/// let grid = vec![row(1e-5, 0.9), row(1e-3, 0.8), row(1e-1, 0.0)];
/// let report = Report {
///     phases_by_beta: grid.clone(),
///     phases_by_size: vec![SizePhases { n: 4, m: 12, phases_by_beta: grid }],
///     ..Default::default()
/// };
/// let summary = merge(&[report.clone(), report.clone()], false)?;
/// assert!(summary.guidance.blind);
/// let mixed = summary.algorithms.iter().find(|a| a.label == "mixed").unwrap();
/// assert_eq!(mixed.seeds_with_majority, 2);
/// assert_eq!(mixed.beta_ranges[0], [1e-5, 1e-3]);
/// assert_eq!(mixed.peak_fractions, vec![0.9, 0.9]);
/// assert_eq!((summary.by_size[0].n, summary.by_size[0].seeds), (4, 2));
///
/// let guided = Report { guidance: hyperinterp::core::Guidance::unrecorded(), ..report.clone() };
/// assert!(merge(&[report.clone(), guided.clone()], false).is_err());
/// assert!(!merge(&[report, guided], true)?.guidance.blind);
/// # Ok::<(), hyperinterp::core::CoreError>(())
/// ```
pub fn merge(reports: &[Report], allow_mixed_guidance: bool) -> Result<SweepSummary> {
    if reports.is_empty() {
        return Err(CoreError::config(
            "reports",
            "need at least one report to merge",
        ));
    }
    let blind = reports
        .iter()
        .filter(|report| report.guidance.blind)
        .count();
    if blind != 0 && blind != reports.len() && !allow_mixed_guidance {
        return Err(CoreError::config(
            "reports",
            format!(
                "{blind} of the {} reports are blind and the rest guided; pooling them \
                 would mix discoveries with guided results (allow it explicitly to merge anyway)",
                reports.len()
            ),
        ));
    }
    let guidance = Guidance::pooled(reports.iter().map(|report| &report.guidance));
    let pooled: Vec<&[BetaRow]> = reports
        .iter()
        .map(|report| report.phases_by_beta.as_slice())
        .collect();
    // Each size's grids, one per report that trained it.
    let mut grids_by_size = BTreeMap::<(usize, usize), Vec<&[BetaRow]>>::new();
    for sized in reports.iter().flat_map(|report| &report.phases_by_size) {
        grids_by_size
            .entry((sized.n, sized.m))
            .or_default()
            .push(&sized.phases_by_beta);
    }
    let by_size = grids_by_size
        .into_iter()
        .map(|((n, m), grids)| SizeAcrossSeeds {
            n,
            m,
            seeds: grids.len(),
            algorithms: algorithms_across_seeds(&grids),
        })
        .collect();
    Ok(SweepSummary {
        guidance,
        seeds: reports.len(),
        algorithms: algorithms_across_seeds(&pooled),
        by_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalisation_is_measured_where_the_labelled_weights_are_most_accurate() {
        let row = |beta: f64, nmse: f64, mean: f64| BetaRow {
            beta,
            nmse,
            nmse_mean_weights: Some(mean),
            ..Default::default()
        };
        let rows = [row(1e-6, 12.0, 0.01), row(1e-1, 1.0, 1.0)];
        assert_eq!(most_accurate_beta(&rows, LabelWeights::Sampled), Some(1e-1));
        assert_eq!(most_accurate_beta(&rows, LabelWeights::Mean), Some(1e-6));
        assert_eq!(most_accurate_beta(&[], LabelWeights::Mean), None);
    }
}
