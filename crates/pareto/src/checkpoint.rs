//! Checkpoints: everything needed to resume a training run exactly —
//! parameters, Adam's state, the step and the configuration (all randomness
//! of a step is derived from the run's seed and the step index, so the
//! step is the RNG state) — in one safetensors file written atomically.

use std::collections::HashMap;
use std::path::Path;

use burn::tensor::{Device, Tensor, TensorData};
use hyperinterp_core::{CoreError, Result, export::write_atomic, to_vec};
use hyperinterp_hvae::{Decoded, DecodedKind};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::trainer::TrainerConfig;

/// The `format` metadata of a checkpoint file.
pub const CHECKPOINT_FORMAT: &str = "hyperinterp-checkpoint";

/// Adam's state for one parameter tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamMoments {
    /// Steps taken.
    pub time: usize,
    /// First moment.
    pub first: Vec<f32>,
    /// Second moment.
    pub second: Vec<f32>,
}

/// A training run's full state.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// Steps completed.
    pub step: usize,
    /// The run's configuration.
    pub config: TrainerConfig,
    /// Every hyperhypernetwork parameter, flat, in catalogue order.
    pub params: Vec<Vec<f32>>,
    /// Adam's state per parameter (`None` before its first step).
    pub adam: Vec<Option<AdamMoments>>,
    /// The persistent refinement targets per training size (`None` before
    /// the size's first pull, and always without
    /// [`crate::SemiAmortisedConfig::persistent`]), each as its
    /// [`TARGET_PARTS`] in order, flat.
    pub targets: Vec<Option<Vec<Vec<f32>>>>,
    /// What earlier training stages were handed of the task's hand-written
    /// solutions ([`crate::Trainer::guidance`]); empty for a run trained from
    /// scratch, and in checkpoints written before it was recorded.
    pub earlier_guidance: Vec<String>,
}

/// The parts of a persistent target in a checkpoint, in order: the decoded
/// mean and log-std of `W`, `b`, `a` and `c`.
pub const TARGET_PARTS: [&str; 8] = [
    "weight_mean",
    "weight_log_std",
    "bias_mean",
    "bias_log_std",
    "output_weight_mean",
    "output_weight_log_std",
    "output_bias_mean",
    "output_bias_log_std",
];

/// `parts` as size `k`'s [`TARGET_PARTS`], in order; an error unless there
/// are eight, each of its length.
fn check_target<'a>(
    parts: &'a [Vec<f32>],
    config: &TrainerConfig,
    k: usize,
) -> Result<&'a [Vec<f32>; 8]> {
    let mismatch = || corrupt(format!("target {k} does not match its sizes"));
    let parts: &[Vec<f32>; 8] = parts.try_into().map_err(|_| mismatch())?;
    if parts
        .iter()
        .zip(target_lengths(config, k))
        .any(|(p, len)| p.len() != len)
    {
        return Err(mismatch());
    }
    Ok(parts)
}

/// Each [`TARGET_PARTS`] entry's length for training size `k`.
fn target_lengths(config: &TrainerConfig, k: usize) -> [usize; 8] {
    let batch = config.groups * config.networks;
    let sizes = config.sizes[k];
    let (w, b, c) = (batch * sizes.m * sizes.n, batch * sizes.m, batch);
    [w, w, b, b, b, b, c, c]
}

/// A flat parameter (or Adam moment) as the `[1, len]` row the trainer and
/// the generator hold it in.
pub(crate) fn row(values: Vec<f32>, device: &Device) -> Tensor<2> {
    let len = values.len();
    Tensor::from_data(TensorData::new(values, [1, len]), device)
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn corrupt(reason: impl Into<String>) -> CoreError {
    CoreError::Safetensors(format!("checkpoint: {}", reason.into()))
}

impl Checkpoint {
    /// The checkpoint as safetensors bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let specs = self.config.pareto_catalogue();
        if specs.len() != self.params.len() || specs.len() != self.adam.len() {
            return Err(corrupt("parameter count does not match the configuration"));
        }
        let mut metadata = HashMap::from([
            ("format".to_string(), CHECKPOINT_FORMAT.to_string()),
            ("step".to_string(), self.step.to_string()),
            ("config".to_string(), serde_json::to_string(&self.config)?),
            (
                "earlier_guidance".to_string(),
                serde_json::to_string(&self.earlier_guidance)?,
            ),
        ]);
        let mut buffers: Vec<(String, usize, Vec<u8>)> = Vec::new();
        for ((spec, values), adam) in specs.iter().zip(&self.params).zip(&self.adam) {
            if values.len() != spec.numel() {
                return Err(corrupt(format!(
                    "{} has {} values, expected {}",
                    spec.name,
                    values.len(),
                    spec.numel()
                )));
            }
            buffers.push((
                format!("params/{}", spec.name),
                values.len(),
                f32_bytes(values),
            ));
            if let Some(moments) = adam {
                metadata.insert(format!("adam_time/{}", spec.name), moments.time.to_string());
                buffers.push((
                    format!("adam_first/{}", spec.name),
                    moments.first.len(),
                    f32_bytes(&moments.first),
                ));
                buffers.push((
                    format!("adam_second/{}", spec.name),
                    moments.second.len(),
                    f32_bytes(&moments.second),
                ));
            }
        }
        if self.targets.len() != self.config.sizes.len() {
            return Err(corrupt("target count does not match the training sizes"));
        }
        for (k, target) in self.targets.iter().enumerate() {
            let Some(parts) = target else { continue };
            check_target(parts, &self.config, k)?;
            for (name, values) in TARGET_PARTS.iter().zip(parts) {
                buffers.push((
                    format!("targets/{k}/{name}"),
                    values.len(),
                    f32_bytes(values),
                ));
            }
        }
        let views = buffers
            .iter()
            .map(|(name, len, bytes)| {
                TensorView::new(Dtype::F32, vec![*len], bytes)
                    .map(|view| (name.clone(), view))
                    .map_err(|e| corrupt(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        safetensors::serialize(views, Some(metadata)).map_err(|e| corrupt(e.to_string()))
    }

    /// Parses checkpoint bytes; a truncated or corrupted file is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let tensors = SafeTensors::deserialize(bytes).map_err(|e| corrupt(e.to_string()))?;
        let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| corrupt(e.to_string()))?;
        let metadata = header.metadata().clone().unwrap_or_default();
        if metadata.get("format").map(String::as_str) != Some(CHECKPOINT_FORMAT) {
            return Err(corrupt(format!("not a {CHECKPOINT_FORMAT} file")));
        }
        let step = metadata
            .get("step")
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| corrupt("missing or malformed step"))?;
        let config: TrainerConfig = serde_json::from_str(
            metadata
                .get("config")
                .ok_or_else(|| corrupt("missing config"))?,
        )?;
        config.validate()?;
        let earlier_guidance: Vec<String> = match metadata.get("earlier_guidance") {
            Some(json) => serde_json::from_str(json)?,
            None => Vec::new(),
        };
        let read = |name: String, len: usize| -> Result<Vec<f32>> {
            let view = tensors
                .tensor(&name)
                .map_err(|_| CoreError::MissingTensor { name: name.clone() })?;
            if view.dtype() != Dtype::F32 || view.shape() != [len] {
                return Err(corrupt(format!(
                    "{name} has dtype {:?} and shape {:?}, expected F32 [{len}]",
                    view.dtype(),
                    view.shape()
                )));
            }
            Ok(view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect())
        };
        let specs = config.pareto_catalogue();
        let mut params = Vec::with_capacity(specs.len());
        let mut adam = Vec::with_capacity(specs.len());
        for spec in &specs {
            params.push(read(format!("params/{}", spec.name), spec.numel())?);
            adam.push(match metadata.get(&format!("adam_time/{}", spec.name)) {
                Some(time) => Some(AdamMoments {
                    time: time
                        .parse()
                        .map_err(|_| corrupt(format!("adam_time/{} is not a number", spec.name)))?,
                    first: read(format!("adam_first/{}", spec.name), spec.numel())?,
                    second: read(format!("adam_second/{}", spec.name), spec.numel())?,
                }),
                None => None,
            });
        }
        let targets = (0..config.sizes.len())
            .map(|k| {
                if tensors
                    .tensor(&format!("targets/{k}/{}", TARGET_PARTS[0]))
                    .is_err()
                {
                    return Ok(None);
                }
                TARGET_PARTS
                    .iter()
                    .zip(target_lengths(&config, k))
                    .map(|(name, len)| read(format!("targets/{k}/{name}"), len))
                    .collect::<Result<Vec<_>>>()
                    .map(Some)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Checkpoint {
            step,
            config,
            params,
            adam,
            targets,
            earlier_guidance,
        })
    }

    /// The kept persistent targets per training size, as the decoder's
    /// output they stand in for (`None` where none is kept).
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use hyperinterp_core::Sizes;
    /// use hyperinterp_pareto::{Trainer, TrainerConfig};
    /// let mut config = TrainerConfig { steps: 3, groups: 2, networks: 2, inputs: 16, progress: false, ..Default::default() };
    /// config.sizes = vec![Sizes::new(2, 4)?];
    /// config.hypernetwork.graph.layers = 1;
    /// config.semi_amortised.from_step = 1;
    /// config.semi_amortised.persistent = true;
    /// config.semi_amortised.refinement.steps = 2;
    /// let task = hyperinterp_l1::L1Task::default();
    /// let mut trainer = Trainer::new(config, &task, &Device::default())?;
    /// trainer.run(&task, None, None)?;
    /// let targets = trainer.checkpoint()?.kept_targets(&Device::default())?;
    /// assert_eq!(targets[0].as_ref().unwrap().weight.mean.dims(), [2, 2, 4, 2]);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn kept_targets(&self, device: &Device) -> Result<Vec<Option<Decoded>>> {
        if self.targets.len() != self.config.sizes.len() {
            return Err(corrupt("target count does not match the training sizes"));
        }
        self.targets
            .iter()
            .enumerate()
            .map(|(k, parts)| {
                parts
                    .as_deref()
                    .map(|parts| decoded_from_parts(parts, &self.config, k, device))
                    .transpose()
            })
            .collect()
    }

    /// Writes the checkpoint atomically (a crash never leaves a partial file).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomic(path, &self.to_bytes()?)
    }

    /// Reads a checkpoint file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| CoreError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        Checkpoint::from_bytes(&bytes)
    }
}

/// A persistent target as its checkpoint parts ([`TARGET_PARTS`]).
pub(crate) fn decoded_parts(decoded: &Decoded) -> Result<Vec<Vec<f32>>> {
    let flat = |t: Tensor<1>| to_vec(&t, "targets");
    Ok(vec![
        flat(decoded.weight.mean.clone().flatten(0, 3))?,
        flat(decoded.weight.log_std.clone().flatten(0, 3))?,
        flat(decoded.bias.mean.clone().flatten(0, 2))?,
        flat(decoded.bias.log_std.clone().flatten(0, 2))?,
        flat(decoded.output_weight.mean.clone().flatten(0, 2))?,
        flat(decoded.output_weight.log_std.clone().flatten(0, 2))?,
        flat(decoded.output_bias.mean.clone().flatten(0, 1))?,
        flat(decoded.output_bias.log_std.clone().flatten(0, 1))?,
    ])
}

/// The inverse of [`decoded_parts`], for training size `k`; parts of the
/// wrong number or length are an error.
fn decoded_from_parts(
    parts: &[Vec<f32>],
    config: &TrainerConfig,
    k: usize,
    device: &Device,
) -> Result<Decoded> {
    let [
        w_mean,
        w_log_std,
        b_mean,
        b_log_std,
        a_mean,
        a_log_std,
        c_mean,
        c_log_std,
    ] = check_target(parts, config, k)?;
    let sizes = config.sizes[k];
    let (groups, networks, m, n) = (config.groups, config.networks, sizes.m, sizes.n);
    let tensor = |v: &Vec<f32>, shape: Vec<usize>| TensorData::new(v.clone(), shape);
    let t4 = |v| Tensor::<4>::from_data(tensor(v, vec![groups, networks, m, n]), device);
    let t3 = |v| Tensor::<3>::from_data(tensor(v, vec![groups, networks, m]), device);
    let t2 = |v| Tensor::<2>::from_data(tensor(v, vec![groups, networks]), device);
    Ok(Decoded {
        weight: DecodedKind {
            mean: t4(w_mean),
            log_std: t4(w_log_std),
        },
        bias: DecodedKind {
            mean: t3(b_mean),
            log_std: t3(b_log_std),
        },
        output_weight: DecodedKind {
            mean: t3(a_mean),
            log_std: t3(a_log_std),
        },
        output_bias: DecodedKind {
            mean: t2(c_mean),
            log_std: t2(c_log_std),
        },
    })
}
