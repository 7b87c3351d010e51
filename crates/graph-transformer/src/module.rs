//! [`GraphTransformer`]: the layers with fixed, owned parameters — a `Module`
//! built on the same functional [`forward`](crate::forward).

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor};
use hyperinterp_core::Result;

use crate::graph::MlpGraph;
use crate::layer::{GraphTransformerConfig, LayerParams, forward};
use crate::params::{ParamSet, ParamSpec};

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
    /// One flat `[1, numel]` tensor per catalogue entry, in catalogue order.
    params: Vec<Param<Tensor<2>>>,
    #[module(skip)]
    specs: Vec<ParamSpec>,
    #[module(skip)]
    config: GraphTransformerConfig,
}

impl GraphTransformer {
    /// Initialises every parameter from the catalogue, drawing from `seed`.
    pub fn new(config: GraphTransformerConfig, seed: u64, device: &Device) -> Result<Self> {
        config.validate()?;
        let specs = config.catalogue();
        let set = ParamSet::initialise(&specs, 1, seed, device)?;
        let params = set
            .values()
            .iter()
            .cloned()
            .map(Param::from_tensor)
            .collect();
        Ok(GraphTransformer {
            params,
            specs,
            config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &GraphTransformerConfig {
        &self.config
    }

    /// The current parameters as a one-group [`ParamSet`].
    pub fn param_set(&self) -> Result<ParamSet> {
        ParamSet::new(
            self.specs.clone(),
            self.params.iter().map(Param::val).collect(),
        )
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
