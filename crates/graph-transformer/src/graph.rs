//! [`MlpGraph`]: the state of a batch of MLP graphs as dense tensors.

use burn::tensor::{Device, Tensor};
use hyperinterp_core::{CoreError, Result};

/// The graphs of `G × N` MLPs (G groups — one per beta — of N networks), as
/// dense tensors: node states per layer of the MLP and edge states for each
/// dense block between consecutive layers.
///
/// * `nodes[l]`: `[G, N, size_l, d]`; layer 0 holds the inputs, the last the outputs.
/// * `edges[l]`: `[G, N, size_{l+1}, size_l, d]`, the block from layer `l` to
///   `l + 1`, indexed like a weight matrix `W[target, source]`.
///
/// A two-layer MLP has layers `[n, m, 1]` and blocks input→hidden `[.., m, n, d]`
/// and hidden→output `[.., 1, m, d]`; deeper MLPs just have more entries.
///
/// ```
/// use burn::tensor::Device;
/// use hyperinterp_graph_transformer::MlpGraph;
/// let g = MlpGraph::zeros(2, 3, &[4, 12, 1], 8, &Device::default())?;
/// assert_eq!(g.layer_sizes(), vec![4, 12, 1]);
/// assert_eq!(g.edges[0].dims(), [2, 3, 12, 4, 8]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct MlpGraph {
    /// Node states per layer, `[G, N, size_l, d]`.
    pub nodes: Vec<Tensor<4>>,
    /// Edge states per block, `[G, N, size_{l+1}, size_l, d]`.
    pub edges: Vec<Tensor<5>>,
}

impl MlpGraph {
    /// Checks that the shapes fit together: at least two layers, one edge
    /// block between each pair, shared `G`, `N` and `d`, every layer non-empty.
    pub fn new(nodes: Vec<Tensor<4>>, edges: Vec<Tensor<5>>) -> Result<Self> {
        if nodes.len() < 2 {
            return Err(CoreError::config(
                "nodes",
                "a graph needs at least an input and an output layer",
            ));
        }
        if edges.len() + 1 != nodes.len() {
            return Err(CoreError::config(
                "edges",
                format!(
                    "{} node layers need {} edge blocks, got {}",
                    nodes.len(),
                    nodes.len() - 1,
                    edges.len()
                ),
            ));
        }
        let [g, n, _, d] = nodes[0].dims();
        for (l, layer) in nodes.iter().enumerate() {
            let [lg, ln, size, ld] = layer.dims();
            if (lg, ln, ld) != (g, n, d) || size == 0 {
                return Err(CoreError::ShapeMismatch {
                    field: format!("nodes[{l}]"),
                    expected: vec![g, n, size.max(1), d],
                    found: layer.dims().to_vec(),
                });
            }
        }
        for (l, block) in edges.iter().enumerate() {
            let expected = [g, n, nodes[l + 1].dims()[2], nodes[l].dims()[2], d];
            if block.dims() != expected {
                return Err(CoreError::ShapeMismatch {
                    field: format!("edges[{l}]"),
                    expected: expected.to_vec(),
                    found: block.dims().to_vec(),
                });
            }
        }
        Ok(MlpGraph { nodes, edges })
    }

    /// All-zero states for `groups × networks` graphs with the given layer sizes.
    pub fn zeros(
        groups: usize,
        networks: usize,
        layer_sizes: &[usize],
        d: usize,
        device: &Device,
    ) -> Result<Self> {
        let nodes = layer_sizes
            .iter()
            .map(|&size| Tensor::zeros([groups, networks, size, d], device))
            .collect();
        let edges = layer_sizes
            .windows(2)
            .map(|pair| Tensor::zeros([groups, networks, pair[1], pair[0], d], device))
            .collect();
        MlpGraph::new(nodes, edges)
    }

    /// Number of groups `G`.
    pub fn groups(&self) -> usize {
        self.nodes[0].dims()[0]
    }

    /// Networks per group `N`.
    pub fn networks(&self) -> usize {
        self.nodes[0].dims()[1]
    }

    /// State width `d`.
    pub fn width(&self) -> usize {
        self.nodes[0].dims()[3]
    }

    /// Nodes per layer, e.g. `[n, m, 1]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        self.nodes.iter().map(|layer| layer.dims()[2]).collect()
    }

    /// The same graphs with every tensor detached from the autodiff graph.
    pub fn detach(self) -> Self {
        MlpGraph {
            nodes: self.nodes.into_iter().map(Tensor::detach).collect(),
            edges: self.edges.into_iter().map(Tensor::detach).collect(),
        }
    }
}
