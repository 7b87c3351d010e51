//! Equivariance, size-independence, group independence and gradient flow of
//! the graph-transformer layer, on the ndarray backend.

use burn::tensor::{Device, Int, Tensor, TensorData};
use hyperinterp_core::to_vec;
use hyperinterp_graph_transformer::{
    AttentionScaling, GraphTransformer, GraphTransformerConfig, LayerParams, MlpGraph, ParamSet,
    forward,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

fn device() -> Device {
    #[allow(deprecated)]
    Device::ndarray()
}

fn random<const D: usize>(shape: [usize; D], rng: &mut ChaCha8Rng, device: &Device) -> Tensor<D> {
    let count = shape.iter().product();
    let values: Vec<f32> = (0..count).map(|_| rng.sample(StandardNormal)).collect();
    Tensor::from_data(TensorData::new(values, shape), device)
}

fn config() -> GraphTransformerConfig {
    GraphTransformerConfig {
        width: 8,
        heads: 2,
        edge_hidden: 8,
        feed_forward_hidden: 16,
        layers: 2,
        ..Default::default()
    }
}

/// Initialised parameters plus noise everywhere, so that no tensor (norm
/// gains, biases) sits at a special value that could hide a bug.
fn random_params(groups: usize, seed: u64, device: &Device) -> ParamSet {
    let specs = config().catalogue();
    let base = ParamSet::initialise(&specs, groups, seed, device).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1000);
    let values = base
        .values()
        .iter()
        .map(|v| v.clone() + random(v.dims(), &mut rng, device) * 0.2)
        .collect();
    ParamSet::new(specs, values).unwrap()
}

fn random_graph(
    groups: usize,
    networks: usize,
    sizes: &[usize],
    seed: u64,
    device: &Device,
) -> MlpGraph {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let d = config().width;
    let nodes = sizes
        .iter()
        .map(|&s| random([groups, networks, s, d], &mut rng, device))
        .collect();
    let edges = sizes
        .windows(2)
        .map(|p| random([groups, networks, p[1], p[0], d], &mut rng, device))
        .collect();
    MlpGraph::new(nodes, edges).unwrap()
}

fn run(set: &ParamSet, graph: MlpGraph) -> MlpGraph {
    (0..config().layers).fold(graph, |graph, l| {
        forward(
            &LayerParams::from_set(set, &config(), &format!("layers.{l}.")).unwrap(),
            graph,
        )
    })
}

fn assert_close<const D: usize>(a: &Tensor<D>, b: &Tensor<D>, what: &str) {
    assert_eq!(a.dims(), b.dims(), "{what}: shapes");
    let (a, b) = (to_vec(a, what).unwrap(), to_vec(b, what).unwrap());
    let worst = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "{what}: max difference {worst}");
}

fn permutation(len: usize, seed: u64, device: &Device) -> Tensor<1, Int> {
    let mut order: Vec<i64> = (0..len as i64).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    // A shuffle that happens to be the identity would prove nothing.
    if order.iter().enumerate().all(|(i, &o)| i as i64 == o) {
        order.rotate_left(1);
    }
    Tensor::from_data(TensorData::new(order, [len]), device)
}

#[test]
fn permuting_input_nodes_permutes_the_output() {
    let device = device();
    let set = random_params(2, 1, &device);
    let graph = random_graph(2, 3, &[5, 7, 1], 2, &device);
    let p = permutation(5, 3, &device);
    let mut permuted = graph.clone();
    permuted.nodes[0] = permuted.nodes[0].clone().select(2, p.clone());
    permuted.edges[0] = permuted.edges[0].clone().select(3, p.clone());
    let out = run(&set, graph);
    let out_p = run(&set, permuted);
    assert_close(
        &out_p.nodes[0],
        &out.nodes[0].clone().select(2, p.clone()),
        "inputs",
    );
    assert_close(&out_p.nodes[1], &out.nodes[1], "hidden");
    assert_close(&out_p.nodes[2], &out.nodes[2], "output");
    assert_close(
        &out_p.edges[0],
        &out.edges[0].clone().select(3, p),
        "input->hidden edges",
    );
    assert_close(&out_p.edges[1], &out.edges[1], "hidden->output edges");
}

#[test]
fn permuting_hidden_nodes_permutes_the_output() {
    let device = device();
    let set = random_params(2, 4, &device);
    let graph = random_graph(2, 2, &[3, 6, 1], 5, &device);
    let p = permutation(6, 6, &device);
    let mut permuted = graph.clone();
    permuted.nodes[1] = permuted.nodes[1].clone().select(2, p.clone());
    permuted.edges[0] = permuted.edges[0].clone().select(2, p.clone());
    permuted.edges[1] = permuted.edges[1].clone().select(3, p.clone());
    let out = run(&set, graph);
    let out_p = run(&set, permuted);
    assert_close(&out_p.nodes[0], &out.nodes[0], "inputs");
    assert_close(
        &out_p.nodes[1],
        &out.nodes[1].clone().select(2, p.clone()),
        "hidden",
    );
    assert_close(&out_p.nodes[2], &out.nodes[2], "output");
    assert_close(
        &out_p.edges[0],
        &out.edges[0].clone().select(2, p.clone()),
        "input->hidden edges",
    );
    assert_close(
        &out_p.edges[1],
        &out.edges[1].clone().select(3, p),
        "hidden->output edges",
    );
}

#[test]
fn one_parameter_set_serves_many_sizes() {
    let device = device();
    let set = random_params(1, 7, &device);
    for sizes in [[1usize, 1, 1], [1, 3, 1], [5, 2, 1], [16, 48, 1]] {
        let out = run(&set, random_graph(1, 2, &sizes, 8, &device));
        assert_eq!(out.layer_sizes(), sizes.to_vec());
        for layer in &out.nodes {
            assert!(
                to_vec(layer, "nodes")
                    .unwrap()
                    .iter()
                    .all(|v| v.is_finite()),
                "{sizes:?}"
            );
        }
    }
    // Deeper MLPs are the same code: a graph with two hidden layers.
    let deep = run(&set, random_graph(1, 2, &[4, 6, 5, 1], 9, &device));
    assert_eq!(deep.layer_sizes(), vec![4, 6, 5, 1]);
}

#[test]
fn groups_are_independent() {
    let device = device();
    let set = random_params(3, 10, &device);
    let graph = random_graph(3, 2, &[4, 5, 1], 11, &device);
    let out = run(&set, graph.clone());

    // Change group 1's parameters and graph only.
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let bump = |t: Tensor<2>, rng: &mut ChaCha8Rng| {
        let [g, len] = t.dims();
        let mut mask = vec![0.0f32; g * len];
        mask[len..2 * len]
            .iter_mut()
            .for_each(|m| *m = rng.sample(StandardNormal));
        t + Tensor::from_data(TensorData::new(mask, [g, len]), &device)
    };
    let values = set
        .values()
        .iter()
        .map(|v| bump(v.clone(), &mut rng))
        .collect();
    let changed_set = ParamSet::new(set.specs().to_vec(), values).unwrap();
    let mut changed_graph = graph;
    let noise = random([1, 2, 5, 8], &mut rng, &device);
    let hidden = changed_graph.nodes[1].clone();
    changed_graph.nodes[1] = hidden.clone().slice_assign(
        [1..2, 0..2, 0..5, 0..8],
        hidden.slice([1..2, 0..2, 0..5, 0..8]) + noise,
    );
    let changed = run(&changed_set, changed_graph);

    for g in [0usize, 2] {
        for l in 0..3 {
            assert_close(
                &changed.nodes[l].clone().narrow(0, g, 1),
                &out.nodes[l].clone().narrow(0, g, 1),
                &format!("group {g} layer {l}"),
            );
        }
    }
    let moved = (changed.nodes[1].clone().narrow(0, 1, 1) - out.nodes[1].clone().narrow(0, 1, 1))
        .abs()
        .max()
        .into_scalar::<f32>();
    assert!(moved > 1e-3, "group 1 should have changed");
}

#[test]
fn gradient_reaches_every_parameter_tensor() {
    let device = device().autodiff();
    let base = random_params(2, 13, &device);
    let values: Vec<Tensor<2>> = base
        .values()
        .iter()
        .map(|v| v.clone().detach().require_grad())
        .collect();
    let set = ParamSet::new(base.specs().to_vec(), values.clone()).unwrap();
    let out = run(&set, random_graph(2, 2, &[3, 4, 1], 14, &device));
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    // A random linear read-out of every output tensor, so no gradient cancels by symmetry.
    let mut scalar = Tensor::<1>::zeros([1], &device);
    for t in &out.nodes {
        scalar = scalar + (t.clone() * random(t.dims(), &mut rng, &device)).sum();
    }
    for t in &out.edges {
        scalar = scalar + (t.clone() * random(t.dims(), &mut rng, &device)).sum();
    }
    let grads = scalar.backward();
    for (spec, value) in base.specs().iter().zip(&values) {
        let grad = value
            .grad(&grads)
            .unwrap_or_else(|| panic!("no gradient for {}", spec.name));
        let size = grad.abs().max().into_scalar::<f32>();
        assert!(size > 0.0, "gradient of {} is all zero", spec.name);
    }
}

#[test]
fn module_wrapper_uses_the_same_function() {
    let device = device();
    let model = GraphTransformer::new(config(), 21, &device).unwrap();
    let graph = random_graph(1, 2, &[3, 5, 1], 22, &device);
    let through_module = model.forward(graph.clone()).unwrap();
    let through_function = run(&model.param_set().unwrap(), graph);
    for l in 0..3 {
        assert_close(
            &through_module.nodes[l],
            &through_function.nodes[l],
            "module vs function",
        );
    }
    assert!(matches!(
        GraphTransformer::new(
            GraphTransformerConfig {
                heads: 3,
                ..config()
            },
            0,
            &device
        ),
        Err(hyperinterp_core::CoreError::InvalidConfig { .. })
    ));
}

/// The layer as first written, step by step (edge keys and values
/// materialised for every edge, LayerNorm gains applied to the edges): the
/// oracle for the fused form in the crate, which must compute the same.
mod reference {
    use burn::tensor::{Tensor, activation};
    use hyperinterp_graph_transformer::{
        AttentionScaling, EdgeMlpParams, LayerParams, MlpGraph, NormParams, layer_norm, linear,
        node_mlp,
    };

    fn edge_mlp(p: &EdgeMlpParams, e: Tensor<5>, t: Tensor<4>, s: Tensor<4>) -> Tensor<5> {
        let t = layer_norm(t, &p.node_norm);
        let s = layer_norm(s, &p.node_norm);
        let hidden = linear(
            layer_norm(e, &p.edge_norm),
            &p.from_edge,
            Some(&p.hidden_bias),
        ) + linear(t.clone(), &p.from_target, None).unsqueeze_dim(3)
            + linear(s.clone(), &p.from_source, None).unsqueeze_dim(2)
            + linear(t, &p.bilinear_target, None).unsqueeze_dim::<5>(3)
                * linear(s, &p.bilinear_source, None).unsqueeze_dim::<5>(2);
        linear(activation::silu(hidden), &p.out, Some(&p.out_bias))
    }

    fn attend(
        q: Tensor<4>,
        k: Tensor<5>,
        v: Tensor<5>,
        heads: usize,
        scaling: AttentionScaling,
    ) -> Tensor<4> {
        let [g, n, s, kk, d] = k.dims();
        let hw = d / heads;
        let q: Tensor<6> = q.reshape([g, n, s, 1, heads, hw]);
        let k: Tensor<6> = k.reshape([g, n, s, kk, heads, hw]);
        let v: Tensor<6> = v.reshape([g, n, s, kk, heads, hw]);
        let temperature = match scaling {
            AttentionScaling::Constant => 1.0,
            AttentionScaling::LogNeighbours => (kk as f64).ln(),
        };
        let logits = (q * k).sum_dim(5) * temperature / (hw as f64).sqrt();
        let w = activation::softmax(logits, 3);
        (w * v).sum_dim(3).reshape([g, n, s, d])
    }

    pub fn forward(p: &LayerParams, graph: MlpGraph) -> MlpGraph {
        let MlpGraph { nodes, edges } = graph;
        let depth = nodes.len();
        let edges: Vec<Tensor<5>> = edges
            .into_iter()
            .enumerate()
            .map(|(l, e)| {
                let update = edge_mlp(
                    &p.edge_update,
                    e.clone(),
                    nodes[l + 1].clone(),
                    nodes[l].clone(),
                );
                e + update
            })
            .collect();
        let a = &p.attention;
        let norm = |x: &Tensor<4>, n: &NormParams| layer_norm(x.clone(), n);
        let normed: Vec<Tensor<4>> = nodes.iter().map(|h| norm(h, &a.node_norm)).collect();
        let project = |w: &Tensor<3>| -> Vec<Tensor<4>> {
            normed.iter().map(|h| linear(h.clone(), w, None)).collect()
        };
        let (queries, keys, values) = (project(&a.query), project(&a.key), project(&a.value));
        let normed_edges: Vec<Tensor<5>> = edges
            .iter()
            .map(|e| layer_norm(e.clone(), &a.edge_norm))
            .collect();
        let edge_keys: Vec<Tensor<5>> = normed_edges
            .iter()
            .map(|e| linear(e.clone(), &a.edge_key, None))
            .collect();
        let edge_values: Vec<Tensor<5>> = normed_edges
            .iter()
            .map(|e| linear(e.clone(), &a.edge_value, None))
            .collect();
        let nodes = nodes
            .into_iter()
            .enumerate()
            .map(|(l, h)| {
                let (mut kp, mut vp): (Vec<Tensor<5>>, Vec<Tensor<5>>) = (vec![], vec![]);
                if l > 0 {
                    kp.push(edge_keys[l - 1].clone() + keys[l - 1].clone().unsqueeze_dim(2));
                    vp.push(edge_values[l - 1].clone() + values[l - 1].clone().unsqueeze_dim(2));
                }
                if l + 1 < depth {
                    kp.push(
                        edge_keys[l].clone().swap_dims(2, 3) + keys[l + 1].clone().unsqueeze_dim(2),
                    );
                    vp.push(
                        edge_values[l].clone().swap_dims(2, 3)
                            + values[l + 1].clone().unsqueeze_dim(2),
                    );
                }
                let attended = attend(
                    queries[l].clone(),
                    Tensor::cat(kp, 3),
                    Tensor::cat(vp, 3),
                    a.heads,
                    a.scaling,
                );
                let h = h + linear(attended, &a.out, Some(&a.out_bias));
                h.clone() + node_mlp(&p.feed_forward, h)
            })
            .collect();
        MlpGraph { nodes, edges }
    }
}

#[test]
fn forward_computes_what_the_layer_as_first_written_computes() {
    let device = device();
    let cases = [(vec![4, 12, 1], 3u64), (vec![3, 5, 4, 1], 4)];
    for ((sizes, seed), scaling) in cases.iter().flat_map(|case| {
        [AttentionScaling::Constant, AttentionScaling::LogNeighbours].map(|s| (case, s))
    }) {
        let set = random_params(2, *seed, &device);
        let config = GraphTransformerConfig {
            attention_scaling: scaling,
            ..config()
        };
        let params = LayerParams::from_set(&set, &config, "layers.0.").unwrap();
        let graph = random_graph(2, 3, sizes, seed + 10, &device);
        let fused = forward(&params, graph.clone());
        let oracle = reference::forward(&params, graph);
        for (a, b) in fused.nodes.iter().zip(&oracle.nodes) {
            assert_close(a, b, "nodes");
        }
        for (a, b) in fused.edges.iter().zip(&oracle.edges) {
            assert_close(a, b, "edges");
        }
    }
}

#[test]
fn log_neighbours_scaling_changes_the_attention_and_nothing_else() {
    let device = device();
    let set = random_params(1, 5, &device);
    let graph = random_graph(1, 2, &[4, 12, 1], 15, &device);
    let run_with = |scaling| {
        let config = GraphTransformerConfig {
            attention_scaling: scaling,
            ..config()
        };
        forward(
            &LayerParams::from_set(&set, &config, "layers.0.").unwrap(),
            graph.clone(),
        )
    };
    let (constant, scaled) = (
        run_with(AttentionScaling::Constant),
        run_with(AttentionScaling::LogNeighbours),
    );
    // The edge update reads the nodes before attention: the same either way.
    for (a, b) in constant.edges.iter().zip(&scaled.edges) {
        assert_close(a, b, "edges");
    }
    for (a, b) in constant.nodes.iter().zip(&scaled.nodes) {
        let difference = (a.clone() - b.clone()).abs().max().into_scalar::<f32>();
        assert!(difference > 1e-3, "{difference}");
    }
}
