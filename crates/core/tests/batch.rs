//! The plain-Rust and the tensor forward passes agree, and conversions round-trip.

use approx::assert_relative_eq;
use burn::tensor::{Device, Tensor, TensorData};
use hyperinterp_core::{Activation, CoreError, Mlp, MlpBatch, to_vec};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

fn random_mlps(seed: u64, count: usize, n: usize, m: usize, activation: Activation) -> Vec<Mlp> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let mut normal =
                |len: usize| -> Vec<f32> { (0..len).map(|_| rng.sample(StandardNormal)).collect() };
            let (w, b, a, c) = (normal(n * m), normal(m), normal(m), normal(1)[0]);
            Mlp::new(n, m, w, b, a, c, activation).unwrap()
        })
        .collect()
}

#[test]
fn tensor_forward_matches_plain_forward() {
    #[allow(deprecated)]
    let device = Device::ndarray();
    for (activation, n, m) in [
        (Activation::Swish, 3, 5),
        (Activation::Relu, 1, 2),
        (Activation::Swish, 16, 48),
    ] {
        let nets = random_mlps(11, 4, n, m, activation);
        let batch = MlpBatch::from_mlps(&nets, &device).unwrap();
        let samples = 9;
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let xs: Vec<f32> = (0..4 * samples * n)
            .map(|_| rng.sample(StandardNormal))
            .collect();
        let inputs = Tensor::<3>::from_data(TensorData::new(xs.clone(), [4, samples, n]), &device);
        let out = to_vec(&batch.forward(inputs), "out").unwrap();
        for (k, net) in nets.iter().enumerate() {
            for s in 0..samples {
                let x = &xs[(k * samples + s) * n..(k * samples + s + 1) * n];
                assert_relative_eq!(
                    out[k * samples + s],
                    net.forward(x).unwrap(),
                    epsilon = 1e-4,
                    max_relative = 1e-4
                );
            }
        }
    }
}

#[test]
fn batch_round_trip_is_exact_and_checks_consistency() {
    #[allow(deprecated)]
    let device = Device::ndarray();
    let nets = random_mlps(2, 3, 4, 6, Activation::Relu);
    let batch = MlpBatch::from_mlps(&nets, &device).unwrap();
    assert_eq!(batch.len(), 3);
    assert_eq!(batch.to_mlps().unwrap(), nets);

    let mut mixed = nets.clone();
    mixed.push(random_mlps(1, 1, 4, 7, Activation::Relu).remove(0));
    assert!(matches!(
        MlpBatch::from_mlps(&mixed, &device),
        Err(CoreError::MixedBatch { index: 3, .. })
    ));
    assert!(matches!(
        MlpBatch::from_mlps(&[], &device),
        Err(CoreError::Empty)
    ));

    // NaN produced on the device is caught on the way back.
    let mut poisoned = batch.clone();
    poisoned.c = poisoned.c / 0.0 * 0.0;
    assert!(matches!(
        poisoned.to_mlps(),
        Err(CoreError::NonFinite { .. })
    ));
}
