//! The graph-transformer layer alone, outside any hypernetwork: the graph of
//! four MLPs with n = 8 inputs and m = 24 hidden units, random input-node
//! features, and what comes out on the edges after two layers.
//!
//! `cargo run --release --example graph_transformer`

use burn::tensor::{Device, Distribution, Tensor};
use hyperinterp::core::Result;
use hyperinterp::graph_transformer::{GraphTransformer, GraphTransformerConfig, MlpGraph};

fn main() -> Result<()> {
    let device = Device::default();
    let config = GraphTransformerConfig {
        width: 16,
        heads: 2,
        layers: 2,
        ..Default::default()
    };
    let model = GraphTransformer::new(config, 42, &device)?;
    // One group (one beta), four networks; node layers of 8, 24 and 1 nodes.
    let mut graph = MlpGraph::zeros(1, 4, &[8, 24, 1], 16, &device)?;
    graph.nodes[0] = Tensor::random([1, 4, 8, 16], Distribution::Normal(0.0, 1.0), &device);
    let out = model.forward(graph)?;
    // Edges between the inputs and the hidden units: [group, network, m, n, width].
    println!("input→hidden edges: {:?}", out.edges[0].dims());
    println!("hidden→output edges: {:?}", out.edges[1].dims());
    println!("hidden nodes: {:?}", out.nodes[1].dims());
    Ok(())
}
