//! The parameter catalogue — every parameter tensor's name, shape and
//! initialiser, the one source of truth for both a fixed-parameter model and
//! a generated one — and [`ParamSet`], the tensors themselves with a leading
//! group axis.

use std::collections::HashMap;

use burn::tensor::{Device, Tensor, TensorData};
use hyperinterp_core::{CoreError, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

/// How a parameter tensor starts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// All zeros (biases, LayerNorm shifts).
    Zeros,
    /// All ones (LayerNorm gains).
    Ones,
    /// Independent `N(0, std^2)` entries.
    Normal {
        /// Standard deviation.
        std: f64,
    },
    /// Every entry equal to `value`.
    Constant {
        /// The value.
        value: f64,
    },
}

impl Init {
    /// `gain / sqrt(fan_in)` normal init for a `[fan_in, fan_out]` matrix.
    ///
    /// ```
    /// use hyperinterp_graph_transformer::Init;
    /// assert_eq!(Init::scaled(4, 0.5), Init::Normal { std: 0.25 });
    /// ```
    pub fn scaled(fan_in: usize, gain: f64) -> Init {
        Init::Normal {
            std: gain / (fan_in.max(1) as f64).sqrt(),
        }
    }

    /// `count` initial values drawn from `rng`.
    pub fn sample(self, count: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
        match self {
            Init::Zeros => vec![0.0; count],
            Init::Ones => vec![1.0; count],
            Init::Constant { value } => vec![value as f32; count],
            Init::Normal { std } => match Normal::new(0.0, std) {
                Ok(normal) => (0..count).map(|_| normal.sample(rng) as f32).collect(),
                // std = 0 (or invalid) degenerates to zeros rather than panicking.
                Err(_) => vec![0.0; count],
            },
        }
    }
}

/// One parameter tensor: its name, its shape (without the group axis) and initialiser.
///
/// ```
/// use hyperinterp_graph_transformer::{Init, ParamSpec};
/// let spec = ParamSpec::new("layers.0.query", [32, 32], Init::scaled(32, 1.0));
/// assert_eq!(spec.numel(), 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// Unique dotted name, e.g. `layers.2.edge.out`.
    pub name: String,
    /// Shape without the leading group axis.
    pub shape: Vec<usize>,
    /// Initialiser.
    pub init: Init,
}

impl ParamSpec {
    /// Builds a spec.
    pub fn new(name: impl Into<String>, shape: impl Into<Vec<usize>>, init: Init) -> Self {
        ParamSpec {
            name: name.into(),
            shape: shape.into(),
            init,
        }
    }

    /// Number of entries.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
}

/// Parameter tensors for `G` groups, stored flat as `[G, numel]` in catalogue
/// order, looked up by name and reshaped on use.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_graph_transformer::{Init, ParamSet, ParamSpec};
/// let specs = vec![ParamSpec::new("w", [2, 3], Init::Ones), ParamSpec::new("b", [3], Init::Zeros)];
/// let set = ParamSet::initialise(&specs, 4, 7, &Device::default())?;
/// assert_eq!(set.matrix("w")?.dims(), [4, 2, 3]);
/// assert_eq!(set.vector("b")?.dims(), [4, 3]);
/// assert!(set.vector("nope").is_err());
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ParamSet {
    specs: Vec<ParamSpec>,
    values: Vec<Tensor<2>>,
    index: HashMap<String, usize>,
    groups: usize,
}

impl ParamSet {
    /// Wraps flat tensors `[G, numel]`, one per spec in order, checking shapes
    /// and that names are unique.
    pub fn new(specs: Vec<ParamSpec>, values: Vec<Tensor<2>>) -> Result<Self> {
        if specs.len() != values.len() {
            return Err(CoreError::config(
                "params",
                format!("{} specs but {} tensors", specs.len(), values.len()),
            ));
        }
        let groups = values.first().map_or(0, |v| v.dims()[0]);
        if groups == 0 {
            return Err(CoreError::config(
                "params",
                "need at least one tensor and group",
            ));
        }
        let mut index = HashMap::with_capacity(specs.len());
        for (i, (spec, value)) in specs.iter().zip(&values).enumerate() {
            if value.dims() != [groups, spec.numel()] {
                return Err(CoreError::ShapeMismatch {
                    field: spec.name.clone(),
                    expected: vec![groups, spec.numel()],
                    found: value.dims().to_vec(),
                });
            }
            if index.insert(spec.name.clone(), i).is_some() {
                return Err(CoreError::config(
                    "params",
                    format!("duplicate parameter name {}", spec.name),
                ));
            }
        }
        Ok(ParamSet {
            specs,
            values,
            index,
            groups,
        })
    }

    /// Fresh parameters for `groups` groups from each spec's initialiser, drawn
    /// on the host from `seed` (the same numbers on every backend). All groups
    /// start equal.
    pub fn initialise(
        specs: &[ParamSpec],
        groups: usize,
        seed: u64,
        device: &Device,
    ) -> Result<Self> {
        let values = initial_values(specs, seed)
            .into_iter()
            .zip(specs)
            .map(|(values, spec)| {
                let flat: Tensor<2> =
                    Tensor::from_data(TensorData::new(values, [1, spec.numel()]), device);
                flat.repeat_dim(0, groups)
            })
            .collect();
        ParamSet::new(specs.to_vec(), values)
    }

    /// Number of groups `G`.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The specs, in order.
    pub fn specs(&self) -> &[ParamSpec] {
        &self.specs
    }

    /// The flat tensors `[G, numel]`, in spec order.
    pub fn values(&self) -> &[Tensor<2>] {
        &self.values
    }

    /// The flat tensor `[G, numel]` of a named parameter.
    pub fn flat(&self, name: &str) -> Result<(&ParamSpec, Tensor<2>)> {
        let &i = self
            .index
            .get(name)
            .ok_or_else(|| CoreError::config("params", format!("no parameter named {name:?}")))?;
        Ok((&self.specs[i], self.values[i].clone()))
    }

    /// A vector parameter as `[G, len]`.
    pub fn vector(&self, name: &str) -> Result<Tensor<2>> {
        let (spec, value) = self.flat(name)?;
        expect_rank(spec, 1)?;
        Ok(value)
    }

    /// A matrix parameter as `[G, rows, cols]`.
    pub fn matrix(&self, name: &str) -> Result<Tensor<3>> {
        let (spec, value) = self.flat(name)?;
        expect_rank(spec, 2)?;
        Ok(value.reshape([self.groups, spec.shape[0], spec.shape[1]]))
    }

    /// The same set with one tensor replaced (same shape `[G, numel]`).
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use hyperinterp_graph_transformer::{Init, ParamSet, ParamSpec};
    /// let d = Device::default();
    /// let set = ParamSet::initialise(&[ParamSpec::new("b", [2], Init::Zeros)], 1, 0, &d)?;
    /// let set = set.with_value("b", Tensor::ones([1, 2], &d))?;
    /// assert_eq!(hyperinterp_core::to_vec(&set.vector("b")?, "b")?, vec![1.0, 1.0]);
    /// assert!(set.clone().with_value("b", Tensor::ones([1, 3], &d)).is_err());
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn with_value(mut self, name: &str, value: Tensor<2>) -> Result<Self> {
        let &i = self
            .index
            .get(name)
            .ok_or_else(|| CoreError::config("params", format!("no parameter named {name:?}")))?;
        if value.dims() != self.values[i].dims() {
            return Err(CoreError::ShapeMismatch {
                field: name.to_string(),
                expected: self.values[i].dims().to_vec(),
                found: value.dims().to_vec(),
            });
        }
        self.values[i] = value;
        Ok(self)
    }

    /// The same parameters on another device.
    pub fn to_device(&self, device: &Device) -> Result<ParamSet> {
        let values = self
            .values
            .iter()
            .map(|v| v.clone().to_device(device))
            .collect();
        ParamSet::new(self.specs.clone(), values)
    }

    /// The parameters of group `g` only (`G = 1`).
    pub fn group(&self, g: usize) -> Result<ParamSet> {
        if g >= self.groups {
            return Err(CoreError::config(
                "group",
                format!("{g} out of range for {} groups", self.groups),
            ));
        }
        let values = self
            .values
            .iter()
            .map(|v| v.clone().narrow(0, g, 1))
            .collect();
        ParamSet::new(self.specs.clone(), values)
    }
}

/// Host-side initial values for each spec, from `seed` (one stream per spec,
/// so adding a parameter does not change the others' values).
///
/// ```
/// use hyperinterp_graph_transformer::{initial_values, Init, ParamSpec};
/// let specs = [ParamSpec::new("a", [3], Init::Normal { std: 1.0 })];
/// assert_eq!(initial_values(&specs, 1), initial_values(&specs, 1));
/// assert_ne!(initial_values(&specs, 1), initial_values(&specs, 2));
/// ```
pub fn initial_values(specs: &[ParamSpec], seed: u64) -> Vec<Vec<f32>> {
    specs
        .iter()
        .map(|spec| {
            let stream = spec.name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ stream);
            spec.init.sample(spec.numel(), &mut rng)
        })
        .collect()
}

fn expect_rank(spec: &ParamSpec, rank: usize) -> Result<()> {
    if spec.shape.len() == rank {
        Ok(())
    } else {
        Err(CoreError::ShapeMismatch {
            field: spec.name.clone(),
            expected: vec![rank],
            found: vec![spec.shape.len()],
        })
    }
}
