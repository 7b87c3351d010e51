//! The graph-transformer layer, in one functional form: [`forward`] takes its
//! parameters as plain tensors with a leading group axis.

use burn::tensor::{Tensor, activation};
use hyperinterp_core::{CoreError, Result};
use serde::{Deserialize, Serialize};

use crate::graph::MlpGraph;
use crate::params::{Init, ParamSet, ParamSpec};

const LAYER_NORM_EPSILON: f64 = 1e-5;

/// Sizes of the graph transformer.
///
/// ```
/// use hyperinterp_graph_transformer::GraphTransformerConfig;
/// let config = GraphTransformerConfig::default();
/// assert_eq!((config.width, config.heads, config.layers), (32, 4, 3));
/// assert!(GraphTransformerConfig { heads: 5, ..config }.validate().is_err()); // 32 % 5 != 0
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraphTransformerConfig {
    /// State width `d` of every node and edge.
    pub width: usize,
    /// Attention heads (must divide `width`).
    pub heads: usize,
    /// Hidden width of the edge-update MLP.
    pub edge_hidden: usize,
    /// Hidden width of the node feed-forward.
    pub feed_forward_hidden: usize,
    /// Number of layers.
    pub layers: usize,
}

impl Default for GraphTransformerConfig {
    fn default() -> Self {
        GraphTransformerConfig {
            width: 32,
            heads: 4,
            edge_hidden: 32,
            feed_forward_hidden: 64,
            layers: 3,
        }
    }
}

impl GraphTransformerConfig {
    /// Errors naming the first field out of range.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in [
            ("width", self.width),
            ("heads", self.heads),
            ("edge_hidden", self.edge_hidden),
            ("feed_forward_hidden", self.feed_forward_hidden),
        ] {
            if value == 0 {
                return Err(CoreError::config(field, "must be at least 1"));
            }
        }
        if !self.width.is_multiple_of(self.heads) {
            return Err(CoreError::config(
                "heads",
                format!("must divide width {}, got {}", self.width, self.heads),
            ));
        }
        Ok(())
    }

    /// The catalogue of one layer's parameters, names prefixed by `prefix`.
    ///
    /// ```
    /// use hyperinterp_graph_transformer::GraphTransformerConfig;
    /// let specs = GraphTransformerConfig::default().layer_catalogue("layers.0.");
    /// assert!(specs.iter().any(|s| s.name == "layers.0.attention.query" && s.shape == vec![32, 32]));
    /// ```
    pub fn layer_catalogue(&self, prefix: &str) -> Vec<ParamSpec> {
        let (d, eh, ff) = (self.width, self.edge_hidden, self.feed_forward_hidden);
        // Residual branches end in smaller projections so that three layers
        // leave the embedding's scale roughly intact at initialisation.
        let branch_out = 0.5;
        let mut specs = Vec::new();
        let norm = |specs: &mut Vec<ParamSpec>, name: &str| {
            specs.push(ParamSpec::new(
                format!("{prefix}{name}.gain"),
                [d],
                Init::Ones,
            ));
            specs.push(ParamSpec::new(
                format!("{prefix}{name}.shift"),
                [d],
                Init::Zeros,
            ));
        };
        norm(&mut specs, "edge.edge_norm");
        norm(&mut specs, "edge.node_norm");
        norm(&mut specs, "attention.node_norm");
        norm(&mut specs, "attention.edge_norm");
        norm(&mut specs, "feed_forward.norm");
        let matrix = |name: &str, rows: usize, cols: usize, gain: f64| {
            ParamSpec::new(
                format!("{prefix}{name}"),
                [rows, cols],
                Init::scaled(rows, gain),
            )
        };
        let bias =
            |name: &str, len: usize| ParamSpec::new(format!("{prefix}{name}"), [len], Init::Zeros);
        specs.extend([
            matrix("edge.from_edge", d, eh, 1.0),
            matrix("edge.from_target", d, eh, 1.0),
            matrix("edge.from_source", d, eh, 1.0),
            bias("edge.hidden_bias", eh),
            matrix("edge.out", eh, d, branch_out),
            bias("edge.out_bias", d),
            matrix("attention.query", d, d, 1.0),
            matrix("attention.key", d, d, 1.0),
            matrix("attention.value", d, d, 1.0),
            matrix("attention.edge_key", d, d, 1.0),
            matrix("attention.edge_value", d, d, 1.0),
            matrix("attention.out", d, d, branch_out),
            bias("attention.out_bias", d),
            matrix("feed_forward.in", d, ff, 1.0),
            bias("feed_forward.in_bias", ff),
            matrix("feed_forward.out", ff, d, branch_out),
            bias("feed_forward.out_bias", d),
        ]);
        specs
    }

    /// The catalogue of all layers (`layers.{l}.…`).
    ///
    /// ```
    /// use hyperinterp_graph_transformer::GraphTransformerConfig;
    /// let config = GraphTransformerConfig::default();
    /// let one = config.layer_catalogue("x").len();
    /// assert_eq!(config.catalogue().len(), 3 * one);
    /// ```
    pub fn catalogue(&self) -> Vec<ParamSpec> {
        (0..self.layers)
            .flat_map(|l| self.layer_catalogue(&format!("layers.{l}.")))
            .collect()
    }
}

/// A LayerNorm's gain and shift, `[G, d]` each.
#[derive(Clone, Debug)]
pub struct NormParams {
    /// Gain.
    pub gain: Tensor<2>,
    /// Shift.
    pub shift: Tensor<2>,
}

/// One layer's parameters as plain tensors with a leading group axis `G`
/// (matrices `[G, d_in, d_out]`, vectors `[G, len]`), read from a [`ParamSet`].
#[derive(Clone, Debug)]
pub struct LayerParams {
    /// Attention heads.
    pub heads: usize,
    /// Norm of the edge state in the edge update.
    pub edge_norm: NormParams,
    /// Norm of the end nodes in the edge update.
    pub edge_node_norm: NormParams,
    /// Edge update: edge state → hidden.
    pub edge_from_edge: Tensor<3>,
    /// Edge update: target node → hidden.
    pub edge_from_target: Tensor<3>,
    /// Edge update: source node → hidden.
    pub edge_from_source: Tensor<3>,
    /// Edge update hidden bias.
    pub edge_hidden_bias: Tensor<2>,
    /// Edge update: hidden → edge state.
    pub edge_out: Tensor<3>,
    /// Edge update output bias.
    pub edge_out_bias: Tensor<2>,
    /// Norm of the nodes before attention.
    pub attention_node_norm: NormParams,
    /// Norm of the edges before attention.
    pub attention_edge_norm: NormParams,
    /// Query projection.
    pub query: Tensor<3>,
    /// Key projection of neighbour nodes.
    pub key: Tensor<3>,
    /// Value projection of neighbour nodes.
    pub value: Tensor<3>,
    /// Edge term added to keys.
    pub edge_key: Tensor<3>,
    /// Edge term added to values.
    pub edge_value: Tensor<3>,
    /// Attention output projection.
    pub attention_out: Tensor<3>,
    /// Attention output bias.
    pub attention_out_bias: Tensor<2>,
    /// Norm before the feed-forward.
    pub feed_forward_norm: NormParams,
    /// Feed-forward input projection.
    pub feed_forward_in: Tensor<3>,
    /// Feed-forward hidden bias.
    pub feed_forward_in_bias: Tensor<2>,
    /// Feed-forward output projection.
    pub feed_forward_out: Tensor<3>,
    /// Feed-forward output bias.
    pub feed_forward_out_bias: Tensor<2>,
}

impl LayerParams {
    /// Reads layer `prefix` (e.g. `layers.0.`) of a catalogue built by
    /// [`GraphTransformerConfig::layer_catalogue`].
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use hyperinterp_graph_transformer::{GraphTransformerConfig, LayerParams, ParamSet};
    /// let config = GraphTransformerConfig::default();
    /// let set = ParamSet::initialise(&config.catalogue(), 2, 0, &Device::default())?;
    /// let layer = LayerParams::from_set(&set, &config, "layers.1.")?;
    /// assert_eq!(layer.query.dims(), [2, 32, 32]);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn from_set(set: &ParamSet, config: &GraphTransformerConfig, prefix: &str) -> Result<Self> {
        let m = |name: &str| set.matrix(&format!("{prefix}{name}"));
        let v = |name: &str| set.vector(&format!("{prefix}{name}"));
        let norm = |name: &str| -> Result<NormParams> {
            Ok(NormParams {
                gain: v(&format!("{name}.gain"))?,
                shift: v(&format!("{name}.shift"))?,
            })
        };
        Ok(LayerParams {
            heads: config.heads,
            edge_norm: norm("edge.edge_norm")?,
            edge_node_norm: norm("edge.node_norm")?,
            edge_from_edge: m("edge.from_edge")?,
            edge_from_target: m("edge.from_target")?,
            edge_from_source: m("edge.from_source")?,
            edge_hidden_bias: v("edge.hidden_bias")?,
            edge_out: m("edge.out")?,
            edge_out_bias: v("edge.out_bias")?,
            attention_node_norm: norm("attention.node_norm")?,
            attention_edge_norm: norm("attention.edge_norm")?,
            query: m("attention.query")?,
            key: m("attention.key")?,
            value: m("attention.value")?,
            edge_key: m("attention.edge_key")?,
            edge_value: m("attention.edge_value")?,
            attention_out: m("attention.out")?,
            attention_out_bias: v("attention.out_bias")?,
            feed_forward_norm: norm("feed_forward.norm")?,
            feed_forward_in: m("feed_forward.in")?,
            feed_forward_in_bias: v("feed_forward.in_bias")?,
            feed_forward_out: m("feed_forward.out")?,
            feed_forward_out_bias: v("feed_forward.out_bias")?,
        })
    }
}

/// A `[G, len]` vector reshaped to broadcast against a rank-`D` tensor `[G, .., len]`.
pub fn per_group<const D: usize>(vector: &Tensor<2>) -> Tensor<D> {
    let [groups, len] = vector.dims();
    let mut shape = [1usize; D];
    shape[0] = groups;
    shape[D - 1] = len;
    vector.clone().reshape(shape)
}

/// Group-wise affine map: `x [G, .., d_in] @ weight [G, d_in, d_out] (+ bias [G, d_out])`.
/// A weight with `G = 1` is shared by every group.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use hyperinterp_graph_transformer::linear;
/// let d = Device::default();
/// let x: Tensor<4> = Tensor::ones([2, 3, 5, 4], &d);
/// let w: Tensor<3> = Tensor::ones([2, 4, 6], &d);
/// assert_eq!(linear(x, &w, None).dims(), [2, 3, 5, 6]);
/// ```
pub fn linear<const D: usize>(
    x: Tensor<D>,
    weight: &Tensor<3>,
    bias: Option<&Tensor<2>>,
) -> Tensor<D> {
    let dims = x.dims();
    let [_, d_in, d_out] = weight.dims();
    let flat: Tensor<3> = x.reshape([dims[0] as i32, -1, d_in as i32]);
    let mut out = flat.matmul(weight.clone());
    if let Some(bias) = bias {
        out = out + bias.clone().unsqueeze_dim(1);
    }
    let mut shape = dims;
    shape[D - 1] = d_out;
    out.reshape(shape)
}

/// LayerNorm over the last axis with per-group gain and shift.
pub fn layer_norm<const D: usize>(x: Tensor<D>, norm: &NormParams) -> Tensor<D> {
    let mean = x.clone().mean_dim(D - 1);
    let centered = x - mean;
    let variance = (centered.clone() * centered.clone()).mean_dim(D - 1);
    let normalised = centered / (variance + LAYER_NORM_EPSILON).sqrt();
    normalised * per_group::<D>(&norm.gain) + per_group::<D>(&norm.shift)
}

/// Multi-head attention of each node over its own neighbour set:
/// queries `[G, N, S, d]`, keys and values `[G, N, S, K, d]` → `[G, N, S, d]`.
fn attend(queries: Tensor<4>, keys: Tensor<5>, values: Tensor<5>, heads: usize) -> Tensor<4> {
    let [g, n, s, k, d] = keys.dims();
    let head_width = d / heads;
    let queries: Tensor<6> = queries.reshape([g, n, s, 1, heads, head_width]);
    let keys: Tensor<6> = keys.reshape([g, n, s, k, heads, head_width]);
    let values: Tensor<6> = values.reshape([g, n, s, k, heads, head_width]);
    let logits = (queries * keys).sum_dim(5) / (head_width as f64).sqrt(); // [g, n, s, k, h, 1]
    let weights = activation::softmax(logits, 3);
    (weights * values).sum_dim(3).reshape([g, n, s, d])
}

/// One graph-transformer layer (pre-norm residual, equivariant to permutations
/// of the nodes within each layer of the MLP):
///
/// 1. edge update `e_ts += out(silu(A LN(e_ts) + B LN(h_t) + C LN(h_s) + bias))`,
///    a sum of linear maps (the concatenation is never materialised);
/// 2. attention along edges: every node attends over its neighbours in the
///    adjacent layers (a hidden node over its inputs and the output, an input
///    over the hidden nodes, the output over the hidden nodes) with logits
///    `q . (k + E_k LN(e))` and values `v + E_v LN(e)`, multi-head;
/// 3. node feed-forward.
///
/// Each group `g` runs with its own parameters `params[g]`.
///
/// ```
/// use burn::tensor::{Device, Distribution, Tensor};
/// use hyperinterp_graph_transformer::{forward, GraphTransformerConfig, LayerParams, MlpGraph, ParamSet};
/// let device = Device::default();
/// let config = GraphTransformerConfig { width: 8, heads: 2, ..Default::default() };
/// let set = ParamSet::initialise(&config.catalogue(), 2, 0, &device)?;
/// let params = LayerParams::from_set(&set, &config, "layers.0.")?;
/// let mut graph = MlpGraph::zeros(2, 3, &[4, 12, 1], 8, &device)?;
/// graph.nodes[1] = Tensor::random([2, 3, 12, 8], Distribution::Normal(0.0, 1.0), &device);
/// let out = forward(&params, graph);
/// assert_eq!(out.nodes[1].dims(), [2, 3, 12, 8]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn forward(params: &LayerParams, graph: MlpGraph) -> MlpGraph {
    let MlpGraph { nodes, edges } = graph;
    let depth = nodes.len();

    // 1. Edge update.
    let edge_nodes: Vec<Tensor<4>> = nodes
        .iter()
        .map(|h| layer_norm(h.clone(), &params.edge_node_norm))
        .collect();
    let edges: Vec<Tensor<5>> = edges
        .into_iter()
        .enumerate()
        .map(|(l, e)| {
            let target: Tensor<5> =
                linear(edge_nodes[l + 1].clone(), &params.edge_from_target, None).unsqueeze_dim(3);
            let source: Tensor<5> =
                linear(edge_nodes[l].clone(), &params.edge_from_source, None).unsqueeze_dim(2);
            let hidden = linear(
                layer_norm(e.clone(), &params.edge_norm),
                &params.edge_from_edge,
                Some(&params.edge_hidden_bias),
            ) + target
                + source;
            e + linear(
                activation::silu(hidden),
                &params.edge_out,
                Some(&params.edge_out_bias),
            )
        })
        .collect();

    // 2. Attention along edges, all nodes reading the same (pre-update) states.
    let normed: Vec<Tensor<4>> = nodes
        .iter()
        .map(|h| layer_norm(h.clone(), &params.attention_node_norm))
        .collect();
    let project = |weight: &Tensor<3>| -> Vec<Tensor<4>> {
        normed
            .iter()
            .map(|h| linear(h.clone(), weight, None))
            .collect()
    };
    let (queries, keys, values) = (
        project(&params.query),
        project(&params.key),
        project(&params.value),
    );
    let normed_edges: Vec<Tensor<5>> = edges
        .iter()
        .map(|e| layer_norm(e.clone(), &params.attention_edge_norm))
        .collect();
    let edge_keys: Vec<Tensor<5>> = normed_edges
        .iter()
        .map(|e| linear(e.clone(), &params.edge_key, None))
        .collect();
    let edge_values: Vec<Tensor<5>> = normed_edges
        .into_iter()
        .map(|e| linear(e, &params.edge_value, None))
        .collect();

    let nodes: Vec<Tensor<4>> = nodes
        .into_iter()
        .enumerate()
        .map(|(l, h)| {
            let mut key_parts: Vec<Tensor<5>> = Vec::with_capacity(2);
            let mut value_parts: Vec<Tensor<5>> = Vec::with_capacity(2);
            if l > 0 {
                // Incoming block l-1: this layer's nodes are its rows.
                key_parts.push(edge_keys[l - 1].clone() + keys[l - 1].clone().unsqueeze_dim(2));
                value_parts
                    .push(edge_values[l - 1].clone() + values[l - 1].clone().unsqueeze_dim(2));
            }
            if l + 1 < depth {
                // Outgoing block l: this layer's nodes are its columns.
                key_parts.push(
                    edge_keys[l].clone().swap_dims(2, 3) + keys[l + 1].clone().unsqueeze_dim(2),
                );
                value_parts.push(
                    edge_values[l].clone().swap_dims(2, 3) + values[l + 1].clone().unsqueeze_dim(2),
                );
            }
            let attended = attend(
                queries[l].clone(),
                Tensor::cat(key_parts, 3),
                Tensor::cat(value_parts, 3),
                params.heads,
            );
            let h = h + linear(
                attended,
                &params.attention_out,
                Some(&params.attention_out_bias),
            );

            // 3. Node feed-forward.
            let inner = linear(
                layer_norm(h.clone(), &params.feed_forward_norm),
                &params.feed_forward_in,
                Some(&params.feed_forward_in_bias),
            );
            h.clone()
                + linear(
                    activation::silu(inner),
                    &params.feed_forward_out,
                    Some(&params.feed_forward_out_bias),
                )
        })
        .collect();

    MlpGraph { nodes, edges }
}
