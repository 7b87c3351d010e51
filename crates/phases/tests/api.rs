//! Errors instead of panics, bulk calls, descriptions and phase tables.

mod common;

use common::*;
use hyperinterp_core::{Beta, CoreError, Sign};
use hyperinterp_l1::SHARPNESS;
use hyperinterp_phases::{
    Algorithm, Classification, Classifier, ClassifierConfig, PhaseTable, classify, describe,
};

#[test]
fn bad_nmse_is_an_error_naming_it() {
    let net = hyperinterp_l1::double_sided(2, 4, SHARPNESS).unwrap();
    for nmse in [f64::NAN, -0.5, f64::INFINITY] {
        let error = classify(&net, nmse).unwrap_err();
        assert!(error.to_string().contains("nmse"), "{error}");
    }
}

#[test]
fn invalid_networks_are_errors_and_bulk_errors_name_the_network() {
    let good = hyperinterp_l1::double_sided(2, 4, SHARPNESS).unwrap();
    let mut bad = good.clone();
    bad.a[1] = f32::INFINITY;
    assert!(matches!(
        classify(&bad, 0.1),
        Err(CoreError::NonFinite { .. })
    ));
    assert!(describe(&bad).is_err());
    let error = Classifier::default()
        .classify_many(&[good.clone(), good, bad], &[0.1; 3])
        .unwrap_err();
    assert!(error.to_string().contains("networks[2].a"), "{error}");
}

#[test]
fn bulk_calls_accept_mixed_sizes_and_agree_with_single_calls() {
    let nets = vec![
        hyperinterp_l1::double_sided(3, 6, SHARPNESS).unwrap(),
        hyperinterp_l1::pudding(5, 9, Sign::Negative, SHARPNESS, 1.0).unwrap(),
        gaussian_network(7, 4, 1.0, 1.0, 0.0, &mut rng(1)),
    ];
    let nmse = [0.01, 0.02, 0.3];
    let classifier = Classifier::default();
    let bulk = classifier.classify_many(&nets, &nmse).unwrap();
    for ((net, nmse), result) in nets.iter().zip(nmse).zip(&bulk) {
        assert_eq!(&classifier.classify(net, nmse).unwrap(), result);
    }
    assert_eq!(bulk[0].algorithm, Algorithm::DoubleSided);
    assert_eq!(bulk[1].algorithm, Algorithm::Pudding(Sign::Negative));
    assert!(classifier.classify_many(&[], &[]).unwrap().is_empty());
}

#[test]
fn thresholds_from_the_config_are_used() {
    let net = hyperinterp_l1::convexity(4, 12, &Default::default()).unwrap();
    let strict = Classifier::new(ClassifierConfig {
        trivial_min_nmse: 0.3,
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        strict.classify(&net, 0.4).unwrap().algorithm,
        Algorithm::Trivial
    );
    assert_eq!(classify(&net, 0.4).unwrap().algorithm, Algorithm::Convexity);
    assert!(
        Classifier::new(ClassifierConfig {
            parallel_min_cosine: 1.5,
            ..Default::default()
        })
        .is_err()
    );
}

#[test]
fn classifications_round_trip_through_json_with_the_label_names() {
    let net = hyperinterp_l1::pudding(4, 6, Sign::Positive, SHARPNESS, 1.0).unwrap();
    let result = classify(&net, 0.001).unwrap();
    let text = serde_json::to_string(&result).unwrap();
    assert!(text.contains(r#""algorithm":"pudding_positive""#), "{text}");
    let back: Classification = serde_json::from_str(&text).unwrap();
    assert_eq!(back.algorithm, result.algorithm);
    // serde_json parses floats to within an ulp, not always exactly.
    assert!((back.order_parameters.locality - result.order_parameters.locality).abs() < 1e-12);
    assert_eq!(back.order_parameters.neurons.len(), 6);
    for algorithm in Algorithm::ALL {
        let json = serde_json::to_string(&algorithm).unwrap();
        assert_eq!(json, format!("\"{}\"", algorithm.name()));
        assert_eq!(serde_json::from_str::<Algorithm>(&json).unwrap(), algorithm);
    }
    assert!(serde_json::from_str::<Algorithm>("\"pudding\"").is_err());
}

#[test]
fn descriptions_state_each_algorithm_as_a_formula() {
    let cases = [
        (
            hyperinterp_l1::double_sided(4, 12, 20.0).unwrap(),
            "double-sided: 4 pairs 0.05·s(+20.0·x_i) + 0.05·s(-20.0·x_i); 4 unused [L 1.00, D 1.00, P 0.00]",
        ),
        (
            hyperinterp_l1::pudding(8, 24, Sign::Negative, 11.8, 1.0).unwrap(),
            "pudding(-): 8 one-sided neurons 0.17·s(-11.8·x_i); always-on neuron 8 adds +1.00·Σx (bias 22.0); 15 unused [L 1.00, D 0.00, P 1.00]",
        ),
        (
            hyperinterp_l1::spread_out_pudding(4, 6, Sign::Positive, 20.0, 1.0).unwrap(),
            "pudding(+): 4 one-sided neurons 0.1·s(+20.0·x_i); linear pair 4, 5 adds -1.00·Σx [L 1.00, D 0.00, P 1.00]",
        ),
    ];
    for (net, expected) in cases {
        assert_eq!(describe(&net).unwrap(), expected);
    }
    let convexity =
        describe(&hyperinterp_l1::convexity(4, 12, &Default::default()).unwrap()).unwrap();
    assert!(
        convexity.starts_with(
            "convexity: 12 dense neurons Σ a_j·s(W_j·x + b_j) reading ~4.0 inputs each"
        ),
        "{convexity}"
    );
    // A flipped input shows up as a sign in the counterweight.
    let mut flips = vec![false; 4];
    flips[2] = true;
    let flipped = flip_inputs(
        &hyperinterp_l1::pudding(4, 5, Sign::Positive, 20.0, 1.0).unwrap(),
        &flips,
    );
    let text = describe(&flipped).unwrap();
    assert!(
        text.contains("3 one-sided neurons 0.1·s(+20.0·x_i) on inputs 0, 1, 3"),
        "{text}"
    );
    assert!(
        text.contains("1 one-sided neuron 0.1·s(-20.0·x_i) on input 2"),
        "{text}"
    );
    assert!(text.contains("adds 1.00·Σσ_i x_i with σ = --+-"), "{text}");
    let empty = describe(&hyperinterp_core::Mlp::zeros(3, 2, Default::default()).unwrap()).unwrap();
    assert!(
        empty.starts_with("trivial: no neuron does nonlinear work; 2 unused"),
        "{empty}"
    );
}

#[test]
fn phase_tables_count_fractions_and_means_per_beta_and_step() {
    let classifier = Classifier::default();
    let exact = hyperinterp_l1::double_sided(4, 8, SHARPNESS).unwrap();
    let rough = hyperinterp_l1::convexity(4, 12, &Default::default()).unwrap();
    let low = Beta::new(1e-4).unwrap();
    let high = Beta::new(1e-2).unwrap();
    let mut table = PhaseTable::new();
    for step in [Some(200), Some(100)] {
        table.record(high, step, &classifier.classify(&rough, 0.5).unwrap());
        table.record(high, step, &classifier.classify(&rough, 0.95).unwrap());
        table.record(low, step, &classifier.classify(&exact, 0.001).unwrap());
    }
    let keys: Vec<(Option<u64>, f64)> = table
        .rows()
        .iter()
        .map(|r| (r.step, r.beta.value()))
        .collect();
    assert_eq!(
        keys,
        [
            (Some(100), 1e-4),
            (Some(100), 1e-2),
            (Some(200), 1e-4),
            (Some(200), 1e-2)
        ]
    );
    let row = table.row(high, Some(200)).unwrap();
    assert_eq!(row.count, 2);
    assert_eq!(row.fractions.convexity, 0.5);
    assert_eq!(row.fractions.trivial, 0.5);
    assert!((row.fractions.to_array().iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!((row.mean_nmse - 0.725).abs() < 1e-12);
    assert!(row.mean_locality < 0.05);
    assert!(table.row(high, None).is_none());

    let json = table.to_json_string().unwrap();
    for name in Algorithm::ALL.map(Algorithm::name) {
        assert!(json.contains(&format!("\"{name}\": ")), "{name} missing");
    }
    assert_tables_match(&PhaseTable::from_json_str(&json).unwrap(), &table);
    let wrong = json.replace("hyperinterp-phases", "something-else");
    assert!(
        PhaseTable::from_json_str(&wrong)
            .unwrap_err()
            .to_string()
            .contains("format")
    );

    let csv = table.to_csv_string();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(
        lines[0],
        "beta,step,count,double_sided,pudding_positive,pudding_negative,convexity,mixed,trivial,mean_locality,mean_double_sidedness,mean_pudding_slope,mean_convex_share,mean_nmse"
    );
    assert!(
        lines[1].starts_with("0.0001,100,1,1,0,0,0,0,0,"),
        "{}",
        lines[1]
    );

    let dir = std::env::temp_dir().join(format!("hyperinterp-phases-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    table.save_json(&dir.join("phases.json")).unwrap();
    table.save_csv(&dir.join("phases.csv")).unwrap();
    let read = std::fs::read_to_string(dir.join("phases.json")).unwrap();
    assert_tables_match(&PhaseTable::from_json_str(&read).unwrap(), &table);
    assert_eq!(
        std::fs::read_to_string(dir.join("phases.csv")).unwrap(),
        csv
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Equal up to JSON's last-ulp float parsing.
fn assert_tables_match(a: &PhaseTable, b: &PhaseTable) {
    assert_eq!(a.rows().len(), b.rows().len());
    for (x, y) in a.rows().iter().zip(b.rows()) {
        assert_eq!(
            (x.beta, x.step, x.count, x.counts),
            (y.beta, y.step, y.count, y.counts)
        );
        for (p, q) in [
            (x.mean_locality, y.mean_locality),
            (x.mean_double_sidedness, y.mean_double_sidedness),
            (x.mean_pudding_slope, y.mean_pudding_slope),
            (x.mean_convex_share, y.mean_convex_share),
            (x.mean_nmse, y.mean_nmse),
        ] {
            assert!((p - q).abs() < 1e-12, "{p} vs {q}");
        }
    }
}
