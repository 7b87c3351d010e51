//! The graph-transformer layer, in one functional form: [`forward`] takes its
//! parameters as plain tensors with a leading group axis.

use burn::tensor::{Tensor, TensorData, activation};
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
    /// How attention logits follow a node's neighbour count.
    pub attention_scaling: AttentionScaling,
}

/// How attention logits follow the number of neighbours `K` a node attends
/// over (its inputs and output, say, which grow with the network's size).
///
/// ```
/// use hyperinterp_graph_transformer::{AttentionScaling, GraphTransformerConfig};
/// let config: GraphTransformerConfig =
///     serde_json::from_str(r#"{"attention_scaling": "log_neighbours"}"#).unwrap();
/// assert_eq!(config.attention_scaling, AttentionScaling::LogNeighbours);
/// assert_eq!(GraphTransformerConfig::default().attention_scaling, AttentionScaling::Constant);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionScaling {
    /// `q · k / √(d/h)`: a neighbour whose logit stands out by a fixed
    /// amount gets a smaller share of the attention the more neighbours
    /// there are, so a node reads its own input more faintly at larger n.
    #[default]
    Constant,
    /// `ln K · q · k / √(d/h)` (scalable softmax): a neighbour leading the
    /// others by `δ` gets the share `K^δ / (K^δ + K − 1)`, which for `δ > 1`
    /// grows towards 1 with `K` instead of fading, so what a node learned to
    /// read at the trained sizes it still reads at larger ones.
    LogNeighbours,
}

impl Default for GraphTransformerConfig {
    fn default() -> Self {
        GraphTransformerConfig {
            width: 32,
            heads: 4,
            edge_hidden: 32,
            feed_forward_hidden: 64,
            layers: 3,
            attention_scaling: AttentionScaling::Constant,
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
/// docs/design.md §7: NMSE 0.19 against 0.52 after 1.5k steps). It is the edge
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
    let hidden = normalised_linear(
        normalise(edges),
        &params.edge_norm,
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
    /// How the logits follow the neighbour count.
    pub scaling: AttentionScaling,
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
                scaling: config.attention_scaling,
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
    normalise(x) * per_group::<D>(&norm.gain) + per_group::<D>(&norm.shift)
}

/// LayerNorm without gain and shift: zero mean, unit variance over the last axis.
fn normalise<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let mean = x.clone().mean_dim(D - 1);
    let centered = x - mean;
    let variance = (centered.clone() * centered.clone()).mean_dim(D - 1);
    centered / (variance + LAYER_NORM_EPSILON).sqrt()
}

/// `linear(layer_norm(x, norm), weight, bias)` from the normalised `x`: the
/// gain and shift are folded into the (small) weight and bias instead of
/// being applied to every edge, which saves two passes over the largest
/// tensors, forward and backward.
fn normalised_linear<const D: usize>(
    normalised: Tensor<D>,
    norm: &NormParams,
    weight: &Tensor<3>,
    bias: Option<&Tensor<2>>,
) -> Tensor<D> {
    let [_, _, d_out] = weight.dims();
    let scaled = norm.gain.clone().unsqueeze_dim::<3>(2) * weight.clone();
    let shifted: Tensor<2> = norm
        .shift
        .clone()
        .unsqueeze_dim::<3>(1)
        .matmul(weight.clone())
        .reshape([-1, d_out as i32]);
    let bias = match bias {
        Some(bias) => shifted + bias.clone(),
        None => shifted,
    };
    linear(normalised, &scaled, Some(&bias))
}

/// One neighbour block of a node layer, oriented so that the layer's nodes
/// are its rows: normalised edge states `[G, N, S, K, d]` and the
/// neighbours' keys and values `[G, N, K, d]`.
struct NeighbourBlock {
    edges: Tensor<5>,
    keys: Tensor<4>,
    values: Tensor<4>,
}

/// `mask[h, j] = 1` where feature `j` belongs to head `h`.
fn head_mask(heads: usize, width: usize, device: &burn::tensor::Device) -> Tensor<2> {
    let head_width = width / heads;
    let values: Vec<f32> = (0..heads * width)
        .map(|i| f32::from(u8::from((i % width) / head_width == i / width)))
        .collect();
    Tensor::from_data(TensorData::new(values, [heads, width]), device)
}

/// Multi-head attention of each node (queries `[G, N, S, d]`) over the
/// neighbours of all its blocks, with logits `q · (k + E_k LN(e)) / √(d/h)`
/// (times `ln K` with [`AttentionScaling::LogNeighbours`])
/// and values `v + E_v LN(e)` per head → `[G, N, S, d]`.
///
/// The edge terms are never materialised per edge: `q_h · (LN(e) E_k)_h =
/// ê · (γ ⊙ E_k q_h)` plus a term equal for all neighbours (softmax drops
/// it), and `Σ_k w_k (LN(e_k) E_v)_h = ((Σ_k w_k ê_k) ⊙ γ + β) E_v` restricted
/// to head h (the weights sum to one). So the edges are read by two small
/// batched matrix products per block instead of being projected to keys and
/// values of width d.
fn attend(
    queries: Tensor<4>,
    blocks: Vec<NeighbourBlock>,
    attention: &AttentionParams,
) -> Tensor<4> {
    let [g, n, s, d] = queries.dims();
    let heads = attention.heads;
    let head_width = d / heads;
    let scale = 1.0 / (head_width as f64).sqrt();
    let mask: Tensor<5> = head_mask(heads, d, &queries.device()).reshape([1, 1, 1, heads, d]);
    let gain = per_group::<5>(&attention.edge_norm.gain);

    // γ ⊙ E_k q_h for each head: [G, N, S, h, d], transposed for the product.
    let per_head: Tensor<5> = queries.clone().unsqueeze_dim::<5>(3) * mask.clone();
    let edge_queries = (linear(per_head, &attention.edge_key.clone().swap_dims(1, 2), None)
        * gain.clone())
    .swap_dims(3, 4);
    let query_heads = queries
        .reshape([g, n, s, heads, head_width])
        .swap_dims(2, 3);

    let widths: Vec<usize> = blocks.iter().map(|b| b.keys.dims()[2]).collect();
    let logits: Vec<Tensor<5>> = blocks
        .iter()
        .zip(&widths)
        .map(|(block, &k)| {
            let keys = block
                .keys
                .clone()
                .reshape([g, n, k, heads, head_width])
                .permute([0, 1, 3, 4, 2]);
            // [G, N, h, S, K] → [G, N, S, K, h]
            let node_logits = query_heads.clone().matmul(keys).permute([0, 1, 3, 4, 2]);
            let edge_logits = block.edges.clone().matmul(edge_queries.clone());
            (node_logits + edge_logits) * scale
        })
        .collect();
    let mut logits = Tensor::cat(logits, 3); // [G, N, S, K, h]
    if attention.scaling == AttentionScaling::LogNeighbours {
        logits = logits * (widths.iter().sum::<usize>() as f64).ln();
    }
    let weights = activation::softmax(logits, 3);

    let mut offset = 0;
    // Per block: the weighted neighbour values [G, N, h, S, d/h] and the
    // weighted sum of normalised edges [G, N, S, h, d], summed over blocks.
    let parts = blocks.into_iter().zip(widths).map(|(block, k)| {
        let w = weights.clone().narrow(3, offset, k);
        offset += k;
        let values = block
            .values
            .reshape([g, n, k, heads, head_width])
            .swap_dims(2, 3);
        let from_nodes = w.clone().permute([0, 1, 4, 2, 3]).matmul(values);
        (from_nodes, w.swap_dims(3, 4).matmul(block.edges))
    });
    let Some((node_part, edge_part)) = parts.reduce(|(a, b), (c, e)| (a + c, b + e)) else {
        // A node without neighbours attends to nothing.
        return Tensor::zeros([g, n, s, d], &gain.device());
    };
    let averaged_edges = edge_part * gain + per_group::<5>(&attention.edge_norm.shift);
    let edge_values = (linear(averaged_edges, &attention.edge_value, None) * mask)
        .sum_dim(3)
        .reshape([g, n, s, d]);
    node_part.swap_dims(2, 3).reshape([g, n, s, d]) + edge_values
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
    let normed_edges: Vec<Tensor<5>> = edges.iter().map(|e| normalise(e.clone())).collect();

    let nodes: Vec<Tensor<4>> = nodes
        .into_iter()
        .enumerate()
        .map(|(l, h)| {
            let mut blocks = Vec::with_capacity(2);
            if l > 0 {
                // Incoming block l-1: this layer's nodes are its rows.
                blocks.push(NeighbourBlock {
                    edges: normed_edges[l - 1].clone(),
                    keys: keys[l - 1].clone(),
                    values: values[l - 1].clone(),
                });
            }
            if l + 1 < depth {
                // Outgoing block l: this layer's nodes are its columns.
                blocks.push(NeighbourBlock {
                    edges: normed_edges[l].clone().swap_dims(2, 3),
                    keys: keys[l + 1].clone(),
                    values: values[l + 1].clone(),
                });
            }
            let attended = attend(queries[l].clone(), blocks, attention);
            let h = h + linear(attended, &attention.out, Some(&attention.out_bias));

            // 3. Node feed-forward.
            h.clone() + node_mlp(&params.feed_forward, h)
        })
        .collect();

    MlpGraph { nodes, edges }
}
