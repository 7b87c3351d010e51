//! Property tests: on random networks, the order parameters L, D, P (and
//! the convex share K) do not change under the symmetries of the L1 task —
//! permuting hidden neurons, permuting inputs, flipping an input's sign
//! together with its weights — nor when unused neurons are added; the label
//! keeps its kind (the pudding sign may follow the flipped majority).

mod common;

use common::*;
use hyperinterp_core::{Activation, Mlp};
use hyperinterp_phases::{Algorithm, Classifier, OrderParameters, order_parameters};
use proptest::prelude::*;

const TOLERANCE: f64 = 1e-9;

/// Random networks of mixed scales: some neurons sharp, some soft, some
/// with large biases, and a few exact structures (zero weights) so that
/// local neurons and ties occur too.
fn network() -> impl Strategy<Value = Mlp> {
    (
        1usize..=6,
        1usize..=10,
        any::<u64>(),
        0.2f32..4.0,
        0.0f32..3.0,
        any::<bool>(),
    )
        .prop_map(|(n, m, seed, w_scale, b_scale, sparse)| {
            let mut rng = rng(seed);
            let mut net = gaussian_network(n, m, w_scale, b_scale, 0.3, &mut rng);
            if sparse {
                // Zero most weights of some rows: local neurons appear.
                for j in (0..m).step_by(2) {
                    let keep = j % n;
                    for i in 0..n {
                        if i != keep {
                            net.w[j * n + i] *= 0.05;
                        }
                    }
                }
            }
            if seed % 3 == 0 {
                net.activation = Activation::Relu;
            }
            net
        })
}

fn kind(label: Algorithm) -> &'static str {
    match label {
        Algorithm::Pudding(_) => "pudding",
        other => other.name(),
    }
}

fn assert_same(original: &OrderParameters, copy: &OrderParameters, what: &str) {
    for (name, a, b) in [
        ("locality", original.locality, copy.locality),
        (
            "double_sidedness",
            original.double_sidedness,
            copy.double_sidedness,
        ),
        ("pudding_slope", original.pudding_slope, copy.pudding_slope),
        ("convex_share", original.convex_share, copy.convex_share),
        (
            "convex_evidence_share",
            original.convex_evidence_share(),
            copy.convex_evidence_share(),
        ),
    ] {
        assert!((a - b).abs() <= TOLERANCE, "{what}: {name} {a} became {b}");
    }
    let classifier = Classifier::default();
    let (before, after) = (
        classifier.label(original, 0.1).unwrap(),
        classifier.label(copy, 0.1).unwrap(),
    );
    assert_eq!(
        kind(before),
        kind(after),
        "{what}: label {before} became {after}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn permuting_hidden_neurons_changes_nothing(net in network(), seed in any::<u64>()) {
        let copy = permute_hidden(&net, &shuffled(net.m, &mut rng(seed)));
        let (a, b) = (order_parameters(&net).unwrap(), order_parameters(&copy).unwrap());
        assert_same(&a, &b, "hidden permutation");
        prop_assert_eq!(a.majority_side, b.majority_side);
    }

    #[test]
    fn permuting_inputs_changes_nothing(net in network(), seed in any::<u64>()) {
        let copy = permute_inputs(&net, &shuffled(net.n, &mut rng(seed)));
        let (a, b) = (order_parameters(&net).unwrap(), order_parameters(&copy).unwrap());
        assert_same(&a, &b, "input permutation");
        prop_assert_eq!(a.majority_side, b.majority_side);
    }

    #[test]
    fn flipping_input_signs_changes_nothing_but_the_sides(net in network(), seed in any::<u64>()) {
        let flips = random_flips(net.n, &mut rng(seed));
        let copy = flip_inputs(&net, &flips);
        let (a, b) = (order_parameters(&net).unwrap(), order_parameters(&copy).unwrap());
        assert_same(&a, &b, "sign flip");
    }

    #[test]
    fn adding_unused_neurons_changes_nothing(net in network(), extra in 1usize..5) {
        let copy = net.widened(extra);
        let (a, b) = (order_parameters(&net).unwrap(), order_parameters(&copy).unwrap());
        assert_same(&a, &b, "unused neurons");
        prop_assert_eq!(a.majority_side, b.majority_side);
        prop_assert_eq!(b.count_unused(), a.count_unused() + extra);
    }

    #[test]
    fn order_parameters_stay_in_range(net in network()) {
        let order = order_parameters(&net).unwrap();
        for value in [order.locality, order.double_sidedness, order.pudding_slope, order.convex_share] {
            prop_assert!((0.0..=1.0).contains(&value), "{:?}", order);
        }
        // Cauchy–Schwarz: k curvatures sum to at most √k times their norm.
        prop_assert!(order.convex_evidence_share().abs() <= 1.0 + 1e-9, "{:?}", order);
        prop_assert_eq!(order.neurons.len(), net.m);
        prop_assert_eq!(order.inputs.len(), net.n);
        // JSON has no infinities or NaN: every number must survive a round trip.
        let text = serde_json::to_string(&order).unwrap();
        let back: OrderParameters = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back.neurons.len(), order.neurons.len());
    }
}
