//! Checks the figures (well-formed SVG, deterministic layout inside the
//! canvas, edge width and colour), the report.json contract and the page.

use std::collections::BTreeSet;

use hyperinterp_core::{Activation, Mlp, Sign};
use hyperinterp_l1::{ConvexityConfig, SHARPNESS, convexity, double_sided, pudding};
use hyperinterp_report::layout::{LayoutEdge, LayoutSettings, fruchterman_reingold};
use hyperinterp_report::style::{NEGATIVE, POSITIVE};
use hyperinterp_report::{
    AdamBaselineSummary, BetaRow, DrawingOptions, Fractions, GeneralizationRow, Layout,
    OrderParameters, RefinementRow, Report, Representative, SizePhases, StepRow, UnusedNeurons,
    draw_network, generalization_plot, pareto_front, phase_diagram_by_beta, phase_diagram_by_step,
    render_html, weight_heatmap, write_report,
};

fn fast() -> DrawingOptions {
    DrawingOptions {
        iterations: 120,
        ..Default::default()
    }
}

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("malformed SVG: {e}\n{svg}"))
}

fn sample_report() -> Report {
    let fractions = |t: f64| Fractions {
        double_sided: 1.0 - t,
        convexity: t,
        ..Default::default()
    };
    let betas = [1e-4, 1e-3, 1e-2, 1e-1];
    let phases_by_beta: Vec<BetaRow> = betas
        .iter()
        .enumerate()
        .map(|(k, &beta)| BetaRow {
            beta,
            nmse: 1e-3 * 10f64.powi(k as i32),
            kl: 800.0 / (k as f64 + 1.0),
            fractions: fractions(k as f64 / 3.0),
            order_parameters: OrderParameters {
                locality: 1.0,
                double_sidedness: 0.9,
                pudding_slope: 0.1,
            },
            nmse_mean_weights: Some(5e-4 * 10f64.powi(k as i32)),
            mean_weight_fractions: None,
            networks: Some(16),
        })
        .collect();
    // At a second size, the pure phase reaches further.
    let mut other_size = phases_by_beta.clone();
    other_size[1].fractions = fractions(0.0);
    Report {
        guidance: Default::default(),
        config: serde_json::json!({"seed": 3, "betas": betas}),
        wall_seconds: 12.5,
        phases_by_size: vec![
            SizePhases {
                n: 4,
                m: 12,
                phases_by_beta: phases_by_beta.clone(),
            },
            SizePhases {
                n: 8,
                m: 24,
                phases_by_beta: other_size,
            },
        ],
        phases_by_beta,
        phases_by_step: (0..3)
            .flat_map(|s| {
                [1e-3, 1e-2].map(|beta| StepRow {
                    step: 100 * s,
                    beta,
                    fractions: fractions(s as f64 / 2.0),
                    nmse: None,
                    kl: Some(10.0),
                    // The first checkpoint's rows were written without them.
                    order_parameters: (s > 0).then_some(OrderParameters {
                        locality: 0.9,
                        double_sidedness: 0.123 * s as f64,
                        pudding_slope: 0.05,
                    }),
                })
            })
            .collect(),
        generalization: [4usize, 8, 12]
            .iter()
            .map(|&n| GeneralizationRow {
                n,
                m: 3 * n,
                trained: n == 8,
                beta: 1e-3,
                nmse: 0.01 * n as f64,
                fractions: fractions(0.0),
            })
            .collect(),
        adam_baseline: AdamBaselineSummary {
            nmse: 0.02,
            label: "mixed".into(),
            description: Some("mixed: demo formula".into()),
        },
        refinement: vec![RefinementRow {
            n: 8,
            m: 24,
            trained: true,
            beta: 1e-6,
            networks: 4,
            generated_free_energy: 0.07,
            refined_free_energy: 0.005,
            generated_nmse: 0.07,
            refined_nmse: 0.004,
            generated_fractions: Fractions {
                mixed: 1.0,
                ..Default::default()
            },
            refined_fractions: Fractions {
                pudding_negative: 0.75,
                mixed: 0.25,
                ..Default::default()
            },
        }],
        representatives: vec![
            Representative {
                label: "double_sided".into(),
                beta: 1e-4,
                nmse: 4e-4,
                description: "f(x) = sum_i x_i tanh(10 x_i) <script>alert(1)</script>".into(),
                network: double_sided(3, 8, SHARPNESS).unwrap(),
            },
            Representative {
                label: "pudding_negative".into(),
                beta: 1e-2,
                nmse: 5e-4,
                description: "pudding".into(),
                network: pudding(3, 5, Sign::Negative, SHARPNESS, 1.0).unwrap(),
            },
        ],
        title: "test report".into(),
        notes: vec!["test notes".into()],
    }
}

#[test]
fn every_svg_is_well_formed_xml() {
    let report = sample_report();
    let networks = [
        double_sided(4, 12, SHARPNESS).unwrap(),
        pudding(4, 12, Sign::Positive, SHARPNESS, 1.0).unwrap(),
        convexity(4, 12, &ConvexityConfig::default()).unwrap(),
    ];
    let mut figures = vec![
        phase_diagram_by_beta(&report.phases_by_beta).unwrap(),
        pareto_front(&report.phases_by_beta).unwrap(),
        phase_diagram_by_step(&report.phases_by_step).unwrap(),
        generalization_plot(&report.generalization).unwrap(),
        phase_diagram_by_beta(&[]).unwrap(),
        pareto_front(&[]).unwrap(),
        phase_diagram_by_step(&[]).unwrap(),
        generalization_plot(&[]).unwrap(),
    ];
    for network in &networks {
        figures.push(weight_heatmap(network).unwrap());
        for layout in [Layout::ForceDirected, Layout::Layered] {
            for unused in [UnusedNeurons::Hide, UnusedNeurons::Fade] {
                let options = DrawingOptions {
                    layout,
                    unused,
                    title: Some("a <title> & more".into()),
                    ..fast()
                };
                figures.push(draw_network(network, &options).unwrap());
            }
        }
    }
    for svg in &figures {
        let document = parse(svg);
        assert_eq!(document.root_element().tag_name().name(), "svg");
    }
}

fn node_positions(svg: &str) -> Vec<(String, f64, f64)> {
    let document = parse(svg);
    document
        .descendants()
        .filter(|node| node.attribute("class") == Some("node"))
        .map(|node| {
            let number = |name| node.attribute(name).unwrap().parse::<f64>().unwrap();
            (
                node.attribute("data-kind").unwrap().to_string(),
                number("data-x"),
                number("data-y"),
            )
        })
        .collect()
}

#[test]
fn force_directed_layout_is_deterministic_and_stays_on_the_canvas() {
    let network = convexity(5, 15, &ConvexityConfig::default()).unwrap();
    let options = DrawingOptions { seed: 11, ..fast() };
    let first = draw_network(&network, &options).unwrap();
    assert_eq!(first, draw_network(&network, &options).unwrap());
    let other_seed = draw_network(&network, &DrawingOptions { seed: 12, ..fast() }).unwrap();
    assert_ne!(node_positions(&first), node_positions(&other_seed));

    let positions = node_positions(&first);
    assert_eq!(positions.len(), 5 + 15 + 1);
    let (width, height) = (f64::from(options.width), f64::from(options.height));
    for (kind, x, y) in &positions {
        assert!(
            (0.0..=width).contains(x) && (0.0..=height).contains(y),
            "{kind} node at ({x}, {y}) is off the {width} x {height} canvas"
        );
    }
    // Not collapsed: the nodes spread over a good part of the canvas.
    let xs: Vec<f64> = positions.iter().map(|p| p.1).collect();
    let spread = xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - xs.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(spread > width / 3.0, "x spread {spread}");
    let kinds: BTreeSet<&str> = positions.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(kinds, BTreeSet::from(["hidden", "input", "output"]));
}

#[test]
fn layout_pulls_connected_nodes_together() {
    let frame = LayoutSettings {
        left: 0.0,
        top: 0.0,
        width: 400.0,
        height: 400.0,
        iterations: 300,
        seed: 1,
        gravity: 0.1,
    };
    // Two triangles joined by nothing: within-triangle distances are short.
    let edge = |from, to| LayoutEdge {
        from,
        to,
        strength: 1.0,
    };
    let edges = [
        edge(0, 1),
        edge(1, 2),
        edge(2, 0),
        edge(3, 4),
        edge(4, 5),
        edge(5, 3),
    ];
    let p = fruchterman_reingold(6, &edges, &frame).unwrap();
    let distance =
        |i: usize, j: usize| ((p[i].x - p[j].x).powi(2) + (p[i].y - p[j].y).powi(2)).sqrt();
    let within = (distance(0, 1) + distance(3, 4)) / 2.0;
    let across = (distance(0, 3) + distance(1, 4) + distance(2, 5)) / 3.0;
    assert!(within < across, "within {within}, across {across}");
    assert!(
        p.iter()
            .all(|q| (0.0..=400.0).contains(&q.x) && (0.0..=400.0).contains(&q.y))
    );
    // Bad input is an error.
    assert!(fruchterman_reingold(2, &[edge(0, 2)], &frame).is_err());
    let negative = LayoutEdge {
        strength: -1.0,
        ..edge(0, 1)
    };
    assert!(fruchterman_reingold(2, &[negative], &frame).is_err());
    assert!(fruchterman_reingold(0, &[], &frame).unwrap().is_empty());
    assert_eq!(fruchterman_reingold(1, &[], &frame).unwrap().len(), 1);
}

#[test]
fn edge_width_grows_with_weight_and_colour_follows_sign() {
    // Input weights of both signs and six magnitudes; output weights too.
    let w = vec![1.0, -2.0, 3.0, -4.0, 5.0, -6.0];
    let network = Mlp::new(
        2,
        3,
        w,
        vec![0.0; 3],
        vec![0.5, -1.0, 0.25],
        0.0,
        Activation::Swish,
    )
    .unwrap();
    for layout in [Layout::ForceDirected, Layout::Layered] {
        let svg = draw_network(&network, &DrawingOptions { layout, ..fast() }).unwrap();
        let document = parse(&svg);
        let mut by_layer: std::collections::BTreeMap<String, Vec<(f64, f64)>> = Default::default();
        let mut count = 0;
        for edge in document
            .descendants()
            .filter(|node| node.attribute("class") == Some("edge"))
        {
            count += 1;
            let weight: f64 = edge.attribute("data-weight").unwrap().parse().unwrap();
            let width: f64 = edge.attribute("stroke-width").unwrap().parse().unwrap();
            let colour = edge.attribute("stroke").unwrap();
            assert_eq!(
                colour,
                if weight > 0.0 { POSITIVE } else { NEGATIVE },
                "weight {weight}"
            );
            by_layer
                .entry(edge.attribute("data-layer").unwrap().to_string())
                .or_default()
                .push((weight.abs(), width));
        }
        assert_eq!(count, 6 + 3);
        assert_eq!(by_layer.len(), 2);
        for (layer, mut edges) in by_layer {
            edges.sort_by(|a, b| a.0.total_cmp(&b.0));
            for pair in edges.windows(2) {
                assert!(pair[1].1 > pair[0].1, "{layer}: widths {edges:?}");
            }
            // The strongest edge of each layer has the full width.
            assert!((edges.last().unwrap().1 - fast().max_edge_width).abs() < 0.01);
        }
    }
}

#[test]
fn unused_hidden_neurons_are_hidden_or_faded() {
    // pudding at n = 4 uses 5 of 10 hidden neurons
    let network = pudding(4, 10, Sign::Positive, SHARPNESS, 1.0).unwrap();
    let count_hidden = |unused| {
        let svg = draw_network(&network, &DrawingOptions { unused, ..fast() }).unwrap();
        node_positions(&svg)
            .iter()
            .filter(|(kind, _, _)| kind == "hidden")
            .count()
    };
    assert_eq!(count_hidden(UnusedNeurons::Hide), 5);
    assert_eq!(count_hidden(UnusedNeurons::Fade), 10);
    let svg = draw_network(&network, &fast()).unwrap();
    assert!(svg.contains("5 unused hidden neurons not drawn"));
    // Labels x_i, h_j, out.
    assert!(svg.contains(">x<tspan") && svg.contains(">h<tspan") && svg.contains(">out<"));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let mut network = double_sided(2, 4, SHARPNESS).unwrap();
    network.w[1] = f32::NAN;
    assert!(draw_network(&network, &fast()).is_err());
    assert!(weight_heatmap(&network).is_err());
    network.w.pop();
    assert!(draw_network(&network, &fast()).is_err());
    let good = double_sided(2, 4, SHARPNESS).unwrap();
    for options in [
        DrawingOptions { width: 0, ..fast() },
        DrawingOptions {
            iterations: 0,
            ..fast()
        },
        DrawingOptions {
            min_edge_fraction: f64::NAN,
            ..fast()
        },
        DrawingOptions {
            max_edge_width: -1.0,
            ..fast()
        },
    ] {
        assert!(draw_network(&good, &options).is_err(), "{options:?}");
    }
    // A network that does nothing still draws (inputs and output only).
    let zero = Mlp::zeros(3, 4, Activation::Swish).unwrap();
    let svg = draw_network(&zero, &fast()).unwrap();
    assert_eq!(node_positions(&svg).len(), 3 + 1);
    assert!(weight_heatmap(&zero).is_ok());
    // A one-input, one-neuron network.
    let tiny = Mlp::new(1, 1, vec![2.0], vec![0.0], vec![1.0], 0.0, Activation::Relu).unwrap();
    parse(&draw_network(&tiny, &fast()).unwrap());
    parse(&weight_heatmap(&tiny).unwrap());
}

#[test]
fn plots_skip_nan_rows_and_handle_a_single_point() {
    let single = [BetaRow {
        beta: 1e-2,
        nmse: 0.1,
        kl: 50.0,
        fractions: Fractions {
            pudding_positive: 1.0,
            ..Default::default()
        },
        ..Default::default()
    }];
    let nan_rows = [
        BetaRow {
            beta: f64::NAN,
            nmse: f64::NAN,
            kl: f64::NAN,
            ..Default::default()
        },
        BetaRow {
            beta: -1.0,
            nmse: 0.0,
            kl: 0.0,
            ..Default::default()
        },
    ];
    for rows in [&single[..], &nan_rows[..]] {
        parse(&phase_diagram_by_beta(rows).unwrap());
        parse(&pareto_front(rows).unwrap());
    }
    assert!(
        phase_diagram_by_beta(&nan_rows[..1])
            .unwrap()
            .contains("no data")
    );
    assert!(pareto_front(&nan_rows[..1]).unwrap().contains("no data"));
    let steps = [StepRow {
        step: 0,
        beta: f64::NAN,
        ..Default::default()
    }];
    assert!(phase_diagram_by_step(&steps).unwrap().contains("no data"));
    let one_step = [StepRow {
        step: 5,
        beta: 1.0,
        ..Default::default()
    }];
    let plain = phase_diagram_by_step(&one_step).unwrap();
    parse(&plain);
    assert!(!plain.contains("double-sidedness D"), "no rows, no lines");
    // Order parameters that are NaN are left out of the lines, not drawn.
    let with_nan: Vec<StepRow> = [f64::NAN, 0.5]
        .iter()
        .enumerate()
        .map(|(k, &d)| StepRow {
            step: 100 * k as u64,
            beta: 1.0,
            order_parameters: Some(OrderParameters {
                double_sidedness: d,
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let lines = phase_diagram_by_step(&with_nan).unwrap();
    parse(&lines);
    assert!(lines.contains("double-sidedness D"));
    // One point of D (P is 0 at both steps: two more).
    assert_eq!(lines.matches(r#"r="3""#).count(), 3, "{lines}");
    let generalization = [GeneralizationRow {
        n: 4,
        m: 12,
        trained: true,
        beta: 1e-3,
        nmse: 0.0,
        fractions: Fractions::default(),
    }];
    parse(&generalization_plot(&generalization).unwrap());
}

#[test]
fn report_json_matches_the_contract_and_round_trips() {
    let report = sample_report();
    let value = serde_json::to_value(&report).unwrap();
    let keys = |value: &serde_json::Value| -> BTreeSet<String> {
        value.as_object().unwrap().keys().cloned().collect()
    };
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    let contract = set(&[
        "config",
        "wall_seconds",
        "phases_by_beta",
        "phases_by_step",
        "generalization",
        "adam_baseline",
    ]);
    assert!(keys(&value).is_superset(&contract));
    let fraction_keys = set(&[
        "double_sided",
        "pudding_positive",
        "pudding_negative",
        "convexity",
        "mixed",
        "trivial",
    ]);
    let beta_row = &value["phases_by_beta"][0];
    assert!(keys(beta_row).is_superset(&set(&[
        "beta",
        "nmse",
        "kl",
        "fractions",
        "order_parameters"
    ])));
    assert_eq!(keys(&beta_row["fractions"]), fraction_keys);
    assert_eq!(
        keys(&beta_row["order_parameters"]),
        set(&["locality", "double_sidedness", "pudding_slope"])
    );
    let step_row = &value["phases_by_step"][0];
    assert!(keys(step_row).is_superset(&set(&["step", "beta", "fractions"])));
    assert!(step_row["step"].is_u64());
    assert_eq!(keys(&step_row["fractions"]), fraction_keys);
    let generalization_row = &value["generalization"][0];
    assert!(keys(generalization_row).is_superset(&set(&[
        "n",
        "m",
        "trained",
        "beta",
        "nmse",
        "fractions"
    ])));
    assert!(generalization_row["trained"].is_boolean() && generalization_row["n"].is_u64());
    // The contract's two keys, plus the optional formula.
    assert_eq!(
        keys(&value["adam_baseline"]),
        set(&["nmse", "label", "description"])
    );
    assert!(value["wall_seconds"].is_f64());

    let back = Report::from_json(&report.to_json().unwrap()).unwrap();
    assert_eq!(back, report);

    // The contract alone (no optional fields) reads too.
    let minimal = r#"{"config": {}, "wall_seconds": 1.0,
        "phases_by_beta": [{"beta": 0.1, "nmse": 0.5, "kl": 3.0,
            "fractions": {"double_sided": 0, "pudding_positive": 0, "pudding_negative": 0, "convexity": 1, "mixed": 0, "trivial": 0},
            "order_parameters": {"locality": 0.2, "double_sidedness": 0, "pudding_slope": 0}}],
        "phases_by_step": [], "generalization": [], "adam_baseline": {"nmse": 0.02, "label": "mixed"}}"#;
    let parsed = Report::from_json(minimal).unwrap();
    assert_eq!(
        parsed.phases_by_beta[0].fractions.majority(),
        Some("convexity")
    );
    // A report that does not say what training was given counts as guided.
    assert!(!parsed.guidance.blind);
    assert_eq!(value["guidance"]["blind"], serde_json::json!(true));
    assert_eq!(value["guidance"]["given"], serde_json::json!([]));

    // A diverged run (NaN) is written as null and reads back as NaN.
    let mut diverged = report.clone();
    diverged.phases_by_beta[0].nmse = f64::NAN;
    let text = diverged.to_json().unwrap();
    let back = Report::from_json(&text).unwrap();
    assert!(back.phases_by_beta[0].nmse.is_nan());
}

#[test]
fn html_has_every_section_and_no_external_resources() {
    let report = sample_report();
    let html = render_html(&report);
    for id in [
        "summary",
        "by-size",
        "refinement",
        "figures",
        "figure-phases-by-beta",
        "figure-pareto-front",
        "figure-phases-by-step",
        "figure-generalization",
        "phases-by-step",
        "generalization",
        "adam-baseline",
        "representatives",
        "representative-0",
        "representative-1",
        "config",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "missing section {id}"
        );
    }
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script"), "descriptions must be escaped");
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("test notes") && html.contains("&quot;seed&quot;: 3"));
    assert!(!html.contains("could not be drawn"));
    // Each inline SVG parses on its own: 4 plots + 3 per representative.
    let mut count = 0;
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
        parse(&rest[start..end]);
        count += 1;
        rest = &rest[end..];
    }
    assert_eq!(count, 4 + 3 * report.representatives.len());

    // An empty report still renders every section, saying there is no data.
    let empty = render_html(&Report::default());
    for id in [
        "summary",
        "figures",
        "phases-by-step",
        "generalization",
        "representatives",
        "config",
    ] {
        assert!(empty.contains(&format!("id=\"{id}\"")));
    }
    assert!(empty.contains("no data"));
    // A report without sizes (older reports) has no size section or link to it.
    assert!(!empty.contains("by-size"));
    assert!(html.contains("n = 8, m = 24"));
    // The refinement table: each side's majority with its share; no rows, no section.
    assert!(html.contains("mixed</span> 100%"));
    assert!(html.contains("pudding negative</span> 75%"));
    assert!(!empty.contains("refinement"));
    // Checkpoints show their order parameters; rows written without them show dashes.
    let steps = &html[html.find("id=\"phases-by-step\"").unwrap()..];
    let steps = &steps[..steps.find("</section>").unwrap()];
    assert!(steps.contains("double-sidedness D"));
    assert!(steps.contains("<td>0.246</td>"), "{steps}");
    let first = &steps[steps.find("<tr><td>0</td>").unwrap()..];
    let first = &first[..first.find("</tr>").unwrap()];
    assert!(first.ends_with("<td>–</td><td>–</td><td>–</td>"), "{first}");
}

#[test]
fn write_report_writes_the_three_files() {
    let dir = std::env::temp_dir().join(format!("hyperinterp-report-test-{}", std::process::id()));
    let report = sample_report();
    write_report(&dir, &report).unwrap();
    let json = std::fs::read_to_string(dir.join("report.json")).unwrap();
    assert_eq!(Report::from_json(&json).unwrap(), report);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    let networks =
        hyperinterp_core::export::load_safetensors(&dir.join("networks.safetensors")).unwrap();
    let expected: Vec<Mlp> = report
        .representatives
        .iter()
        .map(|r| r.network.clone())
        .collect();
    assert_eq!(networks, expected);
    // An invalid representative network is an error.
    let mut bad = report;
    bad.representatives[0].network.a[0] = f32::INFINITY;
    assert!(write_report(&dir, &bad).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_page_says_blind_or_guided_before_the_summary() {
    let mut report = sample_report();
    let html = render_html(&report);
    let said = html.find("Blind run").expect("a blind report says so");
    assert!(said < html.find(r#"id="summary""#).unwrap());
    assert!(!html.contains("Guided run"));

    report.guidance = hyperinterp_core::Guidance::from_given(vec![
        "hidden units told their input and side (the double-sided layout)".into(),
    ]);
    let html = render_html(&report);
    let said = html.find("Guided run").expect("a guided report says so");
    assert!(said < html.find(r#"id="summary""#).unwrap());
    assert!(html.contains("hidden units told their input and side"));
    assert!(!html.contains("Blind run"));
}

/// A representative's network in report.json is written exactly as one
/// network of the JSON export (`w` as `[m][n]` rows), reads back, and a
/// report written before (flat `w`) still reads; a malformed one is an error
/// naming the problem.
#[test]
fn representative_networks_use_the_export_layout_and_round_trip() {
    let report = sample_report();
    let text = report.to_json().unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (k, representative) in report.representatives.iter().enumerate() {
        let network = &representative.network;
        let export: serde_json::Value = serde_json::from_str(
            &hyperinterp_core::export::to_json_string(std::slice::from_ref(network)).unwrap(),
        )
        .unwrap();
        let written = &value["representatives"][k]["network"];
        assert_eq!(written, &export["networks"][0], "representative {k}");
        // Row j holds hidden neuron j's input weights.
        let rows = written["w"].as_array().unwrap();
        assert_eq!(rows.len(), network.m);
        for (j, row) in rows.iter().enumerate() {
            let row: Vec<f32> = serde_json::from_value(row.clone()).unwrap();
            assert_eq!(row, network.w[j * network.n..(j + 1) * network.n]);
        }
    }
    assert_eq!(Report::from_json(&text).unwrap(), report);

    // A report written with flat `w` (the layout of `Mlp` itself) reads too.
    let mut old = value.clone();
    for (k, representative) in report.representatives.iter().enumerate() {
        old["representatives"][k]["network"]["w"] = serde_json::json!(representative.network.w);
    }
    assert!(old["representatives"][0]["network"]["w"][0].is_number());
    assert_eq!(Report::from_json(&old.to_string()).unwrap(), report);

    // Rows of the wrong length, or a flat list of the wrong length, are
    // errors that name the weights.
    let mut ragged = value.clone();
    ragged["representatives"][0]["network"]["w"][1] = serde_json::json!([1.0]);
    let err = Report::from_json(&ragged.to_string())
        .unwrap_err()
        .to_string();
    assert!(err.contains("network.w"), "{err}");
    let mut short = old.clone();
    short["representatives"][1]["network"]["w"] = serde_json::json!([1.0, 2.0]);
    let err = Report::from_json(&short.to_string())
        .unwrap_err()
        .to_string();
    assert!(err.contains("network.w"), "{err}");
    let mut neither = value;
    neither["representatives"][0]["network"]["w"] = serde_json::json!("weights");
    let err = Report::from_json(&neither.to_string())
        .unwrap_err()
        .to_string();
    assert!(err.contains("m rows of n numbers"), "{err}");
}
