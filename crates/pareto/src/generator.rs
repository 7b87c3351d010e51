//! [`Generator`]: a trained hyperhypernetwork, queried at any beta.

use std::collections::BTreeMap;
use std::path::Path;

use burn::tensor::Device;
use hyperinterp_core::{
    Beta, CoreError, GeneratedNetworks, Mlp, NetworkClassifier, NetworkGenerator, Result, Sizes,
    Task, to_vec,
};
use hyperinterp_graph_transformer::{ParamSet, ParamSpec};
use hyperinterp_hvae::{Noise, generate};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{Checkpoint, row};
use crate::model::hypernetwork_params;
use crate::trainer::TrainerConfig;

/// Which weights of a generated network are labelled: the sampled weights
/// (a draw from the hypernetwork, what the loss saw and what the paper
/// analyses) or the mean weights (the noise switched off).
///
/// At high beta the two differ in kind: the mean weights shrink to the prior
/// mean and compute nothing, while the sampled networks still compute with
/// dense random features and a positive read-out (convexity).
///
/// ```
/// use hyperinterp_pareto::LabelWeights;
/// assert_eq!(LabelWeights::default(), LabelWeights::Sampled);
/// assert_eq!(serde_json::to_string(&LabelWeights::Mean).unwrap(), r#""mean""#);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelWeights {
    /// The sampled weights and their NMSE.
    #[default]
    Sampled,
    /// The mean weights and their NMSE.
    Mean,
}

/// One generated network with its price and its error.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedNetwork {
    /// The beta it was generated at.
    pub beta: f64,
    /// Its mean weights (what analysis reads).
    pub mean: Mlp,
    /// Its sampled weights (what the loss saw).
    pub sampled: Mlp,
    /// Total KL, nats.
    pub kl: f64,
    /// Node-latent KL, nats.
    pub node_kl: f64,
    /// Weight KL, nats.
    pub weight_kl: f64,
    /// NMSE of the sampled weights.
    pub nmse: f64,
    /// NMSE of the mean weights.
    pub nmse_mean_weights: f64,
}

impl GeneratedNetwork {
    /// The network that `which` names, with its NMSE.
    pub fn weights(&self, which: LabelWeights) -> (&Mlp, f64) {
        match which {
            LabelWeights::Sampled => (&self.sampled, self.nmse),
            LabelWeights::Mean => (&self.mean, self.nmse_mean_weights),
        }
    }
}

/// Summary of the networks generated at one beta and size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvaluationRow {
    /// Beta.
    pub beta: f64,
    /// Input size.
    pub n: usize,
    /// Hidden width.
    pub m: usize,
    /// Mean NMSE of the sampled networks.
    pub nmse: f64,
    /// Mean NMSE of the mean-weight networks.
    pub nmse_mean_weights: f64,
    /// Mean total KL, nats.
    pub kl: f64,
    /// Mean node KL, nats.
    pub node_kl: f64,
    /// Mean weight KL, nats.
    pub weight_kl: f64,
    /// Each network's label (of the weights `evaluation.labels_from` names,
    /// with their NMSE); empty without a classifier.
    pub labels: Vec<String>,
    /// The mean over the networks of each order parameter the classifier
    /// gives by name ([`NetworkClassifier::label_with_order_parameters`]);
    /// empty without a classifier, and in files written before it existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub order_parameters: BTreeMap<String, f64>,
}

/// The evaluation written at a checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Steps completed.
    pub step: usize,
    /// One row per (size, beta).
    pub rows: Vec<EvaluationRow>,
}

/// A trained Pareto hyperhypernetwork, ready to generate networks at any beta.
///
/// ```no_run
/// use hyperinterp_core::Sizes;
/// use hyperinterp_pareto::Generator;
/// let generator = Generator::load("runs/discover/checkpoint.safetensors".as_ref(), &burn::tensor::Device::default())?;
/// let nets = generator.generate(&hyperinterp_l1::L1Task::default(), 1e-3, Sizes::new(8, 24)?, 4, 0)?;
/// println!("KL {} NMSE {}", nets[0].kl, nets[0].nmse);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Generator {
    config: TrainerConfig,
    pareto: ParamSet,
    hypernetwork: Vec<ParamSpec>,
}

fn mean(values: &[f32]) -> f64 {
    values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len().max(1) as f64
}

impl Generator {
    /// Wraps hyperhypernetwork parameters (one group, on a device without autodiff).
    pub fn new(config: TrainerConfig, pareto: ParamSet) -> Result<Self> {
        config.validate()?;
        if pareto.specs() != config.pareto_catalogue().as_slice() {
            return Err(CoreError::config(
                "params",
                "do not match the configuration's catalogue",
            ));
        }
        Ok(Generator {
            hypernetwork: config.hypernetwork_catalogue(),
            config,
            pareto,
        })
    }

    /// From a checkpoint, on `device`.
    pub fn from_checkpoint(checkpoint: &Checkpoint, device: &Device) -> Result<Self> {
        let device = device.clone().without_autodiff();
        let values = checkpoint
            .params
            .iter()
            .map(|v| row(v.clone(), &device))
            .collect();
        Generator::new(
            checkpoint.config.clone(),
            ParamSet::new(checkpoint.config.pareto_catalogue(), values)?,
        )
    }

    /// From a checkpoint file (a truncated or corrupted file is an error).
    pub fn load(path: &Path, device: &Device) -> Result<Self> {
        Generator::from_checkpoint(&Checkpoint::load(path)?, device)
    }

    /// The training configuration.
    pub fn config(&self) -> &TrainerConfig {
        &self.config
    }

    /// The hypernetwork parameters at each of `betas` (one group each).
    pub fn hypernetwork_params(&self, betas: &[f64]) -> Result<ParamSet> {
        hypernetwork_params(&self.pareto, &self.hypernetwork, &self.config.pareto, betas)
    }

    /// `count` networks of `sizes` at each of `betas` (outer index: beta),
    /// each scored on `task` with `inputs` fresh inputs.
    pub fn generate_many(
        &self,
        task: &impl Task,
        betas: &[f64],
        sizes: Sizes,
        count: usize,
        inputs: usize,
        seed: u64,
    ) -> Result<Vec<Vec<GeneratedNetwork>>> {
        if count == 0 {
            return Err(CoreError::config("count", "must be at least 1"));
        }
        if inputs == 0 {
            return Err(CoreError::config("inputs", "must be at least 1"));
        }
        let device = self.pareto.values()[0].device();
        let set = self.hypernetwork_params(betas)?;
        let noise = Noise::draw(
            &self.config.hypernetwork,
            betas.len(),
            count,
            sizes,
            seed,
            &device,
        )?;
        let networks = generate(&set, &self.config.hypernetwork, &noise)?.networks;
        let total = betas.len() * count;
        let inputs = task.input_tensor(total, inputs, sizes.n, seed ^ 0x1A7E, &device);
        let nmse = to_vec(&task.nmse(&networks.sampled, inputs.clone()), "nmse")?;
        let nmse_mean = to_vec(&task.nmse(&networks.mean, inputs), "nmse")?;
        let node_kl = to_vec(&networks.kl.node, "node kl")?;
        let weight_kl = to_vec(&networks.kl.weight, "weight kl")?;
        let means = networks.mean.to_mlps()?;
        let sampled = networks.sampled.to_mlps()?;
        let mut out: Vec<Vec<GeneratedNetwork>> =
            betas.iter().map(|_| Vec::with_capacity(count)).collect();
        for (k, (mean, sampled)) in means.into_iter().zip(sampled).enumerate() {
            out[k / count].push(GeneratedNetwork {
                beta: betas[k / count],
                mean,
                sampled,
                kl: f64::from(node_kl[k] + weight_kl[k]),
                node_kl: f64::from(node_kl[k]),
                weight_kl: f64::from(weight_kl[k]),
                nmse: f64::from(nmse[k]),
                nmse_mean_weights: f64::from(nmse_mean[k]),
            });
        }
        Ok(out)
    }

    /// `count` networks of `sizes` at one beta, scored with the run's
    /// `evaluation.inputs` fresh inputs each.
    pub fn generate(
        &self,
        task: &impl Task,
        beta: f64,
        sizes: Sizes,
        count: usize,
        seed: u64,
    ) -> Result<Vec<GeneratedNetwork>> {
        let inputs = self.config.evaluation.inputs;
        Ok(self
            .generate_many(task, &[beta], sizes, count, inputs, seed)?
            .remove(0))
    }

    /// One [`EvaluationRow`] per beta: means over `count` networks, and each
    /// network's label from `classifier` (read from the weights that
    /// `evaluation.labels_from` names).
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate(
        &self,
        task: &impl Task,
        classifier: Option<&dyn NetworkClassifier>,
        betas: &[f64],
        sizes: Sizes,
        count: usize,
        inputs: usize,
        seed: u64,
    ) -> Result<Vec<EvaluationRow>> {
        self.generate_many(task, betas, sizes, count, inputs, seed)?
            .into_iter()
            .zip(betas)
            .map(|(nets, &beta)| {
                let pick = |f: fn(&GeneratedNetwork) -> f64| -> f64 {
                    mean(&nets.iter().map(|x| f(x) as f32).collect::<Vec<_>>())
                };
                let which = self.config.evaluation.labels_from;
                let labelled = match classifier {
                    Some(classifier) => nets
                        .iter()
                        .map(|x| {
                            let (network, nmse) = x.weights(which);
                            classifier.label_with_order_parameters(network, nmse)
                        })
                        .collect::<Result<Vec<_>>>()?,
                    None => Vec::new(),
                };
                // Means over the finite values: a NaN would be written as
                // `null`, which the row could not be read back from.
                let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
                for (name, value) in labelled.iter().flat_map(|x| &x.order_parameters) {
                    if value.is_finite() {
                        let entry = sums.entry(name.clone()).or_default();
                        *entry = (entry.0 + value, entry.1 + 1);
                    }
                }
                let order_parameters = sums
                    .into_iter()
                    .map(|(name, (sum, count))| (name, sum / count as f64))
                    .collect();
                let labels = labelled.into_iter().map(|x| x.algorithm).collect();
                Ok(EvaluationRow {
                    beta,
                    n: sizes.n,
                    m: sizes.m,
                    nmse: pick(|x| x.nmse),
                    nmse_mean_weights: pick(|x| x.nmse_mean_weights),
                    kl: pick(|x| x.kl),
                    node_kl: pick(|x| x.node_kl),
                    weight_kl: pick(|x| x.weight_kl),
                    labels,
                    order_parameters,
                })
            })
            .collect()
    }

    /// This generator at one beta, as a core [`NetworkGenerator`].
    pub fn at_beta(&self, beta: Beta) -> AtBeta<'_> {
        AtBeta {
            generator: self,
            beta: beta.value(),
        }
    }
}

/// A [`Generator`] fixed at one beta.
pub struct AtBeta<'a> {
    generator: &'a Generator,
    beta: f64,
}

impl NetworkGenerator for AtBeta<'_> {
    fn generate(
        &self,
        sizes: Sizes,
        count: usize,
        seed: u64,
        device: &Device,
    ) -> Result<GeneratedNetworks> {
        let set = self
            .generator
            .hypernetwork_params(&[self.beta])?
            .to_device(device)?;
        let noise = Noise::draw(
            &self.generator.config.hypernetwork,
            1,
            count,
            sizes,
            seed,
            device,
        )?;
        Ok(generate(&set, &self.generator.config.hypernetwork, &noise)?.networks)
    }
}
