//! The measurements behind the classifier's convex evidence share (the
//! phases crate docs, deviation 8): the share `Z / √k` of Gaussian-direction
//! convexity at m = 3n over 20 seeds, and how often random networks judged
//! by structure alone would pass the convexity rule through it.
//!
//! `cargo run --release --example evidence_share [-- --draws 3000]`

use clap::Parser;
use hyperinterp::core::{Activation, Mlp, Result};
use hyperinterp::l1::{ConvexityConfig, Directions};
use hyperinterp::phases::{Classifier, ClassifierConfig};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

#[derive(Parser, Debug)]
#[command(about = "Convex evidence share of Gaussian convexity and of random networks")]
struct Args {
    /// Random networks per size and weight scale.
    #[arg(long, default_value_t = 3000)]
    draws: usize,
    /// Hand-written convexity networks (seeds) per size.
    #[arg(long, default_value_t = 20)]
    seeds: u64,
}

fn main() {
    if let Err(error) = main_result(Args::parse()) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

fn main_result(args: Args) -> Result<()> {
    let classifier = Classifier::default();
    let ClassifierConfig {
        convexity_min_convex_share: min_share_k,
        convexity_max_locality_with_evidence: max_locality,
        convexity_min_convex_evidence_share: min_evidence_share,
        ..
    } = ClassifierConfig::default();
    println!("Gaussian convexity, m = 3n, {} seeds:", args.seeds);
    for n in [4usize, 6, 8, 16] {
        let (mut lowest, mut highest, mut evidence) =
            (f64::INFINITY, 0.0f64, (f64::INFINITY, 0.0f64));
        for seed in 0..args.seeds {
            let config = ConvexityConfig {
                directions: Directions::Gaussian,
                seed,
                ..Default::default()
            };
            let net = hyperinterp::l1::convexity(n, 3 * n, &config)?;
            let order = classifier.classify(&net, 0.3)?.order_parameters;
            lowest = lowest.min(order.convex_evidence_share());
            highest = highest.max(order.convex_evidence_share());
            evidence = (
                evidence.0.min(order.convex_evidence),
                evidence.1.max(order.convex_evidence),
            );
        }
        println!(
            "  n = {n:>2}: share {lowest:.2}–{highest:.2}, evidence Z {:.2}–{:.2}",
            evidence.0, evidence.1
        );
    }
    println!(
        "Random networks by structure, {} draws per size and weight scale: passing K >= {min_share_k}, L <= {max_locality} and share >= {min_evidence_share}",
        args.draws
    );
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for n in [4usize, 6, 8, 16] {
        let m = 3 * n;
        for (w_scale, b_scale) in [(1.5 / (n as f32).sqrt(), 0.5f32), (1.0, 1.0), (3.0, 0.1)] {
            let mut passing = 0;
            for _ in 0..args.draws {
                let mut normal = |scale: f32, count: usize| -> Vec<f32> {
                    (0..count)
                        .map(|_| scale * rng.sample::<f32, _>(StandardNormal))
                        .collect()
                };
                let (w, b, a) = (
                    normal(w_scale, n * m),
                    normal(b_scale, m),
                    normal(1.0 / (m as f32).sqrt(), m),
                );
                let net = Mlp::new(n, m, w, b, a, 0.0, Activation::Swish)?;
                let order = classifier.classify(&net, 0.0)?.order_parameters;
                if order.has_work()
                    && order.convex_share >= min_share_k
                    && order.locality <= max_locality
                    && order.convex_evidence_share() >= min_evidence_share
                {
                    passing += 1;
                }
            }
            println!(
                "  n = {n:>2}, W scale {w_scale:.2}: {passing} of {} ({:.2}%)",
                args.draws,
                100.0 * passing as f64 / args.draws as f64
            );
        }
    }
    Ok(())
}
