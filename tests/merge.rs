//! `merge`: seed statistics pooled and per trained size.

use hyperinterp::discover::merge;
use hyperinterp::report::{BetaRow, Fractions, Report, SizePhases};

fn row(beta: f64, fractions: Fractions) -> BetaRow {
    BetaRow {
        beta,
        nmse: 0.1,
        kl: 1.0,
        order_parameters: Default::default(),
        nmse_mean_weights: None,
        mean_weight_fractions: None,
        networks: None,
        fractions,
    }
}

fn pudding(share: f64) -> Fractions {
    Fractions {
        pudding_negative: share,
        mixed: 1.0 - share,
        ..Default::default()
    }
}

/// A seed whose pudding leads at n = 4 only (share `small` at beta 1e-6),
/// and is a minority pooled and at n = 8.
fn seed(small: f64, with_n8: bool) -> Report {
    let mut phases_by_size = vec![SizePhases {
        n: 4,
        m: 12,
        phases_by_beta: vec![row(1e-6, pudding(small)), row(1e-3, pudding(0.0))],
    }];
    if with_n8 {
        phases_by_size.push(SizePhases {
            n: 8,
            m: 24,
            phases_by_beta: vec![row(1e-6, pudding(0.1)), row(1e-3, pudding(0.0))],
        });
    }
    Report {
        phases_by_beta: vec![row(1e-6, pudding(0.3)), row(1e-3, pudding(0.0))],
        phases_by_size,
        ..Default::default()
    }
}

#[test]
fn per_size_majorities_and_peaks_are_counted_where_pooling_hides_them() {
    let summary = merge(
        &[seed(0.75, true), seed(0.4, false), seed(0.6, true)],
        false,
    )
    .unwrap();
    let find = |algorithms: &[hyperinterp::discover::AlgorithmAcrossSeeds], label: &str| {
        algorithms
            .iter()
            .find(|a| a.label == label)
            .unwrap()
            .clone()
    };

    // Pooled: the pudding is never the majority, but its peak is kept.
    let pooled = find(&summary.algorithms, "pudding_negative");
    assert_eq!(pooled.seeds_with_majority, 0);
    assert_eq!(pooled.peak_fractions, vec![0.3, 0.3, 0.3]);
    assert_eq!(find(&summary.algorithms, "mixed").seeds_with_majority, 3);

    // Per size: n = 4 in all three seeds, the pudding leading in two of them.
    assert_eq!(summary.by_size.len(), 2);
    let small = &summary.by_size[0];
    assert_eq!((small.n, small.m, small.seeds), (4, 12, 3));
    let at_four = find(&small.algorithms, "pudding_negative");
    assert_eq!(at_four.seeds_with_majority, 2);
    assert_eq!(at_four.beta_ranges, vec![[1e-6, 1e-6], [1e-6, 1e-6]]);
    assert_eq!(at_four.peak_fractions, vec![0.75, 0.4, 0.6]);
    assert!((at_four.fraction_of_seeds - 2.0 / 3.0).abs() < 1e-12);

    // n = 8 was trained by two seeds only, and its pudding never leads.
    let large = &summary.by_size[1];
    assert_eq!((large.n, large.seeds), (8, 2));
    assert_eq!(
        find(&large.algorithms, "pudding_negative").seeds_with_majority,
        0
    );
}

#[test]
fn merging_nothing_is_an_error() {
    assert!(merge(&[], false).is_err());
}

#[test]
fn blind_and_guided_seeds_are_pooled_only_when_asked_and_then_count_as_guided() {
    use hyperinterp::core::Guidance;
    let blind = seed(0.75, true);
    let guided = Report {
        guidance: Guidance::from_given(vec!["a teacher".into()]),
        ..seed(0.6, true)
    };
    let all_blind = merge(&[blind.clone(), blind.clone()], false).unwrap();
    assert!(all_blind.guidance.blind && all_blind.guidance.given.is_empty());
    let all_guided = merge(&[guided.clone(), guided.clone()], false).unwrap();
    assert_eq!(all_guided.guidance.given, vec!["a teacher".to_string()]);

    let error = merge(&[blind.clone(), guided.clone()], false)
        .unwrap_err()
        .to_string();
    assert!(error.contains("1 of the 2 reports are blind"), "{error}");
    let mixed = merge(&[blind, guided], true).unwrap();
    assert!(!mixed.guidance.blind);
    assert_eq!(mixed.seeds, 2);
}
