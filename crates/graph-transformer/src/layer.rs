//! The graph-transformer layer, in one functional form: [`forward`] takes its
//! parameters as plain tensors with a leading group axis.

use burn::tensor::{Tensor, activation};
use hyperinterp_core::{CoreError, Result, require_at_least_one};
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
        require_at_least_one(&[
            ("width", self.width),
            ("heads", self.heads),
            ("edge_hidden", self.edge_hidden),
            ("feed_forward_hidden", self.feed_forward_hidden),
        ])?;
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
        let d = self.width;
        // Residual branches end in smaller projections so that three layers
        // leave the embedding's scale roughly intact at initialisation.
        let branch_out = 0.5;
        let mut specs = edge_mlp_catalogue(
            &format!("{prefix}edge."),
            d,
            self.edge_hidden,
            d,
            branch_out,
        );
        specs.extend(norm_catalogue(&format!("{prefix}attention.node_norm"), d));
        specs.extend(norm_catalogue(&format!("{prefix}attention.edge_norm"), d));
        let matrix = |name: &str, gain: f64| {
            ParamSpec::new(
                format!("{prefix}attention.{name}"),
                [d, d],
                Init::scaled(d, gain),
            )
        };
        specs.extend([
            matrix("query", 1.0),
            matrix("key", 1.0),
            matrix("value", 1.0),
            matrix("edge_key", 1.0),
            matrix("edge_value", 1.0),
            matrix("out", branch_out),
            ParamSpec::new(format!("{prefix}attention.out_bias"), [d], Init::Zeros),
        ]);
        specs.extend(node_mlp_catalogue(
            &format!("{prefix}feed_forward."),
            d,
            self.feed_forward_hidden,
            d,
            branch_out,
        ));
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

impl NormParams {
    /// Reads `{prefix}.gain` and `{prefix}.shift`.
    pub fn from_set(set: &ParamSet, prefix: &str) -> Result<Self> {
        Ok(NormParams {
            gain: set.vector(&format!("{prefix}.gain"))?,
            shift: set.vector(&format!("{prefix}.shift"))?,
        })
    }
}

/// Catalogue of a LayerNorm named `prefix` (`.gain` ones, `.shift` zeros).
pub fn norm_catalogue(prefix: &str, width: usize) -> Vec<ParamSpec> {
    vec![
        ParamSpec::new(format!("{prefix}.gain"), [width], Init::Ones),
        ParamSpec::new(format!("{prefix}.shift"), [width], Init::Zeros),
    ]
}

/// Parameters of [`edge_mlp`].
#[derive(Clone, Debug)]
pub struct EdgeMlpParams {
    /// Norm of the edge state.
    pub edge_norm: NormParams,
    /// Norm of the end nodes.
    pub node_norm: NormParams,
    /// Edge state → hidden.
    pub from_edge: Tensor<3>,
    /// Target node → hidden.
    pub from_target: Tensor<3>,
    /// Source node → hidden.
    pub from_source: Tensor<3>,
    /// Target node → hidden, multiplied with [`EdgeMlpParams::bilinear_source`].
    pub bilinear_target: Tensor<3>,
    /// Source node → hidden, multiplied with [`EdgeMlpParams::bilinear_target`].
    pub bilinear_source: Tensor<3>,
    /// Hidden bias.
    pub hidden_bias: Tensor<2>,
    /// Hidden → output.
    pub out: Tensor<3>,
    /// Output bias.
    pub out_bias: Tensor<2>,
}

impl EdgeMlpParams {
    /// Reads the parameters of a catalogue built by [`edge_mlp_catalogue`] with the same prefix.
    pub fn from_set(set: &ParamSet, prefix: &str) -> Result<Self> {
        let m = |name: &str| set.matrix(&format!("{prefix}{name}"));
        let v = |name: &str| set.vector(&format!("{prefix}{name}"));
        Ok(EdgeMlpParams {
            edge_norm: NormParams::from_set(set, &format!("{prefix}edge_norm"))?,
            node_norm: NormParams::from_set(set, &format!("{prefix}node_norm"))?,
            from_edge: m("from_edge")?,
            from_target: m("from_target")?,
            from_source: m("from_source")?,
            bilinear_target: m("bilinear_target")?,
            bilinear_source: m("bilinear_source")?,
            hidden_bias: v("hidden_bias")?,
            out: m("out")?,
            out_bias: v("out_bias")?,
        })
    }
}

/// Catalogue of an [`edge_mlp`] from width `d` through `hidden` to `out_width`;
/// `out_gain` scales the output projection's initialisation.
///
/// ```
/// let specs = hyperinterp_graph_transformer::edge_mlp_catalogue("decoder.w.", 32, 32, 2, 1.0);
/// assert!(specs.iter().any(|s| s.name == "decoder.w.out" && s.shape == vec![32, 2]));
/// ```
pub fn edge_mlp_catalogue(
    prefix: &str,
    d: usize,
    hidden: usize,
    out_width: usize,
    out_gain: f64,
) -> Vec<ParamSpec> {
    let mut specs = norm_catalogue(&format!("{prefix}edge_norm"), d);
    specs.extend(norm_catalogue(&format!("{prefix}node_norm"), d));
    let matrix = |name: &str, rows: usize, cols: usize, gain: f64| {
        ParamSpec::new(
            format!("{prefix}{name}"),
            [rows, cols],
            Init::scaled(rows, gain),
        )
    };
    specs.extend([
        matrix("from_edge", d, hidden, 1.0),
        matrix("from_target", d, hidden, 1.0),
        matrix("from_source", d, hidden, 1.0),
        matrix("bilinear_target", d, hidden, 1.0),
        matrix("bilinear_source", d, hidden, 1.0),
        ParamSpec::new(format!("{prefix}hidden_bias"), [hidden], Init::Zeros),
        matrix("out", hidden, out_width, out_gain),
        ParamSpec::new(format!("{prefix}out_bias"), [out_width], Init::Zeros),
    ]);
    specs
}

/// `MLP(LN(e_ts), LN(h_t), LN(h_s))` for every edge of a block: edge states
/// `[G, N, T, S, d]`, target nodes `[G, N, T, d]`, source nodes `[G, N, S, d]`
/// → `[G, N, T, S, out]`. The hidden layer is a sum of linear maps of the
/// three inputs (the concatenation is never materialised) plus a bilinear
/// term `(P h_t) ⊙ (Q h_s)`, then silu and a linear map. The bilinear term
/// lets an edge depend on how its two end nodes match — a hidden neuron
/// choosing its input — which a sum alone expresses only slowly (measured in
/// DESIGN.md §7: NMSE 0.19 against 0.52 after 1.5k steps). It is the edge
/// update of [`forward`] and serves any head that reads an edge and its two
/// end nodes (such as a decoder of weights).
pub fn edge_mlp(
    params: &EdgeMlpParams,
    edges: Tensor<5>,
    targets: Tensor<4>,
    sources: Tensor<4>,
) -> Tensor<5> {
    let targets = layer_norm(targets, &params.node_norm);
    let sources = layer_norm(sources, &params.node_norm);
    let target: Tensor<5> = linear(targets.clone(), &params.from_target, None).unsqueeze_dim(3);
    let source: Tensor<5> = linear(sources.clone(), &params.from_source, None).unsqueeze_dim(2);
    let bilinear_target: Tensor<5> =
        linear(targets, &params.bilinear_target, None).unsqueeze_dim(3);
    let bilinear_source: Tensor<5> =
        linear(sources, &params.bilinear_source, None).unsqueeze_dim(2);
    let hidden = linear(
        layer_norm(edges, &params.edge_norm),
        &params.from_edge,
        Some(&params.hidden_bias),
    ) + target
        + source
        + bilinear_target * bilinear_source;
    linear(
        activation::silu(hidden),
        &params.out,
        Some(&params.out_bias),
    )
}

/// Parameters of [`node_mlp`].
#[derive(Clone, Debug)]
pub struct NodeMlpParams {
    /// Norm of the input.
    pub norm: NormParams,
    /// Input → hidden.
    pub input: Tensor<3>,
    /// Hidden bias.
    pub input_bias: Tensor<2>,
    /// Hidden → output.
    pub out: Tensor<3>,
    /// Output bias.
    pub out_bias: Tensor<2>,
}

impl NodeMlpParams {
    /// Reads the parameters of a catalogue built by [`node_mlp_catalogue`] with the same prefix.
    pub fn from_set(set: &ParamSet, prefix: &str) -> Result<Self> {
        Ok(NodeMlpParams {
            norm: NormParams::from_set(set, &format!("{prefix}norm"))?,
            input: set.matrix(&format!("{prefix}in"))?,
            input_bias: set.vector(&format!("{prefix}in_bias"))?,
            out: set.matrix(&format!("{prefix}out"))?,
            out_bias: set.vector(&format!("{prefix}out_bias"))?,
        })
    }
}

/// Catalogue of a [`node_mlp`] from `d` through `hidden` to `out_width`.
///
/// ```
/// let specs = hyperinterp_graph_transformer::node_mlp_catalogue("decoder.c.", 32, 32, 2, 1.0);
/// assert_eq!(specs.len(), 6);
/// ```
pub fn node_mlp_catalogue(
    prefix: &str,
    d: usize,
    hidden: usize,
    out_width: usize,
    out_gain: f64,
) -> Vec<ParamSpec> {
    let mut specs = norm_catalogue(&format!("{prefix}norm"), d);
    specs.extend([
        ParamSpec::new(format!("{prefix}in"), [d, hidden], Init::scaled(d, 1.0)),
        ParamSpec::new(format!("{prefix}in_bias"), [hidden], Init::Zeros),
        ParamSpec::new(
            format!("{prefix}out"),
            [hidden, out_width],
            Init::scaled(hidden, out_gain),
        ),
        ParamSpec::new(format!("{prefix}out_bias"), [out_width], Init::Zeros),
    ]);
    specs
}

/// `out(silu(in(LN(h))))` on node states `[G, N, S, d]` → `[G, N, S, out]`:
/// the node feed-forward of [`forward`], and any per-node head.
pub fn node_mlp(params: &NodeMlpParams, nodes: Tensor<4>) -> Tensor<4> {
    let inner = linear(
        layer_norm(nodes, &params.norm),
        &params.input,
        Some(&params.input_bias),
    );
    linear(activation::silu(inner), &params.out, Some(&params.out_bias))
}

/// Parameters of the attention step.
#[derive(Clone, Debug)]
pub struct AttentionParams {
    /// Attention heads.
    pub heads: usize,
    /// Norm of the nodes.
    pub node_norm: NormParams,
    /// Norm of the edges.
    pub edge_norm: NormParams,
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
    /// Output projection.
    pub out: Tensor<3>,
    /// Output bias.
    pub out_bias: Tensor<2>,
}

/// One layer's parameters as plain tensors with a leading group axis `G`
/// (matrices `[G, d_in, d_out]`, vectors `[G, len]`), read from a [`ParamSet`].
#[derive(Clone, Debug)]
pub struct LayerParams {
    /// The edge update.
    pub edge_update: EdgeMlpParams,
    /// The attention along edges.
    pub attention: AttentionParams,
    /// The node feed-forward.
    pub feed_forward: NodeMlpParams,
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
    /// assert_eq!(layer.attention.query.dims(), [2, 32, 32]);
    /// # Ok::<(), hyperinterp_core::CoreError>(())
    /// ```
    pub fn from_set(set: &ParamSet, config: &GraphTransformerConfig, prefix: &str) -> Result<Self> {
        let m = |name: &str| set.matrix(&format!("{prefix}attention.{name}"));
        Ok(LayerParams {
            edge_update: EdgeMlpParams::from_set(set, &format!("{prefix}edge."))?,
            attention: AttentionParams {
                heads: config.heads,
                node_norm: NormParams::from_set(set, &format!("{prefix}attention.node_norm"))?,
                edge_norm: NormParams::from_set(set, &format!("{prefix}attention.edge_norm"))?,
                query: m("query")?,
                key: m("key")?,
                value: m("value")?,
                edge_key: m("edge_key")?,
                edge_value: m("edge_value")?,
                out: m("out")?,
                out_bias: set.vector(&format!("{prefix}attention.out_bias"))?,
            },
            feed_forward: NodeMlpParams::from_set(set, &format!("{prefix}feed_forward."))?,
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
    let edges: Vec<Tensor<5>> = edges
        .into_iter()
        .enumerate()
        .map(|(l, e)| {
            let update = edge_mlp(
                &params.edge_update,
                e.clone(),
                nodes[l + 1].clone(),
                nodes[l].clone(),
            );
            e + update
        })
        .collect();

    // 2. Attention along edges, all nodes reading the same (pre-update) states.
    let attention = &params.attention;
    let normed: Vec<Tensor<4>> = nodes
        .iter()
        .map(|h| layer_norm(h.clone(), &attention.node_norm))
        .collect();
    let project = |weight: &Tensor<3>| -> Vec<Tensor<4>> {
        normed
            .iter()
            .map(|h| linear(h.clone(), weight, None))
            .collect()
    };
    let (queries, keys, values) = (
        project(&attention.query),
        project(&attention.key),
        project(&attention.value),
    );
    let normed_edges: Vec<Tensor<5>> = edges
        .iter()
        .map(|e| layer_norm(e.clone(), &attention.edge_norm))
        .collect();
    let edge_keys: Vec<Tensor<5>> = normed_edges
        .iter()
        .map(|e| linear(e.clone(), &attention.edge_key, None))
        .collect();
    let edge_values: Vec<Tensor<5>> = normed_edges
        .into_iter()
        .map(|e| linear(e, &attention.edge_value, None))
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
                attention.heads,
            );
            let h = h + linear(attended, &attention.out, Some(&attention.out_bias));

            // 3. Node feed-forward.
            h.clone() + node_mlp(&params.feed_forward, h)
        })
        .collect();

    MlpGraph { nodes, edges }
}
