//! The hand-written algorithms compute the L1 norm to their documented accuracy.

use burn::tensor::Device;
use hyperinterp_core::{MlpBatch, Sign, Sizes, Task, to_vec};
use hyperinterp_l1::{
    AdamBaselineConfig, ConvexityConfig, InputDistribution, L1Task, SHARPNESS, convexity,
    double_sided, pudding, spread_out_pudding, train_adam,
};

const SAMPLES: usize = 20_000;

#[test]
fn double_sided_and_puddings_are_accurate_at_n_4_and_8() {
    let task = L1Task::default();
    for n in [4, 8] {
        let m = 3 * n;
        let nets = [
            ("double_sided", double_sided(n, m, SHARPNESS).unwrap()),
            (
                "pudding+",
                pudding(n, m, Sign::Positive, SHARPNESS, 1.0).unwrap(),
            ),
            (
                "pudding-",
                pudding(n, m, Sign::Negative, SHARPNESS, 1.0).unwrap(),
            ),
            (
                "spread_out+",
                spread_out_pudding(n, m, Sign::Positive, SHARPNESS, 1.0).unwrap(),
            ),
            (
                "spread_out-",
                spread_out_pudding(n, m, Sign::Negative, SHARPNESS, 0.3).unwrap(),
            ),
        ];
        for (name, net) in nets {
            let nmse = task.nmse_of(&net, SAMPLES, 100 + n as u64).unwrap();
            assert!(nmse < 0.01, "{name} at n = {n}: NMSE {nmse}");
        }
    }
}

#[test]
fn blunt_sharpness_is_measurably_worse() {
    // The test would pass for a network that ignores k; this one would not.
    let task = L1Task::default();
    let sharp = task
        .nmse_of(&double_sided(8, 16, 20.0).unwrap(), SAMPLES, 1)
        .unwrap();
    let blunt = task
        .nmse_of(&double_sided(8, 16, 2.0).unwrap(), SAMPLES, 1)
        .unwrap();
    assert!(blunt > 10.0 * sharp, "blunt {blunt} vs sharp {sharp}");
}

#[test]
fn convexity_is_rough_but_useful() {
    let task = L1Task::default();
    let net = convexity(16, 48, &ConvexityConfig::default()).unwrap();
    let nmse = task.nmse_of(&net, SAMPLES, 7).unwrap();
    assert!(nmse > 0.01 && nmse < 0.5, "NMSE {nmse}");
    assert!(
        net.a.iter().all(|&a| a > 0.0),
        "read-out must be positive (convex)"
    );
}

#[test]
fn widths_below_the_algorithm_are_errors() {
    assert!(double_sided(4, 7, SHARPNESS).is_err());
    assert!(pudding(4, 4, Sign::Positive, SHARPNESS, 1.0).is_err());
    assert!(spread_out_pudding(4, 5, Sign::Positive, SHARPNESS, 1.0).is_err());
    assert!(double_sided(4, 8, -1.0).is_err());
    assert!(double_sided(0, 8, SHARPNESS).is_err());
}

#[test]
fn exact_variance_matches_sampling() {
    for inputs in [InputDistribution::Gaussian, InputDistribution::Uniform] {
        let task = L1Task { inputs };
        let n = 5;
        let xs = task.sample_inputs(200_000, n, 42);
        let ys: Vec<f64> = xs
            .chunks_exact(n)
            .map(|x| f64::from(task.target(x)))
            .collect();
        let mean = ys.iter().sum::<f64>() / ys.len() as f64;
        let var = ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / ys.len() as f64;
        assert!(
            (mean / task.target_mean(n) - 1.0).abs() < 0.01,
            "{inputs:?} mean {mean}"
        );
        assert!(
            (var / task.target_variance(n) - 1.0).abs() < 0.02,
            "{inputs:?} var {var}"
        );
    }
}

#[test]
fn tensor_nmse_matches_host_nmse() {
    #[allow(deprecated)]
    let device = Device::ndarray();
    let task = L1Task::default();
    let net = pudding(6, 10, Sign::Negative, 5.0, 1.0).unwrap();
    let batch = MlpBatch::from_mlps(std::slice::from_ref(&net), &device).unwrap();
    let tensor = to_vec(
        &task.nmse(&batch, task.input_tensor(1, 4096, 6, 9, &device)),
        "nmse",
    )
    .unwrap()[0];
    let host = task.nmse_of(&net, 4096, 9).unwrap();
    assert!(
        (f64::from(tensor) / host - 1.0).abs() < 1e-3,
        "{tensor} vs {host}"
    );
}

#[test]
fn adam_baseline_learns_and_is_reproducible() {
    #[allow(deprecated)]
    let device = Device::ndarray();
    let task = L1Task::default();
    let config = AdamBaselineConfig {
        steps: 1500,
        ..Default::default()
    };
    let sizes = Sizes::new(3, 9).unwrap();
    let first = train_adam(&task, sizes, &config, &device).unwrap();
    let start = first.nmse_history[..10].iter().sum::<f32>() / 10.0;
    let nmse = task.nmse_of(&first.mlp, 5000, 77).unwrap();
    assert!(
        nmse < 0.2 && nmse < 0.5 * f64::from(start),
        "start {start}, end {nmse}"
    );
    let again = train_adam(&task, sizes, &config, &device).unwrap();
    assert_eq!(first.mlp, again.mlp, "same seed, same network");
    let bad = AdamBaselineConfig {
        batch_size: 0,
        ..Default::default()
    };
    let err = train_adam(&task, sizes, &bad, &device).unwrap_err();
    assert!(err.to_string().contains("batch_size"));
}
