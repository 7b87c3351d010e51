//! [`GraphTransformer`]: the layers with fixed, owned parameters — a `Module`
//! built on the same functional [`forward`](crate::forward).

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};
use hyperinterp_core::Result;

use crate::graph::MlpGraph;
use crate::layer::{GraphTransformerConfig, LayerParams, forward};
use crate::params::{ParamSet, ParamSpec};

/// A [`ParamSet`] with one group held as trainable `Param`s: the owned
/// parameters of any model whose code reads a `ParamSet`.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_graph_transformer::{Init, OwnedParams, ParamSet, ParamSpec};
/// let specs = vec![ParamSpec::new("w", [2, 2], Init::Ones)];
/// let owned = OwnedParams::new(ParamSet::initialise(&specs, 1, 0, &Device::default())?)?;
/// assert_eq!(owned.param_set()?.matrix("w")?.dims(), [1, 2, 2]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Module, Debug)]
pub struct OwnedParams {
    /// One flat `[1, numel]` tensor per catalogue entry, in catalogue order.
    params: Vec<Param<Tensor<2>>>,
    #[module(skip)]
    specs: Vec<ParamSpec>,
}

impl OwnedParams {
    /// Takes ownership of a one-group set.
    pub fn new(set: ParamSet) -> Result<Self> {
        if set.groups() != 1 {
            return Err(hyperinterp_core::CoreError::config(
                "params",
                format!("owned parameters hold one group, got {}", set.groups()),
            ));
        }
        Ok(OwnedParams {
            params: set
                .values()
                .iter()
                .cloned()
                .map(Param::from_tensor)
                .collect(),
            specs: set.specs().to_vec(),
        })
    }

    /// The current values as a one-group [`ParamSet`].
    pub fn param_set(&self) -> Result<ParamSet> {
        ParamSet::new(
            self.specs.clone(),
            self.params.iter().map(Param::val).collect(),
        )
    }

    /// The catalogue.
    pub fn specs(&self) -> &[ParamSpec] {
        &self.specs
    }
}

/// A stack of graph-transformer layers whose parameters are owned `Param`s
/// (one group, shared by every group of the graph it is applied to).
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_graph_transformer::{GraphTransformer, GraphTransformerConfig, MlpGraph};
/// let device = Device::default();
/// let model = GraphTransformer::new(GraphTransformerConfig::default(), 0, &device)?;
/// let graph = MlpGraph::zeros(1, 2, &[3, 9, 1], 32, &device)?;
/// let out = model.forward(graph)?;
/// assert_eq!(out.layer_sizes(), vec![3, 9, 1]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Module, Debug)]
pub struct GraphTransformer {
    params: OwnedParams,
    #[module(skip)]
    config: GraphTransformerConfig,
}

impl GraphTransformer {
    /// Initialises every parameter from the catalogue, drawing from `seed`.
    pub fn new(config: GraphTransformerConfig, seed: u64, device: &Device) -> Result<Self> {
        config.validate()?;
        let set = ParamSet::initialise(&config.catalogue(), 1, seed, device)?;
        Ok(GraphTransformer {
            params: OwnedParams::new(set)?,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &GraphTransformerConfig {
        &self.config
    }

    /// The current parameters as a one-group [`ParamSet`].
    pub fn param_set(&self) -> Result<ParamSet> {
        self.params.param_set()
    }

    /// Runs every layer.
    pub fn forward(&self, graph: MlpGraph) -> Result<MlpGraph> {
        let set = self.param_set()?;
        (0..self.config.layers).try_fold(graph, |graph, l| {
            let params = LayerParams::from_set(&set, &self.config, &format!("layers.{l}."))?;
            Ok(forward(&params, graph))
        })
    }
}
