//! The Pareto trainer: exact resume, checkpoint robustness, configuration
//! errors, the accuracy/complexity trade-off from one run, and the teacher
//! (the objective's own choice among the task's reference networks, aligned
//! unit by unit to what the generator writes, as pull targets).

use std::path::PathBuf;

use burn::tensor::{Device, Int, Tensor, TensorData};
use hyperinterp_core::{CoreError, Mlp, NetworkClassifier, Sizes, to_vec};
use hyperinterp_hvae::{Decoded, DecodedKind, StepMetrics};
use hyperinterp_hvae::{RefinementConfig, SizeFeatureLimits};
use hyperinterp_l1::{L1Task, NanTargets};
use hyperinterp_pareto::{
    Checkpoint, Generator, PriorWideningConfig, PullDistance, SemiAmortisedConfig, Teacher,
    TeacherConfig, TeacherStarts, Trainer, TrainerConfig,
};

fn device() -> Device {
    #[allow(deprecated)]
    Device::ndarray()
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("hyperinterp-pareto-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tiny(steps: usize) -> TrainerConfig {
    let mut config = TrainerConfig {
        steps,
        groups: 2,
        networks: 2,
        inputs: 32,
        sizes: vec![Sizes::new(2, 4).unwrap(), Sizes::new(3, 6).unwrap()],
        warmup_steps: 2,
        deterministic_weight_steps: 2,
        kl_free_steps: 2,
        kl_warmup_steps: 2,
        checkpoint_every: 3,
        progress: false,
        ..Default::default()
    };
    config.hypernetwork.graph.width = 8;
    config.hypernetwork.graph.heads = 2;
    config.hypernetwork.graph.edge_hidden = 8;
    config.hypernetwork.graph.feed_forward_hidden = 8;
    config.hypernetwork.graph.layers = 1;
    config.hypernetwork.latent_width = 2;
    config.evaluation.networks = 2;
    config.evaluation.betas = 2;
    config.evaluation.inputs = 64;
    config
}

#[test]
fn the_weight_kl_scale_reprices_the_weights_and_nothing_else() {
    let task = L1Task::default();
    let first_step = |scale: Option<f64>| {
        let mut config = tiny(1);
        config.kl_free_steps = 0;
        config.kl_warmup_steps = 0;
        config.weight_kl_scale = scale;
        let history = Trainer::new(config, &task, &device())
            .unwrap()
            .run(&task, None, None)
            .unwrap();
        history[0].clone()
    };
    let full = first_step(None);
    let unscaled = first_step(Some(1.0));
    let off = first_step(Some(0.0));
    // The same networks, measured the same; only the price on the weights moved.
    assert_eq!(
        (full.loss, full.weight_kl),
        (unscaled.loss, unscaled.weight_kl)
    );
    assert_eq!(
        (off.nmse, off.node_kl, off.weight_kl),
        (full.nmse, full.node_kl, full.weight_kl)
    );
    assert!(
        full.weight_kl > 0.0 && full.loss > off.loss,
        "{full:?} {off:?}"
    );
    // A teacher prices the weights in full: a scale beside one is refused.
    let mut taught = taught(4);
    taught.weight_kl_scale = Some(0.1);
    let error = taught.validate().unwrap_err();
    assert!(error.to_string().contains("weight_kl_scale"), "{error}");
    taught.weight_kl_scale = Some(1.0);
    assert!(taught.validate().is_ok());
}

#[test]
fn size_feature_limits_must_contain_every_training_size() {
    let mut config = tiny(1);
    let limits = |largest_n, largest_m| SizeFeatureLimits {
        smallest: Sizes::new(2, 4).unwrap(),
        largest: Sizes::new(largest_n, largest_m).unwrap(),
    };
    config.hypernetwork.size_feature_limits = Some(limits(3, 6));
    config.validate().unwrap();
    // (3, 6) is trained but its m lies above the largest m.
    config.hypernetwork.size_feature_limits = Some(limits(3, 5));
    let message = config.validate().unwrap_err().to_string();
    assert!(message.contains("size_feature_limits"), "{message}");
    assert!(message.contains("n = 3, m = 6"), "{message}");
}

fn without_time(metrics: &[StepMetrics]) -> Vec<StepMetrics> {
    metrics
        .iter()
        .map(|m| StepMetrics {
            seconds: 0.0,
            ..m.clone()
        })
        .collect()
}

fn read_metrics(path: &std::path::Path) -> Vec<StepMetrics> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn an_interrupted_and_resumed_run_logs_the_same_metrics() {
    let task = L1Task::default();
    let device = device();
    let whole_dir = scratch("whole");
    let mut whole = Trainer::new(tiny(8), &task, &device).unwrap();
    whole.run(&task, None, Some(&whole_dir)).unwrap();

    let parts_dir = scratch("parts");
    let mut first = Trainer::new(tiny(8), &task, &device).unwrap();
    first.run_until(&task, None, Some(&parts_dir), 5).unwrap();
    drop(first); // the process "dies" here; only the files remain
    let mut resumed = Trainer::resume(&parts_dir.join("checkpoint.safetensors"), &device).unwrap();
    assert_eq!(resumed.step(), 5);
    resumed.run(&task, None, Some(&parts_dir)).unwrap();

    let whole_metrics = read_metrics(&whole_dir.join("metrics.jsonl"));
    let parts_metrics = read_metrics(&parts_dir.join("metrics.jsonl"));
    assert_eq!(whole_metrics.len(), 8);
    assert_eq!(without_time(&whole_metrics), without_time(&parts_metrics));
    assert_eq!(
        whole.checkpoint().unwrap().params,
        resumed.checkpoint().unwrap().params
    );
}

#[test]
fn corrupted_or_truncated_checkpoints_are_errors() {
    let task = L1Task::default();
    let device = device();
    let mut trainer = Trainer::new(tiny(1), &task, &device).unwrap();
    trainer.run(&task, None, None).unwrap();
    let bytes = trainer.checkpoint().unwrap().to_bytes().unwrap();
    assert_eq!(
        Checkpoint::from_bytes(&bytes).unwrap(),
        trainer.checkpoint().unwrap()
    );
    for cut in [0, 7, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            Checkpoint::from_bytes(&bytes[..cut]).is_err(),
            "truncated at {cut}"
        );
    }
    let mut flipped = bytes.clone();
    flipped[10] ^= 0xFF; // inside the JSON header
    assert!(Checkpoint::from_bytes(&flipped).is_err());
    let dir = scratch("corrupt");
    let path = dir.join("checkpoint.safetensors");
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    assert!(Generator::load(&path, &device).is_err());
    assert!(Trainer::resume(&path, &device).is_err());
    assert!(matches!(
        Trainer::resume(&dir.join("missing"), &device),
        Err(CoreError::Io { .. })
    ));
}

#[test]
fn bad_configurations_name_the_field() {
    let task = L1Task::default();
    type Breakage = Box<dyn Fn(&mut TrainerConfig)>;
    let cases: Vec<(&str, Breakage)> = vec![
        (
            "beta_min",
            Box::new(|c| c.pareto.beta_min = c.pareto.beta_max),
        ),
        ("beta_min", Box::new(|c| c.pareto.beta_min = 0.0)),
        ("sizes", Box::new(|c| c.sizes.clear())),
        ("groups", Box::new(|c| c.groups = 0)),
        ("networks", Box::new(|c| c.networks = 0)),
        ("inputs", Box::new(|c| c.inputs = 0)),
        (
            "kl_prior_widths.weight",
            Box::new(|c| c.hypernetwork.kl_prior_widths.weight = 0.0),
        ),
    ];
    for (field, break_it) in cases {
        let mut config = tiny(1);
        break_it(&mut config);
        let err = match Trainer::new(config, &task, &device()) {
            Err(err) => err,
            Ok(_) => panic!("{field}: accepted"),
        };
        assert!(err.to_string().contains(field), "{field}: {err}");
    }
}

#[test]
fn a_nan_loss_stops_training_and_keeps_the_last_checkpoint() {
    let dir = scratch("nan");
    let device = device();
    let mut trainer = Trainer::new(tiny(6), &L1Task::default(), &device).unwrap();
    trainer
        .run_until(&L1Task::default(), None, Some(&dir), 3)
        .unwrap();
    let err = trainer.run(&NanTargets, None, Some(&dir)).unwrap_err();
    assert!(err.to_string().contains("step 3"), "{err}");
    let kept = Checkpoint::load(&dir.join("checkpoint.safetensors")).unwrap();
    assert_eq!(kept.step, 3);
}

/// Spearman rank correlation.
fn rank_correlation(a: &[f64], b: &[f64]) -> f64 {
    let ranks = |v: &[f64]| -> Vec<f64> {
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let mut r = vec![0.0; v.len()];
        for (rank, &i) in order.iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    };
    let (ra, rb) = (ranks(a), ranks(b));
    let mean = (a.len() as f64 - 1.0) / 2.0;
    let cov: f64 = ra
        .iter()
        .zip(&rb)
        .map(|(x, y)| (x - mean) * (y - mean))
        .sum();
    let var: f64 = ra.iter().map(|x| (x - mean).powi(2)).sum();
    cov / var
}

#[test]
fn one_run_gives_a_trade_off_across_beta() {
    let task = L1Task::default();
    let mut config = tiny(300);
    config.groups = 4;
    config.networks = 4;
    config.inputs = 64;
    config.learning_rate = 3e-3;
    config.deterministic_weight_steps = 100;
    config.kl_free_steps = 100;
    config.kl_warmup_steps = 50;
    config.pareto.beta_min = 1e-4;
    config.pareto.beta_max = 1e-1;
    config.hypernetwork.graph.width = 16;
    config.hypernetwork.graph.edge_hidden = 16;
    config.hypernetwork.graph.feed_forward_hidden = 16;
    let mut trainer = Trainer::new(config.clone(), &task, &device()).unwrap();
    trainer.run(&task, None, None).unwrap();
    let generator = trainer.generator().unwrap();
    let betas = config.pareto.grid(7);
    let rows = generator
        .evaluate(&task, None, &betas, Sizes::new(3, 6).unwrap(), 16, 1024, 99)
        .unwrap();
    let kl: Vec<f64> = rows.iter().map(|r| r.kl).collect();
    let nmse: Vec<f64> = rows.iter().map(|r| r.nmse).collect();
    assert!(rank_correlation(&betas, &kl) < -0.8, "KL by beta: {kl:?}");
    assert!(
        rank_correlation(&betas, &nmse) > 0.5,
        "NMSE by beta: {nmse:?}"
    );
    assert!(
        kl[0] > 2.0 * kl[6],
        "KL {} at beta 1e-4 vs {} at 0.1",
        kl[0],
        kl[6]
    );
}

/// Splitting a step's groups over threads changes only float rounding: the
/// metrics and the parameters after several steps (both training stages)
/// match those of one shard, with 3 groups in 1, 2 and 3 shards.
#[test]
fn sharded_steps_compute_what_one_shard_computes() {
    let task = L1Task::default();
    let device = device();
    let run = |shards: usize| {
        let config = TrainerConfig {
            groups: 3,
            shards,
            ..tiny(5)
        };
        let mut trainer = Trainer::new(config, &task, &device).unwrap();
        let started = std::time::Instant::now();
        let metrics: Vec<StepMetrics> = (0..5)
            .map(|_| trainer.train_step(&task, started).unwrap())
            .collect();
        let parameters: Vec<f32> = trainer
            .generator()
            .unwrap()
            .hypernetwork_params(&[1e-3])
            .unwrap()
            .values()
            .iter()
            .flat_map(|v| hyperinterp_core::to_vec(v, "parameter").unwrap())
            .collect();
        (metrics, parameters)
    };
    let (reference, reference_parameters) = run(1);
    for shards in [2, 3] {
        let (metrics, parameters) = run(shards);
        for (a, b) in metrics.iter().zip(&reference) {
            for (what, x, y) in [
                ("loss", a.loss, b.loss),
                ("nmse", a.nmse, b.nmse),
                ("kl", a.kl, b.kl),
                ("gradient norm", a.gradient_norm, b.gradient_norm),
            ] {
                assert!(
                    (x - y).abs() <= 1e-4 * y.abs().max(1e-3),
                    "{shards} shards, step {}: {what} {x} against {y}",
                    a.step
                );
            }
        }
        let worst = parameters
            .iter()
            .zip(&reference_parameters)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst < 1e-4,
            "{shards} shards: parameters differ by {worst}"
        );
    }
}

/// Pulls from step 3 on every `every`th step, toward 5-step targets.
#[test]
fn a_widening_prior_changes_the_price_from_its_step_and_not_before() {
    let task = L1Task::default();
    let run = |widths: f64| {
        let mut config = TrainerConfig {
            prior_widening: PriorWideningConfig {
                from_step: 4,
                steps: 0,
            },
            ..tiny(6)
        };
        config.hypernetwork.kl_prior_widths.weight = widths;
        let mut trainer = Trainer::new(config, &task, &device()).unwrap();
        without_time(&trainer.run(&task, None, None).unwrap())
    };
    let (narrow, wide) = (run(1.0), run(10.0));
    assert_eq!(narrow[..4], wide[..4]);
    // Step 4 starts from the same parameters: the same networks, priced anew.
    assert_eq!(narrow[4].nmse, wide[4].nmse);
    assert!(
        (narrow[4].weight_kl - wide[4].weight_kl).abs() > 1e-3 * narrow[4].weight_kl,
        "{} vs {}",
        narrow[4].weight_kl,
        wide[4].weight_kl
    );
}

fn pulling(every: usize, persistent: bool) -> SemiAmortisedConfig {
    SemiAmortisedConfig {
        every,
        from_step: 3,
        until_step: None,
        weight: 1e-2,
        refinement: RefinementConfig {
            steps: 5,
            inputs: 32,
            ..Default::default()
        },
        persistent,
        warmup_steps: 0,
        teacher: None,
    }
}

#[test]
fn a_warming_up_pull_enters_the_loss_at_a_fraction_of_its_weight() {
    let task = L1Task::default();
    let run = |warmup_steps: usize| {
        let config = TrainerConfig {
            semi_amortised: SemiAmortisedConfig {
                warmup_steps,
                ..pulling(1, false)
            },
            ..tiny(5)
        };
        let mut trainer = Trainer::new(config, &task, &device()).unwrap();
        without_time(&trainer.run(&task, None, None).unwrap())
    };
    let (at_once, warming) = (run(0), run(4));
    assert_eq!(at_once[..3], warming[..3]);
    // Step 3, the first pull, starts from the same parameters: the same
    // networks and targets, with a quarter of the pull's weight in the loss.
    let (full, quarter) = (&at_once[3], &warming[3]);
    assert_eq!((full.nmse, full.pull), (quarter.nmse, quarter.pull));
    let missing = 0.75 * 1e-2 * full.pull;
    assert!(missing > 1e-4, "pull {}", full.pull);
    let expected = full.loss - missing;
    assert!(
        (quarter.loss - expected).abs() < 1e-3 * missing,
        "{} vs {expected}",
        quarter.loss
    );
    assert_ne!(at_once[4].nmse, warming[4].nmse);
}

/// The pull is in the metrics at exactly these steps: there the refined
/// targets differ from what the decoder wrote, so its distance is positive.
fn assert_pulls_only_at(metrics: &[StepMetrics], steps: &[usize]) {
    for m in metrics {
        if steps.contains(&m.step) {
            assert!(
                m.pull > 0.0 && m.pull.is_finite(),
                "step {}: pull {}",
                m.step,
                m.pull
            );
        } else {
            assert_eq!(m.pull, 0.0, "step {}", m.step);
        }
    }
}

#[test]
fn a_pull_with_an_end_stops_there() {
    let task = L1Task::default();
    let ending = |until_step: usize| TrainerConfig {
        semi_amortised: SemiAmortisedConfig {
            until_step: Some(until_step),
            ..pulling(1, false)
        },
        ..tiny(7)
    };
    let mut trainer = Trainer::new(ending(5), &task, &device()).unwrap();
    let metrics = trainer.run(&task, None, None).unwrap();
    assert_pulls_only_at(&metrics, &[3, 4]);
    // An end at or before the start is a config error, not a silent no-op.
    let error = Trainer::new(ending(3), &task, &device()).err().unwrap();
    assert!(error.to_string().contains("until_step"), "{error}");
}

#[test]
fn semi_amortised_steps_pull_and_resume_exactly() {
    let task = L1Task::default();
    let device = device();
    let semi_amortised = |every: usize| TrainerConfig {
        semi_amortised: pulling(every, false),
        ..tiny(8)
    };
    let plain_dir = scratch("plain");
    Trainer::new(semi_amortised(0), &task, &device)
        .unwrap()
        .run(&task, None, Some(&plain_dir))
        .unwrap();
    let whole_dir = scratch("semi-amortised-whole");
    Trainer::new(semi_amortised(2), &task, &device)
        .unwrap()
        .run(&task, None, Some(&whole_dir))
        .unwrap();
    let plain = read_metrics(&plain_dir.join("metrics.jsonl"));
    let pulled = read_metrics(&whole_dir.join("metrics.jsonl"));
    assert_pulls_only_at(&pulled, &[3, 5, 7]);
    for (a, b) in plain.iter().zip(&pulled) {
        if b.step <= 3 {
            // Same parameters up to step 3; there the loss adds the pull.
            assert_eq!(a.nmse, b.nmse, "step {}", b.step);
            let expected = a.loss + 1e-2 * b.pull;
            assert!(
                (b.loss - expected).abs() < 1e-5,
                "step {}: {} vs {expected}",
                b.step,
                b.loss
            );
        }
    }
    assert_ne!(plain.last().unwrap().nmse, pulled.last().unwrap().nmse);

    // The targets come from the run's seed and step: a resumed run continues exactly.
    let parts_dir = scratch("semi-amortised-parts");
    let mut first = Trainer::new(semi_amortised(2), &task, &device).unwrap();
    first.run_until(&task, None, Some(&parts_dir), 4).unwrap();
    drop(first);
    let mut resumed = Trainer::resume(&parts_dir.join("checkpoint.safetensors"), &device).unwrap();
    resumed.run(&task, None, Some(&parts_dir)).unwrap();
    let parts = read_metrics(&parts_dir.join("metrics.jsonl"));
    assert_eq!(without_time(&pulled), without_time(&parts));
}

#[test]
fn persistent_targets_accumulate_and_travel_in_the_checkpoint() {
    let task = L1Task::default();
    let device = device();
    let config = |persistent: bool| TrainerConfig {
        sizes: vec![Sizes::new(2, 4).unwrap()],
        semi_amortised: pulling(2, persistent),
        ..tiny(8)
    };
    let fresh_dir = scratch("persistent-fresh");
    Trainer::new(config(false), &task, &device)
        .unwrap()
        .run(&task, None, Some(&fresh_dir))
        .unwrap();
    let whole_dir = scratch("persistent-whole");
    let mut whole = Trainer::new(config(true), &task, &device).unwrap();
    whole.run(&task, None, Some(&whole_dir)).unwrap();
    let fresh = read_metrics(&fresh_dir.join("metrics.jsonl"));
    let persistent = read_metrics(&whole_dir.join("metrics.jsonl"));
    // Steps before the first pull are the same; pull steps use the fixed
    // latents, and from the second pull on the targets are refined further.
    assert_eq!(without_time(&fresh[..3]), without_time(&persistent[..3]));
    assert_ne!(fresh[3].nmse, persistent[3].nmse);
    assert!(persistent.iter().all(|m| m.pull.is_finite()));
    let saved = Checkpoint::load(&whole_dir.join("checkpoint.safetensors")).unwrap();
    assert!(saved.targets[0].is_some());
    let mut truncated = saved.clone();
    truncated.targets[0].as_mut().unwrap()[0].pop();
    assert!(truncated.kept_targets(&device).is_err());
    assert!(truncated.to_bytes().is_err());

    // Interrupted after the first pull and resumed: the same run, because
    // the kept targets are in the checkpoint...
    let parts_dir = scratch("persistent-parts");
    let mut first = Trainer::new(config(true), &task, &device).unwrap();
    first.run_until(&task, None, Some(&parts_dir), 4).unwrap();
    let mut resumed = Trainer::resume(&parts_dir.join("checkpoint.safetensors"), &device).unwrap();
    resumed.run(&task, None, Some(&parts_dir)).unwrap();
    assert_eq!(
        without_time(&persistent),
        without_time(&read_metrics(&parts_dir.join("metrics.jsonl")))
    );

    // ...and without them it would not be: the later pulls need them.
    let dropped_dir = scratch("persistent-dropped");
    let mut cut = Trainer::new(config(true), &task, &device).unwrap();
    cut.run_until(&task, None, Some(&dropped_dir), 4).unwrap();
    let mut checkpoint_at_4 = cut.checkpoint().unwrap();
    assert!(checkpoint_at_4.targets[0].is_some());
    checkpoint_at_4.targets = vec![None];
    let mut forgetful = Trainer::from_checkpoint(checkpoint_at_4, &device).unwrap();
    let rest = forgetful.run(&task, None, None).unwrap();
    assert_ne!(
        without_time(&rest),
        without_time(&persistent[4..]),
        "dropping the kept targets changed nothing"
    );
}

/// Reports two order parameters: the input weights' mean size, and one that
/// is NaN on every network whose first input weight is negative.
struct WeightSize;

impl hyperinterp_core::NetworkClassifier for WeightSize {
    fn algorithm_name(
        &self,
        _mlp: &hyperinterp_core::Mlp,
        _nmse: f64,
    ) -> Result<String, CoreError> {
        Ok("mixed".to_string())
    }

    fn label_with_order_parameters(
        &self,
        mlp: &hyperinterp_core::Mlp,
        nmse: f64,
    ) -> Result<hyperinterp_core::Labelled, CoreError> {
        let size = mlp.w.iter().map(|w| f64::from(w.abs())).sum::<f64>() / mlp.w.len() as f64;
        let sometimes = if mlp.w[0] < 0.0 { f64::NAN } else { 1.0 };
        Ok(hyperinterp_core::Labelled {
            algorithm: self.algorithm_name(mlp, nmse)?,
            order_parameters: [
                ("weight_size".to_string(), size),
                ("sometimes".to_string(), sometimes),
            ]
            .into(),
        })
    }
}

/// The networks an evaluation generates carry the classifier's order
/// parameters as means over the finite values, and the row reads back from
/// its JSON line; a classifier without them leaves the field out.
#[test]
fn evaluation_rows_carry_the_mean_order_parameters() {
    let task = L1Task::default();
    let config = tiny(3);
    let mut trainer = Trainer::new(config.clone(), &task, &device()).unwrap();
    trainer.run(&task, None, None).unwrap();
    let generator = trainer.generator().unwrap();
    let (betas, sizes, count) = ([1e-3], Sizes::new(3, 6).unwrap(), 8);
    let rows = generator
        .evaluate(&task, Some(&WeightSize), &betas, sizes, count, 64, 5)
        .unwrap();
    let networks = generator.generate(&task, 1e-3, sizes, count, 5).unwrap();
    let which = config.evaluation.labels_from;
    let expected = networks
        .iter()
        .map(|x| {
            let w = &x.weights(which).0.w;
            w.iter().map(|v| f64::from(v.abs())).sum::<f64>() / w.len() as f64
        })
        .sum::<f64>()
        / count as f64;
    let negative = networks
        .iter()
        .filter(|x| x.weights(which).0.w[0] < 0.0)
        .count();
    assert!(
        0 < negative && negative < count,
        "{negative} of {count}: pick another seed"
    );
    assert_eq!(rows[0].order_parameters["sometimes"], 1.0);
    let size = rows[0].order_parameters["weight_size"];
    assert!(
        (size - expected).abs() < 1e-6 * expected,
        "{size} against {expected}"
    );
    assert_eq!(rows[0].labels.len(), count);
    let line = serde_json::to_string(&rows[0]).unwrap();
    let back: hyperinterp_pareto::EvaluationRow = serde_json::from_str(&line).unwrap();
    // serde_json may round the last bit of a float on reading.
    for (name, value) in &rows[0].order_parameters {
        assert!(
            (back.order_parameters[name] - value).abs() < 1e-12,
            "{name}"
        );
    }
    assert_eq!(back.order_parameters.len(), 2);

    let plain = generator
        .evaluate(&task, None, &betas, sizes, count, 64, 5)
        .unwrap();
    assert!(plain[0].order_parameters.is_empty());
    let line = serde_json::to_string(&plain[0]).unwrap();
    assert!(!line.contains("order_parameters"), "{line}");
}

#[test]
fn a_warm_start_carries_the_parameters_and_nothing_else() {
    let task = L1Task::default();
    let device = device();
    let mut first = Trainer::new(tiny(4), &task, &device).unwrap();
    first.run(&task, None, None).unwrap();
    let stopped = first.checkpoint().unwrap();
    assert!(stopped.adam.iter().all(Option::is_some));

    let second = TrainerConfig {
        learning_rate: 1e-3,
        kl_free_steps: 0,
        kl_warmup_steps: 0,
        ..tiny(3)
    };
    let mut warm = Trainer::warm_start(second, stopped.clone(), &task, &device).unwrap();
    let started = warm.checkpoint().unwrap();
    assert_eq!(started.step, 0);
    assert_eq!(started.params, stopped.params);
    assert!(started.adam.iter().all(Option::is_none));
    let metrics = warm.run(&task, None, None).unwrap();
    // The second stage's own schedule, from its first step: warm-up to 1e-3.
    assert_eq!(metrics.len(), 3);
    assert!((metrics[0].learning_rate - 5e-4).abs() < 1e-12);
    assert!(metrics.iter().all(|m| m.kl > 0.0 && m.loss > m.nmse));
    assert_ne!(warm.checkpoint().unwrap().params, stopped.params);

    let mut wider = tiny(3);
    wider.hypernetwork.graph.width = 16;
    let error = Trainer::warm_start(wider, stopped.clone(), &task, &device)
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("initialise_from"), "{error}");

    // A checkpoint built by hand with a parameter cut short: an error naming it.
    let mut cut = stopped;
    cut.params[0].pop();
    let name = tiny(3).pareto_catalogue()[0].name.clone();
    let error = Trainer::warm_start(tiny(3), cut, &task, &device)
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains(&name), "{error}");
}

/// `tiny` pulled from step 3 toward a teacher's targets (3 betas, short fits).
fn taught(steps: usize) -> TrainerConfig {
    TrainerConfig {
        semi_amortised: SemiAmortisedConfig {
            from_step: 3,
            weight: 1e-2,
            teacher: Some(TeacherConfig {
                betas: 3,
                steps: 40,
                ..Default::default()
            }),
            ..Default::default()
        },
        ..tiny(steps)
    }
}

/// `decoded` with its hidden units in the order `order` (unit i of the
/// result is unit `order[i]`).
fn permuted(decoded: &Decoded, order: &[i64]) -> Decoded {
    let device = decoded.weight.mean.device();
    let index =
        || Tensor::<1, Int>::from_data(TensorData::new(order.to_vec(), [order.len()]), &device);
    let kind4 = |kind: &DecodedKind<4>| DecodedKind {
        mean: kind.mean.clone().select(2, index()),
        log_std: kind.log_std.clone().select(2, index()),
    };
    let kind3 = |kind: &DecodedKind<3>| DecodedKind {
        mean: kind.mean.clone().select(2, index()),
        log_std: kind.log_std.clone().select(2, index()),
    };
    Decoded {
        weight: kind4(&decoded.weight),
        bias: kind3(&decoded.bias),
        output_weight: kind3(&decoded.output_weight),
        output_bias: decoded.output_bias.clone(),
    }
}

fn zeros(groups: usize, networks: usize, sizes: Sizes) -> Decoded {
    let device = device();
    let (m, n) = (sizes.m, sizes.n);
    Decoded {
        weight: DecodedKind {
            mean: Tensor::zeros([groups, networks, m, n], &device),
            log_std: Tensor::zeros([groups, networks, m, n], &device),
        },
        bias: DecodedKind {
            mean: Tensor::zeros([groups, networks, m], &device),
            log_std: Tensor::zeros([groups, networks, m], &device),
        },
        output_weight: DecodedKind {
            mean: Tensor::zeros([groups, networks, m], &device),
            log_std: Tensor::zeros([groups, networks, m], &device),
        },
        output_bias: DecodedKind {
            mean: Tensor::zeros([groups, networks], &device),
            log_std: Tensor::zeros([groups, networks], &device),
        },
    }
}

#[test]
fn the_teacher_keeps_the_lowest_free_energy_at_each_size_and_beta() {
    let config = taught(4);
    let teacher = Teacher::fit(&L1Task::default(), &config, &device()).unwrap();
    let betas = config.pareto.grid(3);
    assert_eq!(teacher.targets().len(), 2 * 3);
    for (target, sizes) in teacher.targets().iter().zip([0, 0, 0, 1, 1, 1]) {
        assert_eq!(
            (target.n, target.m),
            (config.sizes[sizes].n, config.sizes[sizes].m)
        );
        assert!(betas.contains(&target.beta));
        let (runner_up, margin) = target.runner_up.clone().unwrap();
        assert_ne!(runner_up, target.start);
        assert!(margin >= 0.0, "{target:?}");
        let free_energy = target.nmse + target.beta * target.kl;
        assert!((target.free_energy - free_energy).abs() < 1e-9 * free_energy.max(1.0));
    }
    // A step's beta takes the nearest grid beta's target, in log scale.
    let sizes = config.sizes[1];
    assert_eq!(
        teacher.nearest(sizes, betas[1] * 2.0).unwrap().beta,
        betas[1]
    );
    assert_eq!(teacher.nearest(sizes, 1e-12).unwrap().beta, betas[0]);
    assert!(teacher.nearest(Sizes::new(5, 10).unwrap(), 1e-3).is_err());
}

#[test]
fn the_teacher_fits_its_sizes_on_threads_with_the_same_targets() {
    let mut config = taught(4);
    config.sizes.push(Sizes::new(4, 8).unwrap());
    let fitted = |shards: usize| {
        let mut config = config.clone();
        config.shards = shards;
        let teacher = Teacher::fit(&L1Task::default(), &config, &device()).unwrap();
        serde_json::to_string(teacher.targets()).unwrap()
    };
    let alone = fitted(1);
    assert!(alone.contains("\"n\":4"), "{alone}");
    assert_eq!(fitted(2), alone);
    assert_eq!(fitted(3), alone);
}

#[test]
fn targets_are_aligned_to_the_generated_units_whatever_their_order() {
    for distance in [PullDistance::MeansAndLogStds, PullDistance::Means] {
        let mut config = taught(4);
        if let Some(teacher) = config.semi_amortised.teacher.as_mut() {
            teacher.distance = distance;
        }
        let teacher = Teacher::fit(&L1Task::default(), &config, &device()).unwrap();
        let sizes = config.sizes[1];
        let betas = config.pareto.grid(3);
        // Two networks at the lowest beta, two at the highest.
        let network_betas = [betas[0], betas[0], betas[2], betas[2]];
        let targets = teacher
            .aligned_targets(&zeros(2, 2, sizes), &network_betas)
            .unwrap();
        let measure = |a: &Decoded, b: &Decoded| -> Vec<f32> {
            to_vec(&teacher.squared_distance(a, b).unwrap(), "distance").unwrap()
        };
        // The same networks with their units reversed get the targets
        // reversed too: each is then at distance zero from its own target.
        let order: Vec<i64> = (0..sizes.m as i64).rev().collect();
        let shuffled = permuted(&targets, &order);
        let moved = measure(&targets, &shuffled);
        assert!(moved.iter().all(|&d| d > 1e-3), "{distance:?}: {moved:?}");
        let aligned = teacher.aligned_targets(&shuffled, &network_betas).unwrap();
        let left = measure(&shuffled, &aligned);
        assert!(left.iter().all(|&d| d < 1e-6), "{distance:?}: {left:?}");
        // Each network's beta picks its own target.
        let low_and_high = measure(&aligned.groups(0, 1), &aligned.groups(1, 1));
        assert!(low_and_high.iter().all(|&d| d > 1e-3), "{low_and_high:?}");
        assert!(teacher.aligned_targets(&shuffled, &betas[..2]).is_err());
        // Only the log-stds moved: the means' distance does not see it.
        let mut unsure = aligned.clone();
        unsure.weight.log_std = unsure.weight.log_std.clone() + 1.0;
        let unsure_distance = measure(&aligned, &unsure);
        match distance {
            PullDistance::Means => assert!(unsure_distance.iter().all(|&d| d == 0.0)),
            PullDistance::MeansAndLogStds => {
                let weights = (sizes.m * sizes.n) as f32;
                assert!(unsure_distance.iter().all(|&d| (d - weights).abs() < 1e-3));
            }
        }
    }
}

#[test]
fn a_task_without_reference_networks_cannot_teach() {
    let error = Teacher::fit(&NanTargets, &taught(4), &device()).unwrap_err();
    assert!(matches!(error, CoreError::InvalidConfig { .. }), "{error}");
    assert!(error.to_string().contains("reference networks"), "{error}");
}

/// Names a network by its width alone (for checking where labels go).
struct ByWidth;

impl NetworkClassifier for ByWidth {
    fn algorithm_name(&self, mlp: &Mlp, _nmse: f64) -> hyperinterp_core::Result<String> {
        Ok(if mlp.m < 6 { "narrow" } else { "wide" }.to_string())
    }
}

#[test]
fn a_teacher_from_random_starts_is_blind_and_records_where_each_start_ends() {
    let task = L1Task::default();
    let mut config = taught(4);
    let random = TeacherStarts::Random {
        networks: 2,
        scales: vec![1.0, 4.0],
    };
    if let Some(teacher) = config.semi_amortised.teacher.as_mut() {
        teacher.starts = random;
    }
    assert!(config.validate().is_ok());
    assert!(config.guidance(&task).unwrap().blind);
    let mut teacher = Teacher::fit(&task, &config, &device()).unwrap();
    teacher.label(&ByWidth).unwrap();
    assert_eq!(teacher.targets().len(), 2 * 3);
    for target in teacher.targets() {
        // Every start's fit, lowest free energy first; the first is the target.
        assert_eq!(target.fits.len(), 4, "{target:?}");
        assert!(
            target
                .fits
                .windows(2)
                .all(|pair| pair[0].free_energy <= pair[1].free_energy)
        );
        assert_eq!(target.fits[0].free_energy, target.free_energy);
        assert_eq!(target.fits[0].start, target.start);
        assert!(
            target
                .fits
                .iter()
                .all(|fit| fit.start.starts_with("random (scale "))
        );
        let width = if target.m < 6 { "narrow" } else { "wide" };
        for fit in &target.fits {
            assert_eq!(fit.label, Some((width.to_string(), 1.0)), "{fit:?}");
        }
        assert_eq!(target.label, target.fits[0].label);
    }
    // The random draws belong to the size, not to the thread that fits it.
    let fitted = |shards: usize| {
        let mut config = config.clone();
        config.shards = shards;
        serde_json::to_string(Teacher::fit(&task, &config, &device()).unwrap().targets()).unwrap()
    };
    assert_eq!(fitted(2), fitted(1));
    // Starts that cannot be drawn are refused by name.
    for (starts, field) in [
        (
            TeacherStarts::Random {
                networks: 0,
                scales: vec![1.0],
            },
            "starts.random.networks",
        ),
        (
            TeacherStarts::Random {
                networks: 2,
                scales: vec![],
            },
            "starts.random.scales",
        ),
        (
            TeacherStarts::Random {
                networks: 2,
                scales: vec![1.0, -1.0],
            },
            "starts.random.scales",
        ),
    ] {
        let mut bad = config.clone();
        if let Some(teacher) = bad.semi_amortised.teacher.as_mut() {
            teacher.starts = starts;
        }
        let error = bad.validate().unwrap_err();
        assert!(error.to_string().contains(field), "{error}");
    }
}

#[test]
fn a_teacher_from_the_generators_own_networks_is_blind_and_fits_them_when_the_pull_starts() {
    let task = L1Task::default();
    let device = device();
    let mut config = taught(4);
    if let Some(teacher) = config.semi_amortised.teacher.as_mut() {
        teacher.starts = TeacherStarts::Generated { networks: 2 };
    }
    assert!(config.validate().is_ok());
    assert!(config.guidance(&task).unwrap().blind);
    // Without the generator there is nothing to start from.
    let error = Teacher::fit(&task, &config, &device).unwrap_err();
    assert!(error.to_string().contains("fit_from_generator"), "{error}");
    // The run fits them from its generator at the first pulled step (3).
    let mut trainer = Trainer::new(config.clone(), &task, &device).unwrap();
    trainer.run_until(&task, None, None, 3).unwrap();
    let at_pull = trainer.generator().unwrap();
    trainer.run(&task, None, None).unwrap();
    let teacher = trainer.teacher().unwrap();
    assert_eq!(teacher.targets().len(), 2 * 3);
    for target in teacher.targets() {
        assert_eq!(target.fits.len(), 2, "{target:?}");
        assert!(
            target
                .fits
                .iter()
                .all(|fit| fit.start.starts_with("generated "))
        );
    }
    let refitted = Teacher::fit_from_generator(&task, &config, &at_pull, &device).unwrap();
    let json = |teacher: &Teacher| serde_json::to_string(teacher.targets()).unwrap();
    assert_eq!(json(teacher), json(&refitted));
    // A later generator writes other networks, so other targets.
    let later = Teacher::fit_from_generator(&task, &config, &trainer.generator().unwrap(), &device)
        .unwrap();
    assert_ne!(json(teacher), json(&later));
    // Beside random starts: both kinds in every target's menu, still blind.
    let mut both = config.clone();
    let several = TeacherStarts::Several(vec![
        TeacherStarts::Generated { networks: 2 },
        TeacherStarts::Random {
            networks: 1,
            scales: vec![1.0],
        },
    ]);
    assert!(!several.is_guided() && several.needs_generator());
    if let Some(teacher) = both.semi_amortised.teacher.as_mut() {
        teacher.starts = several;
    }
    assert!(both.guidance(&task).unwrap().blind);
    let teacher = Teacher::fit_from_generator(&task, &both, &at_pull, &device).unwrap();
    for target in teacher.targets() {
        let mut starts: Vec<&str> = target.fits.iter().map(|fit| fit.start.as_str()).collect();
        starts.sort();
        assert_eq!(starts, ["generated 0", "generated 1", "random (scale 1)"]);
    }
    assert!(TeacherStarts::Several(vec![TeacherStarts::Reference]).is_guided());
    for (starts, field) in [
        (
            TeacherStarts::Generated { networks: 0 },
            "starts.generated.networks",
        ),
        (TeacherStarts::Several(vec![]), "starts.several"),
    ] {
        let mut bad = config.clone();
        if let Some(teacher) = bad.semi_amortised.teacher.as_mut() {
            teacher.starts = starts;
        }
        let error = bad.validate().unwrap_err();
        assert!(error.to_string().contains(field), "{error}");
    }
}

#[test]
fn a_taught_run_pulls_writes_its_table_and_resumes_exactly() {
    let task = L1Task::default();
    let device = device();
    let whole_dir = scratch("taught-whole");
    let history = Trainer::new(taught(6), &task, &device)
        .unwrap()
        .run(&task, Some(&ByWidth), Some(&whole_dir))
        .unwrap();
    let whole = without_time(&read_metrics(&whole_dir.join("metrics.jsonl")));
    assert!(
        whole.iter().all(|m| (m.pull > 0.0) == (m.step >= 3)),
        "{whole:?}"
    );
    let table: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(whole_dir.join("teacher.json")).unwrap())
            .unwrap();
    let table = table.as_array().unwrap();
    assert_eq!(table.len(), 2 * 3);
    // With a classifier the table labels each target by its sampled networks.
    for target in table {
        let expected = if target["m"] == 4 { "narrow" } else { "wide" };
        assert_eq!(
            target["label"],
            serde_json::json!([expected, 1.0]),
            "{target}"
        );
    }

    // `run` fits the teacher beside the steps before the first pull; the
    // steps are the same as when it is fitted at its step, one step at a time.
    let mut stepped = Trainer::new(taught(6), &task, &device).unwrap();
    let started = std::time::Instant::now();
    let alone: Vec<StepMetrics> = (0..6)
        .map(|_| stepped.train_step(&task, started).unwrap())
        .collect();
    assert_eq!(without_time(&alone), without_time(&history));

    // Stopped before the teacher is fitted and after: both resume exactly
    // (the teacher is fitted again, the same from the same seed).
    for stop in [2, 4] {
        let parts_dir = scratch(&format!("taught-parts-{stop}"));
        let mut first = Trainer::new(taught(6), &task, &device).unwrap();
        first
            .run_until(&task, None, Some(&parts_dir), stop)
            .unwrap();
        drop(first);
        let mut resumed =
            Trainer::resume(&parts_dir.join("checkpoint.safetensors"), &device).unwrap();
        resumed.run(&task, None, Some(&parts_dir)).unwrap();
        assert!(resumed.teacher().is_some());
        let parts = without_time(&read_metrics(&parts_dir.join("metrics.jsonl")));
        assert_eq!(whole, parts, "stopped at {stop}");
    }
}

#[test]
fn each_guidance_switch_makes_the_run_guided_and_names_what_it_gave() {
    let task = L1Task::default();
    let blind = tiny(3);
    let guidance = blind.guidance(&task).unwrap();
    assert!(guidance.blind, "{guidance:?}");
    assert!(guidance.given.is_empty());

    // Each switch alone: guided, with one line naming it.
    let mut sides = tiny(3);
    sides.hypernetwork.hidden_roles = hyperinterp_hvae::HiddenRoles::Sides;
    let mut roles = tiny(3);
    roles.hypernetwork.hidden_roles = hyperinterp_hvae::HiddenRoles::InputsAndSides;
    let taught = taught(3);
    for (config, words) in [
        (&sides, "side"),
        (&roles, "input and side"),
        (&taught, "reference networks"),
    ] {
        let guidance = config.guidance(&task).unwrap();
        assert!(!guidance.blind, "{words}");
        assert_eq!(guidance.given.len(), 1, "{:?}", guidance.given);
        assert!(guidance.given[0].contains(words), "{:?}", guidance.given);
    }
    // The teacher's line names the task's hand-written algorithms.
    let line = &taught.guidance(&task).unwrap().given[0];
    for name in ["double_sided", "pudding", "convexity"] {
        assert!(line.contains(name), "{line}");
    }
    // Both switches: both lines.
    let mut both = taught.clone();
    both.hypernetwork.hidden_roles = hyperinterp_hvae::HiddenRoles::InputsAndSides;
    assert_eq!(both.guidance(&task).unwrap().given.len(), 2);

    // Modelling choices are not guidance.
    let mut modelled = tiny(3);
    modelled.hypernetwork.priors.weight = 30.0;
    modelled.pareto.beta_min = 1e-8;
    modelled.sizes.push(Sizes::new(5, 20).unwrap());
    assert!(modelled.guidance(&task).unwrap().blind);
}

#[test]
fn a_warm_start_from_a_guided_run_is_guided_and_says_so_across_checkpoints() {
    let task = L1Task::default();
    let device = device();
    let mut roles = tiny(2);
    roles.hypernetwork.hidden_roles = hyperinterp_hvae::HiddenRoles::InputsAndSides;
    let mut first = Trainer::new(roles.clone(), &task, &device).unwrap();
    first.run(&task, None, None).unwrap();
    assert!(!first.guidance(&task).unwrap().blind);

    // A second stage from it names the first stage's guidance as well as
    // its own (roles add parameters, so both stages have them).
    let mut checkpoint = first.checkpoint().unwrap();
    let second = Trainer::warm_start(roles.clone(), checkpoint.clone(), &task, &device).unwrap();
    let guidance = second.guidance(&task).unwrap();
    assert!(!guidance.blind);
    assert!(
        guidance
            .given
            .iter()
            .any(|line| line.starts_with("in an earlier training stage")),
        "{guidance:?}"
    );
    // The record survives a checkpoint file, and a resumed run keeps it.
    let dir = scratch("guidance");
    let path = dir.join("checkpoint.safetensors");
    second.checkpoint().unwrap().save(&path).unwrap();
    let resumed = Trainer::resume(&path, &device).unwrap();
    assert_eq!(resumed.guidance(&task).unwrap(), guidance);

    // A blind run's checkpoint with an earlier guided stage on record: a
    // blind configuration warm-started from it is still guided.
    let blind = tiny(2);
    let mut first_blind = Trainer::new(blind.clone(), &task, &device).unwrap();
    first_blind.run(&task, None, None).unwrap();
    checkpoint = first_blind.checkpoint().unwrap();
    assert!(
        Trainer::warm_start(blind.clone(), checkpoint.clone(), &task, &device)
            .unwrap()
            .guidance(&task)
            .unwrap()
            .blind
    );
    checkpoint.earlier_guidance = vec!["hidden units told their input and side".into()];
    let third = Trainer::warm_start(blind, checkpoint, &task, &device).unwrap();
    assert!(!third.guidance(&task).unwrap().blind);
}
