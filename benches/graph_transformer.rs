//! Forward + backward of the graph-transformer layers at the paper's size:
//! G = 8 groups, N = 4 networks, (n, m) = (16, 48), d = 32, 4 heads, 3 layers.
//!
//! `cargo bench --bench graph_transformer`

use burn::tensor::{Distribution, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use hyperinterp::graph_transformer::{
    GraphTransformerConfig, LayerParams, MlpGraph, ParamSet, forward,
};

fn bench(c: &mut Criterion) {
    let device = hyperinterp::backend::from_env()
        .expect("a backend is compiled in")
        .autodiff();
    let config = GraphTransformerConfig::default();
    let (groups, networks, n, m) = (8, 4, 16, 48);
    let specs = config.catalogue();
    let base = ParamSet::initialise(&specs, groups, 0, &device).expect("valid catalogue");
    let mut group = c.benchmark_group("graph_transformer");
    group.sample_size(10);
    group.bench_function("forward_backward_G8_N4_n16_m48_d32_L3", |b| {
        b.iter(|| {
            let values = base
                .values()
                .iter()
                .map(|v| v.clone().detach().require_grad())
                .collect();
            let set = ParamSet::new(specs.clone(), values).expect("same specs");
            let d = config.width;
            let random = |shape: [usize; 4]| {
                Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), &device)
            };
            let graph = MlpGraph::new(
                vec![
                    random([groups, networks, n, d]),
                    random([groups, networks, m, d]),
                    random([groups, networks, 1, d]),
                ],
                vec![
                    Tensor::random(
                        [groups, networks, m, n, d],
                        Distribution::Normal(0.0, 1.0),
                        &device,
                    ),
                    Tensor::random(
                        [groups, networks, 1, m, d],
                        Distribution::Normal(0.0, 1.0),
                        &device,
                    ),
                ],
            )
            .expect("consistent shapes");
            let out = (0..config.layers).fold(graph, |graph, l| {
                let params = LayerParams::from_set(&set, &config, &format!("layers.{l}."))
                    .expect("catalogue");
                forward(&params, graph)
            });
            let loss = out.nodes[1].clone().sum() + out.edges[0].clone().powf_scalar(2.0).mean();
            loss.backward()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
