//! # hyperinterp-graph-transformer
//!
//! Graph-transformer layers over the graph of an MLP. The state of `G × N`
//! MLP graphs (G groups, one per beta; N networks each) is an [`MlpGraph`] of
//! dense node and edge tensors — the graph of an MLP is complete between
//! layers, so dense blocks are both simpler and faster than edge lists. The
//! layer exists in one functional form, [`forward`], whose parameters
//! ([`LayerParams`]) are plain tensors with a leading group axis, so each
//! group can run with its own weights (handed in by the Pareto
//! hyperhypernetwork); [`GraphTransformer`] is a `Module` with owned
//! parameters built on that same function. The parameter catalogue
//! ([`GraphTransformerConfig::catalogue`], a list of [`ParamSpec`]) names every
//! tensor, its shape and initialiser, once.
//!
//! The layer is equivariant to permutations of the nodes within each MLP
//! layer (no positional encodings), and works for any sizes, `n = 1` included.
//!
//! ```
//! use burn::tensor::{Device, Distribution, Tensor};
//! use hyperinterp_graph_transformer::{GraphTransformer, GraphTransformerConfig, MlpGraph};
//! let device = Device::default();
//! let config = GraphTransformerConfig { width: 16, heads: 2, layers: 2, ..Default::default() };
//! let model = GraphTransformer::new(config, 42, &device)?;
//! let mut graph = MlpGraph::zeros(1, 4, &[8, 24, 1], 16, &device)?; // n = 8, m = 24
//! graph.nodes[0] = Tensor::random([1, 4, 8, 16], Distribution::Normal(0.0, 1.0), &device);
//! let out = model.forward(graph)?;
//! assert_eq!(out.edges[0].dims(), [1, 4, 24, 8, 16]);
//! # Ok::<(), hyperinterp_core::CoreError>(())
//! ```

pub mod graph;
pub mod layer;
pub mod module;
pub mod params;

pub use graph::MlpGraph;
pub use layer::{
    AttentionParams, AttentionScaling, EdgeMlpParams, GraphTransformerConfig, LayerParams,
    NodeMlpParams, NormParams, edge_mlp, edge_mlp_catalogue, forward, layer_norm, linear, node_mlp,
    node_mlp_catalogue, norm_catalogue, per_group,
};
pub use module::{GraphTransformer, OwnedParams};
pub use params::{Init, ParamSet, ParamSpec, initial_values};
