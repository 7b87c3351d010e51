//! Every hand-written algorithm of docs/design.md §3 gets its label, and keeps it
//! under the symmetries of the L1 task, unused neurons and weight noise.

mod common;

use common::*;
use hyperinterp_core::{Mlp, Sign};
use hyperinterp_l1::{ConvexityConfig, SHARPNESS};
use hyperinterp_phases::{Algorithm, Classifier, order_parameters};

const SIZES: [usize; 3] = [4, 8, 16];

/// Fewer fitting samples keep the convexity fit quick in debug builds.
fn convexity_config() -> ConvexityConfig {
    ConvexityConfig {
        fit_samples: 1024,
        ..Default::default()
    }
}

/// The hand-written networks at input size `n` (width 3n) with their labels.
fn hand_written(n: usize) -> Vec<(&'static str, Mlp, Algorithm)> {
    let m = 3 * n;
    let mut cases = vec![(
        "double_sided",
        hyperinterp_l1::double_sided(n, m, SHARPNESS).unwrap(),
        Algorithm::DoubleSided,
    )];
    for sign in [Sign::Positive, Sign::Negative] {
        cases.push((
            "pudding",
            hyperinterp_l1::pudding(n, m, sign, SHARPNESS, 1.0).unwrap(),
            Algorithm::Pudding(sign),
        ));
        cases.push((
            "spread_out_pudding",
            hyperinterp_l1::spread_out_pudding(n, m, sign, SHARPNESS, 1.0).unwrap(),
            Algorithm::Pudding(sign),
        ));
    }
    cases.push((
        "convexity",
        hyperinterp_l1::convexity(n, m, &convexity_config()).unwrap(),
        Algorithm::Convexity,
    ));
    cases
}

fn label(net: &Mlp) -> Algorithm {
    Classifier::default()
        .classify(net, nmse_with_refitted_bias(net))
        .unwrap()
        .algorithm
}

/// The pudding sign after flipping inputs: the majority of the flipped sides.
fn flipped_sign(sign: Sign, flips: &[bool]) -> Option<Sign> {
    let flipped = flips.iter().filter(|f| **f).count();
    let kept = flips.len() - flipped;
    let opposite = match sign {
        Sign::Positive => Sign::Negative,
        Sign::Negative => Sign::Positive,
    };
    match kept.cmp(&flipped) {
        std::cmp::Ordering::Greater => Some(sign),
        std::cmp::Ordering::Less => Some(opposite),
        std::cmp::Ordering::Equal => None,
    }
}

#[test]
fn every_hand_written_algorithm_gets_its_label() {
    for n in SIZES {
        for (name, net, expected) in hand_written(n) {
            let result = Classifier::default()
                .classify(&net, nmse_with_refitted_bias(&net))
                .unwrap();
            assert_eq!(
                result.algorithm, expected,
                "{name} at n = {n}: {:?}",
                result.order_parameters
            );
        }
    }
}

#[test]
fn labels_survive_symmetries_unused_neurons_and_noise() {
    let mut rng = rng(3);
    for n in SIZES {
        for (name, net, expected) in hand_written(n) {
            let variants: Vec<(&str, Mlp)> = vec![
                (
                    "hidden permuted",
                    permute_hidden(&net, &shuffled(net.m, &mut rng)),
                ),
                (
                    "inputs permuted",
                    permute_inputs(&net, &shuffled(n, &mut rng)),
                ),
                ("unused neurons added", net.widened(n)),
                ("5% noise", relative_noise(&net, 0.05, &mut rng)),
                (
                    "all at once",
                    relative_noise(
                        &permute_inputs(
                            &permute_hidden(&net.widened(n), &shuffled(net.m + n, &mut rng)),
                            &shuffled(n, &mut rng),
                        ),
                        0.05,
                        &mut rng,
                    ),
                ),
            ];
            for (variant, copy) in variants {
                assert_eq!(label(&copy), expected, "{name} at n = {n}, {variant}");
            }
        }
    }
}

#[test]
fn flipping_inputs_keeps_the_label_and_moves_the_pudding_sign_with_the_majority() {
    let mut rng = rng(4);
    for n in SIZES {
        for (name, net, expected) in hand_written(n) {
            for flips in [
                {
                    let mut one = vec![false; n];
                    one[n - 1] = true;
                    one
                },
                random_flips(n, &mut rng),
            ] {
                let got = label(&flip_inputs(&net, &flips));
                match expected {
                    Algorithm::Pudding(sign) => {
                        assert!(
                            matches!(got, Algorithm::Pudding(_)),
                            "{name} at n = {n}, flips {flips:?}: {got}"
                        );
                        if let Some(majority) = flipped_sign(sign, &flips) {
                            assert_eq!(
                                got,
                                Algorithm::Pudding(majority),
                                "{name} n = {n} {flips:?}"
                            );
                        }
                    }
                    _ => assert_eq!(got, expected, "{name} at n = {n}, flips {flips:?}"),
                }
            }
        }
    }
}

#[test]
fn both_pudding_signs_are_told_apart() {
    for n in SIZES {
        for make in [hyperinterp_l1::pudding, hyperinterp_l1::spread_out_pudding] {
            let positive =
                order_parameters(&make(n, 2 * n, Sign::Positive, SHARPNESS, 1.0).unwrap()).unwrap();
            let negative =
                order_parameters(&make(n, 2 * n, Sign::Negative, SHARPNESS, 1.0).unwrap()).unwrap();
            assert_eq!(positive.majority_side, Some(Sign::Positive));
            assert_eq!(negative.majority_side, Some(Sign::Negative));
        }
    }
}

#[test]
fn one_weak_side_keeps_the_structure_but_not_the_double_sided_label() {
    let mut net = hyperinterp_l1::double_sided(4, 12, SHARPNESS).unwrap();
    let order = order_parameters(&net).unwrap();
    let neuron = |input: usize, side: Sign| {
        order
            .neurons
            .iter()
            .position(|role| role.local() == Some((input, side)))
            .unwrap()
    };
    // Weaken one side of two inputs: the structure stays, the balance goes.
    net.a[neuron(0, Sign::Positive)] *= 0.2;
    net.a[neuron(1, Sign::Negative)] *= 0.2;
    let order = order_parameters(&net).unwrap();
    assert_eq!(order.count_inputs_read_on_both_sides(), 4);
    let balances: Vec<f64> = order.inputs.iter().map(|input| input.balance()).collect();
    assert!((balances[0] - 0.2).abs() < 1e-6, "{balances:?}");
    assert!((balances[1] - 0.2).abs() < 1e-6, "{balances:?}");
    assert!((balances[2] - 1.0).abs() < 1e-9 && (balances[3] - 1.0).abs() < 1e-9);
    assert!((order.double_sidedness - 0.6).abs() < 1e-6);
    assert_ne!(label(&net), Algorithm::DoubleSided);
}
