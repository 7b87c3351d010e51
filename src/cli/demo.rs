//! `hyperinterp demo`: the page `discover` writes, with made-up rows.

use std::path::PathBuf;

use clap::Args;
use hyperinterp_core::{Result, Sign, Task};
use hyperinterp_l1::{self as l1, ConvexityConfig, L1Task, SHARPNESS};
use hyperinterp_report::{
    AdamBaselineSummary, BetaRow, Fractions, GeneralizationRow, OrderParameters, RefinementRow,
    Report, Representative, SizePhases, StepRow, write_report,
};

/// Write a demo report (report.json, report.html, networks.safetensors) so
/// that a person can look at the page the main job writes, in a second. The
/// rows are made up, and the page says so; the representative networks are
/// the hand-written algorithms of `hyperinterp-l1`, with their real NMSE.
#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "runs/report_demo")]
    pub out: PathBuf,
}

/// Made-up label fractions that move from double-sided (cheap beta) through
/// pudding and convexity to trivial (expensive beta), for `t` in [0, 1].
fn demo_fractions(t: f64) -> Fractions {
    let bump = |centre: f64, width: f64| (-((t - centre) / width).powi(2)).exp();
    let raw = [
        bump(0.0, 0.22),
        bump(0.38, 0.12),
        0.35 * bump(0.42, 0.1),
        bump(0.7, 0.14),
        0.25,
        bump(1.05, 0.15),
    ];
    let total: f64 = raw.iter().sum();
    Fractions {
        double_sided: raw[0] / total,
        pudding_positive: raw[1] / total,
        pudding_negative: raw[2] / total,
        convexity: raw[3] / total,
        mixed: raw[4] / total,
        trivial: raw[5] / total,
    }
}

/// Writes the demo report into `args.out`.
pub fn run(args: DemoArgs) -> Result<()> {
    let out = args.out;

    let betas: Vec<f64> = (0..9).map(|k| 10f64.powf(-4.0 + 0.5 * k as f64)).collect();
    let phases_by_beta: Vec<BetaRow> = betas
        .iter()
        .enumerate()
        .map(|(k, &beta)| {
            let t = k as f64 / (betas.len() - 1) as f64;
            let fractions = demo_fractions(t);
            BetaRow {
                beta,
                nmse: 4e-4 * 10f64.powf(3.4 * t),
                kl: 900.0 * 10f64.powf(-2.2 * t),
                order_parameters: OrderParameters {
                    locality: 1.0 - 0.8 * fractions.convexity - 0.3 * fractions.mixed,
                    double_sidedness: fractions.double_sided,
                    pudding_slope: fractions.pudding_positive + fractions.pudding_negative,
                },
                fractions,
                nmse_mean_weights: Some(3e-4 * 10f64.powf(3.3 * t)),
                mean_weight_fractions: None,
                networks: Some(64),
            }
        })
        .collect();
    // Per trained size: the same phases, their boundaries moved a little.
    let at_size = |shift: f64| -> Vec<BetaRow> {
        let last = (phases_by_beta.len() - 1) as f64;
        phases_by_beta
            .iter()
            .enumerate()
            .map(|(k, row)| BetaRow {
                fractions: demo_fractions((k as f64 / last + shift).clamp(0.0, 1.0)),
                ..row.clone()
            })
            .collect()
    };
    let phases_by_size = vec![
        SizePhases {
            n: 8,
            m: 24,
            phases_by_beta: at_size(-0.06),
        },
        SizePhases {
            n: 16,
            m: 48,
            phases_by_beta: at_size(0.06),
        },
    ];

    let mut phases_by_step = Vec::new();
    for (k, beta) in [(0usize, 1e-4), (3, 10f64.powf(-2.5)), (6, 0.01)] {
        let t_final = k as f64 / 8.0;
        for step in (0..=5).map(|s| s * 2000u64) {
            let progress = step as f64 / 10_000.0;
            // Early checkpoints are mostly mixed, later ones settle into the final phase.
            let settled = demo_fractions(t_final);
            let fractions = Fractions {
                mixed: settled.mixed * progress + (1.0 - progress) * 0.8,
                trivial: settled.trivial * progress + (1.0 - progress) * 0.2,
                double_sided: settled.double_sided * progress,
                pudding_positive: settled.pudding_positive * progress,
                pudding_negative: settled.pudding_negative * progress,
                convexity: settled.convexity * progress,
            };
            phases_by_step.push(StepRow {
                step,
                beta,
                fractions,
                nmse: Some(phases_by_beta[k].nmse * (1.0 + 30.0 * (1.0 - progress))),
                kl: Some(phases_by_beta[k].kl * (0.5 + 0.5 * progress)),
                order_parameters: Some(phases_by_beta[k].order_parameters.clone()),
            });
        }
    }

    let mut generalization = Vec::new();
    for (beta, t) in [(1e-3, 0.25), (1e-2, 0.75)] {
        for n in [4usize, 6, 8, 12, 16, 24, 32] {
            let trained = n == 8 || n == 16;
            let distance = if trained {
                0.0
            } else {
                0.05 * (n as f64 - 12.0).abs()
            };
            generalization.push(GeneralizationRow {
                n,
                m: 3 * n,
                trained,
                beta,
                nmse: phases_by_beta[(t * 8.0) as usize].nmse * (1.0 + distance * 8.0),
                fractions: demo_fractions((t + distance).min(1.0)),
            });
        }
    }

    let task = L1Task::default();
    let (n, m) = (6, 18);
    let networks = [
        (
            "double_sided",
            1e-4,
            l1::double_sided(n, m, SHARPNESS)?,
            format!(
                "f(x) = sum_i [s(20 x_i) + s(-20 x_i)] / 20 = sum_i x_i tanh(10 x_i) ≈ ||x||_1  (hand-written, k = {SHARPNESS}; {} unused neurons)",
                m - 2 * n
            ),
        ),
        (
            "pudding_positive",
            10f64.powf(-2.5),
            l1::pudding(n, m, Sign::Positive, SHARPNESS, 1.0)?,
            "f(x) = sum_i 2 s(20 x_i) / 20 + s(C - sum_i x_i) - C ≈ ||x||_1  (hand-written pudding: one-sided neurons plus an always-on neuron)".to_string(),
        ),
        (
            "convexity",
            10f64.powf(-1.0),
            l1::convexity(n, m, &ConvexityConfig::default())?,
            "f(x) = gamma sum_j s(k sigma_j . x + b) + c  (hand-written convexity: random sign vectors sigma_j)".to_string(),
        ),
    ];
    let mut representatives = Vec::new();
    for (label, beta, network, description) in networks {
        representatives.push(Representative {
            label: label.to_string(),
            beta,
            nmse: task.nmse_of(&network, 20_000, 7)?,
            description,
            network,
        });
    }

    let report = Report {
        // Not a training run: its networks are the hand-written ones.
        guidance: hyperinterp_core::Guidance::from_given(vec![
            "nothing: this is demo data, made-up rows with the task's hand-written networks as representatives"
                .into(),
        ]),
        config: serde_json::json!({
            "demo": true,
            "betas": betas,
            "train_sizes": [[8, 24], [16, 48]],
            "samples_per_beta": 64,
            "steps": 10000,
        }),
        wall_seconds: 0.0,
        phases_by_beta,
        phases_by_size,
        phases_by_step,
        generalization,
        adam_baseline: AdamBaselineSummary {
            nmse: 0.023,
            label: "mixed".into(),
            description: None,
        },
        // Made up too: two betas at one size, generated and then refined.
        refinement: [(1e-6, 0.07, 0.005), (3e-3, 0.81, 0.79)]
            .into_iter()
            .map(
                |(beta, generated, refined): (f64, f64, f64)| RefinementRow {
                    n: 8,
                    m: 24,
                    trained: true,
                    beta,
                    networks: 4,
                    generated_free_energy: generated,
                    refined_free_energy: refined,
                    generated_nmse: generated,
                    refined_nmse: refined,
                    generated_fractions: demo_fractions(beta.log10() / 5.0 + 1.2),
                    refined_fractions: demo_fractions(beta.log10() / 5.0 + 1.2),
                },
            )
            .collect(),
        representatives,
        title: "hyperinterp report — DEMO with made-up rows".into(),
        notes: vec![
            "Demo: every table row and plot point on this page is made up to show the layout; only the representative networks (hand-written algorithms from hyperinterp-l1) and their NMSE are real.".into(),
        ],
    };
    write_report(&out, &report)?;
    println!(
        "wrote {}/report.html, report.json, networks.safetensors",
        out.display()
    );
    Ok(())
}
