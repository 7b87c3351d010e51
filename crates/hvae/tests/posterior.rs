//! The single-network posterior fit: the objective `NMSE + beta · KL` it
//! minimises, and the comparison of algorithms it is used for.

use burn::tensor::Device;
use hyperinterp_core::{Beta, CoreError, Sign, Sizes, Task, to_vec};
use hyperinterp_graph_transformer::ParamSet;
use hyperinterp_hvae::{
    HypernetworkConfig, Noise, PosteriorFitConfig, PriorWidths, RefinementConfig, catalogue,
    fit_posterior, fit_posteriors, generate, refine,
};
use hyperinterp_l1::{L1Task, NanTargets, double_sided, spread_out_pudding};

fn device() -> Device {
    // The crates' tests keep the person's named backend tested.
    #[allow(deprecated)]
    Device::ndarray()
}

fn quick() -> PosteriorFitConfig {
    PosteriorFitConfig {
        steps: 300,
        learning_rate: 3e-2,
        evaluation_draws: 16,
        evaluation_inputs: 1024,
        ..Default::default()
    }
}

#[test]
fn a_higher_price_buys_a_shorter_description_at_a_higher_error() {
    let task = L1Task::default();
    let start = double_sided(3, 6, 4.0).unwrap();
    let cheap =
        fit_posterior(&task, &start, Beta::new(1e-6).unwrap(), &quick(), &device()).unwrap();
    let dear = fit_posterior(&task, &start, Beta::new(1e-2).unwrap(), &quick(), &device()).unwrap();
    assert!(dear.kl < 0.5 * cheap.kl, "KL {} vs {}", dear.kl, cheap.kl);
    assert!(dear.nmse_sampled > cheap.nmse_sampled);
    // At a negligible price the fit keeps (and sharpens) the accurate start.
    let start_nmse = task.nmse_of(&start, 20_000, 3).unwrap();
    assert!(
        cheap.nmse_mean < start_nmse,
        "{} vs {start_nmse}",
        cheap.nmse_mean
    );
    // The posterior's stds are positive and the mean network is the start's shape.
    assert!(cheap.std.w.iter().all(|&s| s > 0.0));
    assert_eq!(cheap.mean.sizes(), start.sizes());
    assert_eq!(cheap.sampled.len(), quick().evaluation_draws);
    let mean_of_draws = cheap.sampled_nmse.iter().sum::<f64>() / cheap.sampled_nmse.len() as f64;
    assert!((mean_of_draws - cheap.nmse_sampled).abs() < 1e-9);
}

#[test]
fn the_pudding_describes_the_same_function_more_cheaply_than_double_sided() {
    // Both compute x tanh(k x / 2) per input; the pudding needs n sharp
    // neurons and a cheap linear counterweight, double-sided 2n sharp ones.
    let task = L1Task::default();
    let beta = Beta::new(1e-4).unwrap();
    let double = fit_posterior(
        &task,
        &double_sided(4, 8, 4.0).unwrap(),
        beta,
        &quick(),
        &device(),
    )
    .unwrap();
    let pudding = spread_out_pudding(4, 8, Sign::Positive, 4.0, 1.0).unwrap();
    let pudding = fit_posterior(&task, &pudding, beta, &quick(), &device()).unwrap();
    assert!(
        pudding.free_energy() < double.free_energy(),
        "pudding {} (KL {}) vs double-sided {} (KL {})",
        pudding.free_energy(),
        pudding.kl,
        double.free_energy(),
        double.kl
    );
    assert!(pudding.kl < double.kl);
}

#[test]
fn the_fit_prices_against_the_widened_prior() {
    // One step at a negligible learning rate: the posterior is the start's
    // mean with the initial std, so the KL's change has a closed form.
    let start = double_sided(2, 4, 4.0).unwrap();
    let beta = Beta::new(1e-3).unwrap();
    let still = PosteriorFitConfig {
        steps: 1,
        learning_rate: 1e-12,
        ..quick()
    };
    let wide = PosteriorFitConfig {
        kl_prior_widths: PriorWidths {
            weight: 10.0,
            ..Default::default()
        },
        ..still.clone()
    };
    let task = L1Task::default();
    let narrow_fit = fit_posterior(&task, &start, beta, &still, &device()).unwrap();
    let wide_fit = fit_posterior(&task, &start, beta, &wide, &device()).unwrap();
    let sigma = 1.0 / 2f64.sqrt();
    let expected: f64 = start
        .w
        .iter()
        .map(|&w| {
            let second_moment = (f64::from(w) / sigma).powi(2) + still.initial_std.powi(2);
            second_moment / 2.0 * (0.01 - 1.0) + 10f64.ln()
        })
        .sum();
    let found = wide_fit.kl - narrow_fit.kl;
    assert!(
        (found - expected).abs() < 1e-3 * expected.abs(),
        "{found} vs {expected}"
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let start = double_sided(2, 4, 4.0).unwrap();
    let beta = Beta::new(1e-3).unwrap();
    let zero_steps = PosteriorFitConfig {
        steps: 0,
        ..quick()
    };
    let error =
        fit_posterior(&L1Task::default(), &start, beta, &zero_steps, &device()).unwrap_err();
    assert!(error.to_string().contains("steps"), "{error}");
    let error = fit_posterior(&NanTargets, &start, beta, &quick(), &device()).unwrap_err();
    assert!(matches!(error, CoreError::NonFinite { .. }), "{error}");
}

#[test]
fn batched_fits_price_each_start_at_its_own_beta() {
    let task = L1Task::default();
    let start = double_sided(3, 6, 4.0).unwrap();
    let (cheap, dear) = (Beta::new(1e-6).unwrap(), Beta::new(1e-2).unwrap());
    let pairs = [(start.clone(), cheap), (start.clone(), dear)];
    let fits = fit_posteriors(&task, &pairs, &quick(), &device()).unwrap();
    assert_eq!((fits[0].beta, fits[1].beta), (cheap, dear));
    assert!(
        fits[1].kl < 0.5 * fits[0].kl,
        "KL {} vs {}",
        fits[1].kl,
        fits[0].kl
    );
    assert!(fits[1].nmse_sampled > fits[0].nmse_sampled);
    // One pair alone is `fit_posterior`; in a batch it reaches the same
    // description length (only its draws differ).
    let alone = fit_posterior(&task, &start, dear, &quick(), &device()).unwrap();
    assert!(
        (alone.kl - fits[1].kl).abs() < 0.1 * alone.kl,
        "{} vs {}",
        alone.kl,
        fits[1].kl
    );
    // Starts of different sizes cannot share a batch; an empty list is an error.
    let other = (
        spread_out_pudding(2, 6, Sign::Positive, 4.0, 1.0).unwrap(),
        cheap,
    );
    let error = fit_posteriors(&task, &[pairs[0].clone(), other], &quick(), &device()).unwrap_err();
    assert!(error.to_string().contains("same sizes"), "{error}");
    assert!(fit_posteriors(&task, &[], &quick(), &device()).is_err());
}

/// What an untrained decoder writes for `networks` networks of `sizes`.
fn untrained_decoded(
    config: &HypernetworkConfig,
    networks: usize,
    sizes: Sizes,
    device: &Device,
) -> hyperinterp_hvae::Decoded {
    let set = ParamSet::initialise(&catalogue(config), 1, 0, device).unwrap();
    let noise = Noise::draw(config, 1, networks, sizes, 1, device).unwrap();
    generate(&set, config, &noise).unwrap().decoded
}

#[test]
fn refining_what_the_decoder_wrote_lowers_each_networks_own_objective() {
    let (device, config, sizes) = (
        device().autodiff(),
        HypernetworkConfig::default(),
        Sizes::new(3, 6).unwrap(),
    );
    let decoded = untrained_decoded(&config, 4, sizes, &device);
    let task = L1Task::default();
    // Two cheap networks and two dear ones, refined in one batch.
    let betas = [1e-6, 1e-6, 1.0, 1.0];
    let refinement = RefinementConfig {
        steps: 100,
        ..Default::default()
    };
    let refined = refine(&task, &decoded, &betas, &config, &refinement, 0).unwrap();
    let inputs = task.input_tensor(4, 4096, sizes.n, 7, &device);
    let score = |d: &hyperinterp_hvae::Decoded| {
        let nmse = to_vec(
            &task.nmse(&d.mean_networks(&config).unwrap(), inputs.clone()),
            "nmse",
        )
        .unwrap();
        let kl = to_vec(&d.weight_kl(&config.kl_prior_widths), "kl").unwrap();
        (nmse, kl)
    };
    let ((nmse_before, kl_before), (nmse_after, kl_after)) = (score(&decoded), score(&refined));
    for k in 0..2 {
        // Cheap: the refinement buys accuracy (an untrained decoder's
        // networks start far off, NMSE ~ 2 to 20).
        assert!(
            nmse_after[k] < nmse_before[k],
            "network {k}: {nmse_after:?} vs {nmse_before:?}"
        );
    }
    for k in 2..4 {
        // Dear: it sells description length.
        assert!(
            kl_after[k] < 0.5 * kl_before[k],
            "network {k}: {kl_after:?} vs {kl_before:?}"
        );
    }
    // The distance is zero to itself and positive to the refined target.
    let to_itself = to_vec(&decoded.squared_distance(&decoded), "distance").unwrap();
    assert!(to_itself.iter().all(|&d| d == 0.0));
    let to_refined = to_vec(&decoded.squared_distance(&refined), "distance").unwrap();
    assert!(
        to_refined.iter().all(|&d| d > 0.0 && d.is_finite()),
        "{to_refined:?}"
    );
    // One beta per network, or a clear error.
    let error = refine(&task, &decoded, &betas[..3], &config, &refinement, 0).unwrap_err();
    assert!(matches!(error, CoreError::ShapeMismatch { .. }), "{error}");
}

#[test]
fn a_learning_rate_by_beta_is_each_networks_own_learning_rate() {
    let device = device().autodiff();
    let config = HypernetworkConfig::default();
    let set = ParamSet::initialise(&catalogue(&config), 1, 0, &device).unwrap();
    let noise = Noise::draw(&config, 1, 2, Sizes::new(3, 6).unwrap(), 1, &device).unwrap();
    let decoded = generate(&set, &config, &noise).unwrap().decoded;
    let task = L1Task::default();
    let betas = [1e-7, 1e-3];
    let at = |learning_rate: f64, learning_rate_by_beta: Vec<[f64; 2]>| {
        let refinement = RefinementConfig {
            steps: 20,
            learning_rate,
            learning_rate_by_beta,
            ..Default::default()
        };
        refine(&task, &decoded, &betas, &config, &refinement, 3).unwrap()
    };
    // Long steps at beta 1e-7, ten times shorter from 1e-5 on.
    let by_beta = at(2e-2, vec![[1e-7, 2e-1], [1e-5, 2e-2]]);
    let (long, short) = (at(2e-1, Vec::new()), at(2e-2, Vec::new()));
    let distance = |a: &hyperinterp_hvae::Decoded, b: &hyperinterp_hvae::Decoded| {
        to_vec(&a.squared_distance(b), "distance").unwrap()
    };
    let moved = distance(&decoded, &by_beta);
    let (to_long, to_short) = (distance(&by_beta, &long), distance(&by_beta, &short));
    // Each network went exactly where a descent at its own rate takes it
    // (the two share the batch, so their draws and inputs are the same).
    assert!(to_long[0] < 1e-6 * moved[0], "{to_long:?} vs {moved:?}");
    assert!(to_short[1] < 1e-6 * moved[1], "{to_short:?} vs {moved:?}");
    // And not where the other rate takes it.
    assert!(to_short[0] > 1e-3 * moved[0], "{to_short:?} vs {moved:?}");
    assert!(to_long[1] > 1e-3 * moved[1], "{to_long:?} vs {moved:?}");
    // Points out of order are an error, not a silent misreading.
    let refinement = RefinementConfig {
        learning_rate_by_beta: vec![[1e-5, 2e-2], [1e-7, 2e-1]],
        ..Default::default()
    };
    let error = refine(&task, &decoded, &betas, &config, &refinement, 3).unwrap_err();
    assert!(
        error.to_string().contains("learning_rate_by_beta"),
        "{error}"
    );
}

#[test]
fn fixed_stds_leave_only_the_size_of_the_weights_priced() {
    let task = L1Task::default();
    let start = double_sided(3, 6, 4.0).unwrap();
    let config = PosteriorFitConfig {
        fixed_std: true,
        ..quick()
    };
    let fit = fit_posterior(&task, &start, Beta::new(1e-3).unwrap(), &config, &device()).unwrap();
    // Every std stays where it started, initial_std prior stds...
    let sigmas = config.priors.sigmas(start.sizes());
    let expected = (config.initial_std * sigmas.weight) as f32;
    assert!(
        fit.std
            .w
            .iter()
            .all(|&s| (s - expected).abs() < 1e-6 * expected.max(1.0)),
        "{:?} vs {expected}",
        fit.std.w
    );
    // ...while the means move, shrunk by the price on their size.
    let size = |w: &[f32]| w.iter().map(|v| v * v).sum::<f32>();
    assert!(
        size(&fit.mean.w) < 0.9 * size(&start.w),
        "{} vs {}",
        size(&fit.mean.w),
        size(&start.w)
    );
    // With stds free, the same fit widens them.
    let free = fit_posterior(&task, &start, Beta::new(1e-3).unwrap(), &quick(), &device()).unwrap();
    assert!(free.std.w.iter().any(|&s| s > 2.0 * expected));
}

#[test]
fn refining_the_means_alone_holds_the_stds_and_prices_the_size() {
    let (device, config, sizes) = (
        device().autodiff(),
        HypernetworkConfig::default(),
        Sizes::new(3, 6).unwrap(),
    );
    let decoded = untrained_decoded(&config, 2, sizes, &device);
    let task = L1Task::default();
    let betas = [1e-6, 1.0];
    let refinement = RefinementConfig {
        steps: 100,
        means_only: true,
        ..Default::default()
    };
    let refined = refine(&task, &decoded, &betas, &config, &refinement, 0).unwrap();
    // The stds come back exactly as the decoder wrote them...
    let values = |t: &burn::tensor::Tensor<4>| to_vec(&t.clone().flatten::<1>(0, 3), "w").unwrap();
    assert_eq!(
        values(&refined.weight.log_std),
        values(&decoded.weight.log_std)
    );
    // ...while the means move: toward accuracy where it is cheap, toward
    // smaller weights where it is dear.
    let inputs = task.input_tensor(2, 4096, sizes.n, 7, &device);
    let nmse = |d: &hyperinterp_hvae::Decoded| {
        to_vec(
            &task.nmse(&d.mean_networks(&config).unwrap(), inputs.clone()),
            "nmse",
        )
        .unwrap()
    };
    let (before, after) = (nmse(&decoded), nmse(&refined));
    assert!(after[0] < 0.5 * before[0], "{after:?} vs {before:?}");
    let size = |d: &hyperinterp_hvae::Decoded| {
        values(&d.weight.mean)[18..]
            .iter()
            .map(|v| v * v)
            .sum::<f32>()
    };
    assert!(size(&refined) < 0.5 * size(&decoded));
}
