//! `discover --quick` end to end: every part of the report is produced.

use hyperinterp::discover::{DiscoverConfig, run};
use hyperinterp::pareto::Checkpoint;

#[test]
fn quick_discover_writes_a_complete_report() {
    let out = std::env::temp_dir().join(format!("hyperinterp-discover-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let device = hyperinterp::backend::device("default").unwrap();
    let config = DiscoverConfig::quick();
    let report = run(&config, &out, &device, false).unwrap();

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    for key in [
        "config",
        "wall_seconds",
        "phases_by_beta",
        "phases_by_step",
        "generalization",
        "adam_baseline",
    ] {
        assert!(json.get(key).is_some(), "report.json lacks {key}");
    }
    // The default's training is blind, and the report says so first.
    assert_eq!(
        json["guidance"],
        serde_json::json!({"blind": true, "given": []})
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.find("Blind run").unwrap() < html.find(r#"id="summary""#).unwrap());
    // Semi-amortised training (the default) ran: from step 20, on every
    // `every`-th step, and never before.
    let metrics = std::fs::read_to_string(out.join("metrics.jsonl")).unwrap();
    let pulls: Vec<(u64, f64)> = metrics
        .lines()
        .map(|line| {
            let m: serde_json::Value = serde_json::from_str(line).unwrap();
            (m["step"].as_u64().unwrap(), m["pull"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(pulls.len(), config.training.steps);
    for (step, pull) in pulls {
        let every = config.training.semi_amortised.every as u64;
        let pulled = step >= 20 && (step - 20).is_multiple_of(every);
        assert_eq!(pull > 0.0, pulled, "step {step}: pull {pull}");
    }
    let by_beta = json["phases_by_beta"].as_array().unwrap();
    assert_eq!(by_beta.len(), 13);
    for row in by_beta {
        let fractions = row["fractions"].as_object().unwrap();
        for label in [
            "double_sided",
            "pudding_positive",
            "pudding_negative",
            "convexity",
            "mixed",
            "trivial",
        ] {
            assert!(fractions.contains_key(label), "fractions lack {label}");
        }
        let total: f64 = fractions.values().map(|v| v.as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-9, "fractions sum to {total}");
        for key in ["locality", "double_sidedness", "pudding_slope"] {
            assert!(row["order_parameters"][key].is_number(), "{key}");
        }
    }
    // The same grid at each trained size; pooled, the sizes' networks add up.
    assert_eq!(report.phases_by_size.len(), config.training.sizes.len());
    for (sized, sizes) in report.phases_by_size.iter().zip(&config.training.sizes) {
        assert_eq!((sized.n, sized.m), (sizes.n, sizes.m));
        let betas: Vec<f64> = sized.phases_by_beta.iter().map(|r| r.beta).collect();
        let pooled: Vec<f64> = report.phases_by_beta.iter().map(|r| r.beta).collect();
        assert_eq!(betas, pooled);
        assert!(
            sized
                .phases_by_beta
                .iter()
                .all(|r| r.networks == Some(config.grid.networks))
        );
    }
    for (k, row) in report.phases_by_beta.iter().enumerate() {
        let per_size: f64 = report
            .phases_by_size
            .iter()
            .map(|sized| sized.phases_by_beta[k].fractions.convexity)
            .sum::<f64>()
            / report.phases_by_size.len() as f64;
        assert!((per_size - row.fractions.convexity).abs() < 1e-9);
    }
    // Checkpoints at steps 20 and 40, each with the evaluation grid.
    let steps: Vec<u64> = report.phases_by_step.iter().map(|r| r.step).collect();
    assert!(steps.contains(&20) && steps.contains(&40), "{steps:?}");
    // Each checkpoint row has the order parameters of its networks, in range.
    for row in &report.phases_by_step {
        let order = row.order_parameters.as_ref().expect("order parameters");
        for value in [order.locality, order.double_sidedness, order.pudding_slope] {
            assert!((0.0..=1.0).contains(&value), "{row:?}");
        }
    }
    assert!(report.generalization.iter().any(|r| r.trained));
    assert!(report.generalization.iter().any(|r| !r.trained && r.n > 4));
    assert!(report.generalization.iter().any(|r| !r.trained && r.n < 3));
    assert!(json["adam_baseline"]["nmse"].as_f64().unwrap() < 1.0);
    assert!(!report.representatives.is_empty());
    // The amortisation gap: one row per trained size and refinement beta,
    // then per unseen size (the quick config's n = 2) and beta.
    assert_eq!(config.refinement.unseen_n, [2]);
    assert_eq!(
        report.refinement.len(),
        (config.training.sizes.len() + 1) * config.refinement.betas.len()
    );
    assert!(
        report
            .refinement
            .iter()
            .any(|row| !row.trained && row.n == 2 && row.m == 6)
    );
    for row in &report.refinement {
        let trained = config
            .training
            .sizes
            .iter()
            .any(|size| size.n == row.n && size.m == row.m);
        assert_eq!(row.trained, trained, "n = {}", row.n);
        assert_eq!(row.networks, config.refinement.networks);
        assert!(row.generated_free_energy.is_finite() && row.refined_free_energy.is_finite());
        let total: f64 = row.refined_fractions.entries().iter().map(|(_, f)| f).sum();
        assert!(
            (total - 1.0).abs() < 1e-9,
            "refined fractions sum to {total}"
        );
    }
    assert!(json["refinement"].is_array());

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && !html.contains("http://") && !html.contains("https://"));
    assert!(html.contains(r#"id="by-size""#) && html.contains("n = 3, m = 9"));
    assert!(html.contains(r#"id="refinement""#) && html.contains(r##"href="#refinement""##));
    let networks =
        hyperinterp::core::export::load_safetensors(&out.join("networks.safetensors")).unwrap();
    assert_eq!(networks.len(), report.representatives.len());
    // The representatives, in the safetensors file's order; each network in
    // report.json is written as the JSON export writes it (`w` as [m][n]);
    // its NMSE was measured after the choice on fresh inputs, so another
    // fresh draw agrees, and its label is the one that NMSE gives; one per label.
    use hyperinterp::core::Task as _;
    let task = hyperinterp::l1::L1Task::default();
    let classifier = hyperinterp::phases::Classifier::new(config.classifier.clone()).unwrap();
    let mut labels = std::collections::BTreeSet::new();
    assert!(!report.representatives.is_empty());
    for (k, representative) in report.representatives.iter().enumerate() {
        assert_eq!(networks[k], representative.network, "net{k}");
        let network = &representative.network;
        let export: serde_json::Value = serde_json::from_str(
            &hyperinterp::core::export::to_json_string(std::slice::from_ref(network)).unwrap(),
        )
        .unwrap();
        assert_eq!(
            json["representatives"][k]["network"], export["networks"][0],
            "net{k}"
        );
        let samples = hyperinterp::discover::REPRESENTATIVE_INPUTS.max(config.grid.inputs);
        let fresh = task.nmse_of(network, samples, 0xF2E5_4A11).unwrap();
        let relative = (fresh - representative.nmse).abs() / fresh;
        assert!(
            relative < 0.1,
            "net{k}: report says NMSE {}, fresh inputs give {fresh}",
            representative.nmse
        );
        let label = classifier.classify(network, representative.nmse).unwrap();
        assert_eq!(representative.label, label.algorithm.name(), "net{k}");
        assert!(
            labels.insert(representative.label.clone()),
            "two {}",
            representative.label
        );
    }
    assert_eq!(
        hyperinterp::report::Report::from_json(
            &std::fs::read_to_string(out.join("report.json")).unwrap()
        )
        .unwrap()
        .representatives,
        report.representatives
    );

    // A second stage starts from this run's parameters: with a learning rate
    // too small to move them, its checkpoint holds the first run's.
    let first = Checkpoint::load(&out.join("checkpoint.safetensors")).unwrap();
    let second_out = out.join("second-stage");
    let mut second = config.clone();
    second.initialise_from = Some(out.join("checkpoint.safetensors"));
    second.training.steps = 2;
    second.training.checkpoint_every = 2;
    second.training.learning_rate = 1e-12;
    run(&second, &second_out, &device, false).unwrap();
    let continued = Checkpoint::load(&second_out.join("checkpoint.safetensors")).unwrap();
    assert_eq!(continued.step, 2);
    for (a, b) in first
        .params
        .iter()
        .flatten()
        .zip(continued.params.iter().flatten())
    {
        assert!((a - b).abs() < 1e-6, "{a} against {b}");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_second_stage_from_a_missing_checkpoint_is_an_error_naming_it() {
    let mut config = DiscoverConfig::quick();
    config.initialise_from = Some("no/such/checkpoint.safetensors".into());
    let out = std::env::temp_dir().join(format!(
        "hyperinterp-discover-missing-{}",
        std::process::id()
    ));
    let device = hyperinterp::backend::device("default").unwrap();
    let error = run(&config, &out, &device, false).unwrap_err().to_string();
    assert!(error.contains("no/such/checkpoint.safetensors"), "{error}");
    let _ = std::fs::remove_dir_all(&out);
}

/// The job's default is blind; the guided recipe says it is guided and
/// names both things it hands training, as every config with roles or a
/// teacher does.
#[test]
fn the_default_is_blind_and_the_guided_recipe_names_its_roles_and_teacher() {
    let task = hyperinterp::l1::L1Task::default();
    let default = DiscoverConfig::default().training.guidance(&task).unwrap();
    assert!(default.blind && default.given.is_empty());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let guided = DiscoverConfig::load(&root.join("guided.toml"))
        .unwrap()
        .training
        .guidance(&task)
        .unwrap();
    assert!(!guided.blind);
    assert_eq!(guided.given.len(), 2, "{:?}", guided.given);
    assert!(guided.given.iter().any(|g| g.contains("input and side")));
    assert!(
        guided
            .given
            .iter()
            .any(|g| g.contains("reference networks"))
    );
    let base = DiscoverConfig::load(&root.join("base.toml")).unwrap();
    assert_eq!(base, DiscoverConfig::default());
}

/// Every named configuration shipped in `configs/`, and every research
/// configuration and measured lever in `experiments/configs/` and
/// `experiments/levers/`, loads and validates; `configs/quick.toml` is
/// `DiscoverConfig::quick()` (the smoke run, `--quick`).
#[test]
fn the_shipped_configs_load() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for dir in ["configs", "experiments/configs", "experiments/levers"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                continue;
            }
            let config = DiscoverConfig::load(&path)
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            if path.ends_with("configs/quick.toml") {
                assert_eq!(config, DiscoverConfig::quick());
            } else {
                assert!(config.training.steps >= 4000, "{}", path.display());
            }
            count += 1;
        }
    }
    assert!(count >= 120, "{count}");
}

/// `experiments/configs/base-0.1.toml` pins the base the measured
/// experiments were laid over: it loads to exactly `DiscoverConfig::default()`
/// and writes out every key of it (a `null` option may be left out), so a
/// later change to the default cannot change what a file laid over the pin
/// means; every research configuration and lever in `experiments/` ends its
/// `extends` chain there.
#[test]
fn the_pinned_base_is_the_whole_default() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let pin = root.join("experiments/configs/base-0.1.toml");
    let default = DiscoverConfig::default();
    assert_eq!(
        DiscoverConfig::load(&pin).unwrap(),
        default,
        "the default now, as TOML:\n{}",
        toml::to_string(&default).unwrap()
    );
    let written: serde_json::Value =
        toml::from_str(&std::fs::read_to_string(&pin).unwrap()).unwrap();
    assert!(written.get("extends").is_none());
    fn missing(
        default: &serde_json::Value,
        written: &serde_json::Value,
        at: &str,
        out: &mut Vec<String>,
    ) {
        let serde_json::Value::Object(keys) = default else {
            return;
        };
        for (key, value) in keys {
            let at = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            match written.get(key) {
                Some(written) => missing(value, written, &at, out),
                None if value.is_null() => {}
                None => out.push(at),
            }
        }
    }
    let mut unnamed = Vec::new();
    missing(
        &serde_json::to_value(&default).unwrap(),
        &written,
        "",
        &mut unnamed,
    );
    assert!(
        unnamed.is_empty(),
        "{} does not name {unnamed:?}; the default now, as TOML:\n{}",
        pin.display(),
        toml::to_string(&default).unwrap()
    );

    for dir in ["experiments/configs", "experiments/levers"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let mut path = entry.unwrap().path();
            let start = path.clone();
            loop {
                let layer: serde_json::Value =
                    toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                let Some(base) = layer.get("extends").and_then(|e| e.as_str()) else {
                    break;
                };
                path = path.parent().unwrap().join(base);
            }
            assert_eq!(
                std::fs::canonicalize(&path).unwrap(),
                std::fs::canonicalize(&pin).unwrap(),
                "{} is laid over DiscoverConfig::default(), not the pin",
                start.display()
            );
        }
    }
}

/// A configuration that `extends` another starts from it: its own keys
/// replace the ones they name, table by table, arrays whole; the base is
/// found next to the extending file, chains are followed, and a cycle, a
/// missing base or a misspelt key is an error naming the file.
#[test]
fn a_config_extends_another() {
    let dir = std::env::temp_dir().join(format!("hyperinterp-extends-{}", std::process::id()));
    let levers = dir.join("levers");
    std::fs::create_dir_all(&levers).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write(
        "base.toml",
        "[training]\nsteps = 8000\nseed = 3\nsizes = [{n = 4, m = 12}, {n = 6, m = 18}]\n\
         [training.semi_amortised]\nfrom_step = 3000\nweight = 0.01\n",
    );
    write(
        "levers/weight.toml",
        "extends = \"../base.toml\"\n[training.semi_amortised]\nweight = 0.03\n\
         [training]\nsizes = [{n = 5, m = 15}]\n",
    );
    let base = DiscoverConfig::load(&dir.join("base.toml")).unwrap();
    let lever = DiscoverConfig::load(&levers.join("weight.toml")).unwrap();
    let mut expected = base.clone();
    expected.training.semi_amortised.weight = 0.03;
    expected.training.sizes = vec![hyperinterp::core::Sizes { n: 5, m: 15 }];
    assert_eq!(lever, expected);
    assert_eq!(lever.training.semi_amortised.from_step, 3000);

    // A chain, with JSON in the middle.
    write(
        "levers/chain.json",
        r#"{"extends": "weight.toml", "training": {"seed": 7}}"#,
    );
    write(
        "levers/chain.toml",
        "extends = \"chain.json\"\n[grid]\nbetas = 5\n",
    );
    let chained = DiscoverConfig::load(&levers.join("chain.toml")).unwrap();
    assert_eq!(
        (
            chained.training.seed,
            chained.grid.betas,
            chained.training.semi_amortised.weight
        ),
        (7, 5, 0.03)
    );

    // Errors name the file at fault; the merged configuration is still
    // validated (`invalid.toml`).
    write("levers/cycle-b.toml", "extends = \"cycle-a.toml\"\n");
    for (name, text, expected) in [
        (
            "cycle-a.toml",
            "extends = \"cycle-b.toml\"\n",
            "extends itself",
        ),
        (
            "missing.toml",
            "extends = \"nowhere.toml\"\n",
            "nowhere.toml",
        ),
        (
            "misspelt.toml",
            "extends = \"../base.toml\"\n[grid]\nbeta = 5\n",
            "misspelt.toml",
        ),
        (
            "misspelt.toml",
            "extends = \"../base.toml\"\n[grid]\nbeta = 5\n",
            "`beta`",
        ),
        ("not-a-path.toml", "extends = 5\n", "extends"),
        (
            "invalid.toml",
            "extends = \"../base.toml\"\n[grid]\nbetas = 0\n",
            "grid.betas",
        ),
    ] {
        write(&format!("levers/{name}"), text);
        let error = DiscoverConfig::load(&levers.join(name))
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{name}: {error}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
