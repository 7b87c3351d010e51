//! The self-contained HTML page and the files of a report folder.

use std::fmt::Write as _;
use std::path::Path;

use hyperinterp_core::{CoreError, Result, export};

use crate::heatmap::weight_heatmap;
use crate::network::{DrawingOptions, Layout, draw_network};
use crate::plots::{
    generalization_plot, pareto_front, phase_diagram_by_beta, phase_diagram_by_step,
};
use crate::report::{Fractions, Report, pareto_front_indices};
use crate::style::{beta_text, escape, label_hex, short_number};

/// The report's data inside a report folder.
///
/// ```
/// assert_eq!(hyperinterp_report::html::REPORT_JSON, "report.json");
/// ```
pub const REPORT_JSON: &str = "report.json";
/// The page inside a report folder.
///
/// ```
/// assert_eq!(hyperinterp_report::html::REPORT_HTML, "report.html");
/// ```
pub const REPORT_HTML: &str = "report.html";
/// The representative networks, in the order of `representatives`.
///
/// ```
/// assert_eq!(hyperinterp_report::html::NETWORKS_SAFETENSORS, "networks.safetensors");
/// ```
pub const NETWORKS_SAFETENSORS: &str = "networks.safetensors";

const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1180px; padding: 0 20px 40px; color: #222; line-height: 1.45; }
header { border-bottom: 2px solid #ddd; margin-bottom: 8px; }
h1 { margin: 18px 0 6px; font-size: 26px; }
h2 { margin-top: 34px; border-bottom: 1px solid #e4e4e4; padding-bottom: 4px; font-size: 21px; }
h3 { margin: 0 0 8px; font-size: 17px; }
nav a { margin-right: 14px; color: #0b5cad; text-decoration: none; font-size: 14px; }
.guidance { font-size: 16px; padding: 8px 12px; border-radius: 4px; }
.guidance.blind { background: #e6f4ea; border: 1px solid #9ccfaa; }
.guidance.guided { background: #fde8e4; border: 1px solid #f0a898; }
.notes { background: #fff6d6; border: 1px solid #f0d98a; padding: 6px 12px; border-radius: 4px; }
.meta { color: #555; font-size: 14px; }
table { border-collapse: collapse; font-size: 13.5px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; vertical-align: middle; white-space: nowrap; }
td.wrap { white-space: normal; min-width: 260px; }
th { background: #f4f5f7; white-space: normal; }
.table { overflow-x: auto; max-width: 100%; }
td.text, th.text { text-align: left; }
tr:nth-child(even) td { background: #fafafa; }
.chip { display: inline-flex; align-items: center; gap: 5px; white-space: nowrap; }
.chip i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; }
.bar { display: inline-flex; width: 120px; height: 11px; background: #f0f0f0; vertical-align: middle; margin-right: 6px; }
.bar span { display: block; height: 100%; }
.shares { color: #555; font-size: 12px; }
figure { margin: 14px 0; }
figcaption { color: #555; font-size: 13.5px; max-width: 860px; }
svg { max-width: 100%; height: auto; }
.pair { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.pair > div { border: 1px solid #eee; }
article { border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; margin: 16px 0; }
pre { background: #f6f8fa; border: 1px solid #e3e3e3; padding: 10px; overflow-x: auto; font-size: 13px; white-space: pre-wrap; word-break: break-word; }
.empty { color: #777; font-style: italic; }
.error { color: #a00; }
details summary { cursor: pointer; color: #0b5cad; margin: 6px 0; }
"#;

/// Removes the SVG namespace declaration: inline SVG in HTML does not need
/// it, and the page then names no URL at all.
fn inline_svg(svg: &str) -> String {
    svg.replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1)
}

fn figure_or_error(figure: Result<String>) -> String {
    match figure {
        Ok(svg) => inline_svg(&svg),
        Err(error) => format!(
            r#"<p class="error">This figure could not be drawn: {}</p>"#,
            escape(&error.to_string())
        ),
    }
}

fn label_chip(label: Option<&str>) -> String {
    match label {
        Some(label) => format!(
            r#"<span class="chip"><i style="background:{}"></i>{}</span>"#,
            label_hex(label),
            escape(&label.replace('_', " "))
        ),
        None => r#"<span class="empty">none</span>"#.to_string(),
    }
}

/// A small stacked bar and the non-zero shares, largest first.
fn fractions_cell(fractions: &Fractions) -> String {
    let mut entries: Vec<(&str, f64)> = fractions
        .entries()
        .into_iter()
        .filter(|(_, value)| value.is_finite() && *value > 0.0)
        .collect();
    // Shares that round to 0% only add noise to the text (the bar keeps them).
    let shown = |value: &f64| *value >= 0.005;
    let mut bar = String::from(r#"<span class="bar">"#);
    for (label, value) in &entries {
        let _ = write!(
            bar,
            r#"<span style="width:{:.1}%;background:{}" title="{} {:.0}%"></span>"#,
            (value * 100.0).min(100.0),
            label_hex(label),
            escape(label),
            value * 100.0
        );
    }
    bar.push_str("</span>");
    entries.sort_by(|a, b| b.1.total_cmp(&a.1));
    let shares: Vec<String> = entries
        .iter()
        .filter(|(_, value)| shown(value))
        .map(|(label, value)| format!("{} {:.0}%", label.replace('_', " "), value * 100.0))
        .collect();
    format!(
        r#"{bar}<span class="shares">{}</span>"#,
        escape(&shares.join(", "))
    )
}

fn optional_number(value: Option<f64>) -> String {
    value.map(short_number).unwrap_or_else(|| "–".into())
}

fn summary_section(report: &Report, html: &mut String) {
    let _ = writeln!(html, r#"<section id="summary"><h2>Summary by beta</h2>"#);
    if report.phases_by_beta.is_empty() {
        let _ = writeln!(html, r#"<p class="empty">No beta rows.</p></section>"#);
        return;
    }
    let front = pareto_front_indices(&report.phases_by_beta);
    let _ = writeln!(
        html,
        r#"<div class="table"><table><thead><tr><th>beta</th><th class="text">majority label</th><th class="text">label fractions</th><th>NMSE</th><th>NMSE (mean weights)</th><th class="text">majority (mean weights)</th><th>KL (nats)</th><th>locality L</th><th>double-sidedness D</th><th>pudding slope P</th><th>networks</th><th>Pareto front</th></tr></thead><tbody>"#
    );
    for (index, row) in report.phases_by_beta.iter().enumerate() {
        let order = &row.order_parameters;
        let _ = writeln!(
            html,
            r#"<tr><td>{}</td><td class="text">{}</td><td class="text wrap">{}</td><td>{}</td><td>{}</td><td class="text">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(&beta_text(row.beta)),
            label_chip(row.fractions.majority()),
            fractions_cell(&row.fractions),
            short_number(row.nmse),
            optional_number(row.nmse_mean_weights),
            row.mean_weight_fractions
                .as_ref()
                .map(|f| label_chip(f.majority()))
                .unwrap_or_else(|| "–".into()),
            short_number(row.kl),
            short_number(order.locality),
            short_number(order.double_sidedness),
            short_number(order.pudding_slope),
            row.networks
                .map(|n| n.to_string())
                .unwrap_or_else(|| "–".into()),
            if front.contains(&index) { "yes" } else { "" },
        );
    }
    let _ = writeln!(html, "</tbody></table></div></section>");
}

/// The majority label as a chip, with its share.
fn majority_cell(fractions: &Fractions) -> String {
    let majority = fractions.majority();
    let share = majority.and_then(|label| fractions.get(label));
    format!(
        "{} {}",
        label_chip(majority),
        share.map_or(String::new(), |share| format!("{:.0}%", share * 100.0))
    )
}

/// The majority label per beta at each trained size: one column per size.
fn sizes_section(report: &Report, html: &mut String) {
    if report.phases_by_size.is_empty() {
        return;
    }
    let _ = writeln!(
        html,
        r#"<section id="by-size"><h2>Majority label by trained size</h2><p>The same networks as the summary, split by the size they were generated at: phase boundaries move with n, so a phase can lead at each size in turn and still miss the pooled majority.</p>"#
    );
    let _ = write!(
        html,
        r#"<div class="table"><table><thead><tr><th>beta</th>"#
    );
    for sized in &report.phases_by_size {
        let _ = write!(
            html,
            r#"<th class="text">n = {}, m = {}</th>"#,
            sized.n, sized.m
        );
    }
    let _ = writeln!(html, "</tr></thead><tbody>");
    let rows = report
        .phases_by_size
        .iter()
        .map(|sized| sized.phases_by_beta.len())
        .max()
        .unwrap_or(0);
    for index in 0..rows {
        let beta = report
            .phases_by_size
            .iter()
            .find_map(|sized| sized.phases_by_beta.get(index))
            .map_or(f64::NAN, |row| row.beta);
        let _ = write!(html, "<tr><td>{}</td>", escape(&beta_text(beta)));
        for sized in &report.phases_by_size {
            let cell = match sized.phases_by_beta.get(index) {
                Some(row) => majority_cell(&row.fractions),
                None => "–".into(),
            };
            let _ = write!(html, r#"<td class="text">{cell}</td>"#);
        }
        let _ = writeln!(html, "</tr>");
    }
    let _ = writeln!(html, "</tbody></table></div></section>");
}

/// The amortisation gap: generated networks, then refined by the same
/// objective; their majority labels and free energies side by side.
fn refinement_section(report: &Report, html: &mut String) {
    if report.refinement.is_empty() {
        return;
    }
    let _ = writeln!(
        html,
        r#"<section id="refinement"><h2>Refined by the objective</h2><p>Networks the generator wrote at a beta, each then refined by gradient descent on the same objective (NMSE + beta · KL of its own weight posterior, from its mean weights). The refined label is the algorithm whose basin the generator wrote the network in; the drop in free energy is the amortisation gap, what a better-trained generator could gain. Rows at sizes the generator was not trained on show where else the objective leads: at small n and moderate beta it prefers double-sided.</p>"#
    );
    let _ = writeln!(
        html,
        r#"<div class="table"><table><thead><tr><th>n</th><th>m</th><th class="text">trained at this size</th><th>beta</th><th>networks</th><th>free energy generated</th><th>refined</th><th>NMSE generated</th><th>refined</th><th class="text">majority generated</th><th class="text">majority refined</th></tr></thead><tbody>"#
    );
    for row in &report.refinement {
        let _ = writeln!(
            html,
            r#"<tr><td>{}</td><td>{}</td><td class="text">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="text">{}</td><td class="text">{}</td></tr>"#,
            row.n,
            row.m,
            if row.trained {
                "trained"
            } else {
                "never trained"
            },
            escape(&beta_text(row.beta)),
            row.networks,
            short_number(row.generated_free_energy),
            short_number(row.refined_free_energy),
            short_number(row.generated_nmse),
            short_number(row.refined_nmse),
            majority_cell(&row.generated_fractions),
            majority_cell(&row.refined_fractions),
        );
    }
    let _ = writeln!(html, "</tbody></table></div></section>");
}

fn figures_section(report: &Report, html: &mut String) {
    let _ = writeln!(html, r#"<section id="figures"><h2>Figures</h2>"#);
    let figures: [(&str, Result<String>, &str); 4] = [
        (
            "figure-phases-by-beta",
            phase_diagram_by_beta(&report.phases_by_beta),
            "Fraction of each algorithm label among the networks sampled at each beta (rows at one beta averaged).",
        ),
        (
            "figure-pareto-front",
            pareto_front(&report.phases_by_beta),
            "NMSE against KL (description length, nats) over the beta grid; filled points are sampled networks coloured by their majority label, hollow points the mean-weight networks; the line joins the rows no other row beats in both.",
        ),
        (
            "figure-phases-by-step",
            phase_diagram_by_step(&report.phases_by_step),
            "Label fractions at training checkpoints, one panel per beta.",
        ),
        (
            "figure-generalization",
            generalization_plot(&report.generalization),
            "NMSE at each input size n; filled points: sizes the hypernetwork was trained at (shaded bands), hollow points: sizes it never saw; colour: majority label.",
        ),
    ];
    for (id, figure, caption) in figures {
        let _ = writeln!(
            html,
            r#"<figure id="{id}">{}<figcaption>{}</figcaption></figure>"#,
            figure_or_error(figure),
            escape(caption)
        );
    }
    let _ = writeln!(html, "</section>");
}

fn steps_section(report: &Report, html: &mut String) {
    let _ = writeln!(
        html,
        r#"<section id="phases-by-step"><h2>Phases over training time</h2>"#
    );
    if report.phases_by_step.is_empty() {
        let _ = writeln!(
            html,
            r#"<p class="empty">No checkpoint rows.</p></section>"#
        );
        return;
    }
    let _ = writeln!(
        html,
        r#"<div class="table"><table><thead><tr><th>step</th><th>beta</th><th class="text">majority label</th><th class="text">label fractions</th><th>NMSE</th><th>KL (nats)</th><th>locality L</th><th>double-sidedness D</th><th>pudding slope P</th></tr></thead><tbody>"#
    );
    for row in &report.phases_by_step {
        let order = row.order_parameters.as_ref();
        let _ = writeln!(
            html,
            r#"<tr><td>{}</td><td>{}</td><td class="text">{}</td><td class="text wrap">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            row.step,
            escape(&beta_text(row.beta)),
            label_chip(row.fractions.majority()),
            fractions_cell(&row.fractions),
            optional_number(row.nmse),
            optional_number(row.kl),
            optional_number(order.map(|o| o.locality)),
            optional_number(order.map(|o| o.double_sidedness)),
            optional_number(order.map(|o| o.pudding_slope)),
        );
    }
    let _ = writeln!(html, "</tbody></table></div></section>");
}

fn generalization_section(report: &Report, html: &mut String) {
    let _ = writeln!(
        html,
        r#"<section id="generalization"><h2>Systematic generalisation</h2>"#
    );
    if report.generalization.is_empty() {
        let _ = writeln!(
            html,
            r#"<p class="empty">No generalisation rows.</p></section>"#
        );
        return;
    }
    let _ = writeln!(
        html,
        r#"<div class="table"><table><thead><tr><th>n</th><th>m</th><th class="text">trained at this size</th><th>beta</th><th>NMSE</th><th class="text">majority label</th><th class="text">label fractions</th></tr></thead><tbody>"#
    );
    for row in &report.generalization {
        let _ = writeln!(
            html,
            r#"<tr><td>{}</td><td>{}</td><td class="text">{}</td><td>{}</td><td>{}</td><td class="text">{}</td><td class="text wrap">{}</td></tr>"#,
            row.n,
            row.m,
            if row.trained {
                "trained"
            } else {
                "never trained"
            },
            escape(&beta_text(row.beta)),
            short_number(row.nmse),
            label_chip(row.fractions.majority()),
            fractions_cell(&row.fractions),
        );
    }
    let _ = writeln!(html, "</tbody></table></div></section>");
}

fn baseline_section(report: &Report, html: &mut String) {
    let baseline = &report.adam_baseline;
    let label = if baseline.label.is_empty() {
        None
    } else {
        Some(baseline.label.as_str())
    };
    let description = baseline
        .description
        .as_deref()
        .map(|text| format!("<pre class=\"formula\">{}</pre>", escape(text)))
        .unwrap_or_default();
    let _ = writeln!(
        html,
        r#"<section id="adam-baseline"><h2>Adam baseline</h2><p>The same MLP trained directly with Adam: NMSE <b>{}</b>, label {}.</p>{}</section>"#,
        short_number(baseline.nmse),
        label_chip(label),
        description
    );
}

fn representatives_section(report: &Report, html: &mut String) {
    let _ = writeln!(
        html,
        r#"<section id="representatives"><h2>Representative networks</h2>"#
    );
    if report.representatives.is_empty() {
        let _ = writeln!(
            html,
            r#"<p class="empty">No representative networks.</p></section>"#
        );
        return;
    }
    let _ = writeln!(
        html,
        r#"<p class="meta">Drawings: green squares are inputs x<sub>i</sub>, grey circles hidden neurons h<sub>j</sub>, the gold diamond the output; edge width ~ |weight| (scaled per layer), red positive, blue negative; indices start at 0. <code>{NETWORKS_SAFETENSORS}</code> holds these networks as <code>net0</code>, <code>net1</code>, … in this order. Each is the most accurate network of its label; its NMSE, and the label that NMSE gives, are measured again on fresh inputs after the choice (the lowest of many NMSEs is biased low).</p>"#
    );
    for (index, representative) in report.representatives.iter().enumerate() {
        let network = &representative.network;
        let _ = writeln!(
            html,
            r#"<article id="representative-{index}"><h3>net{index}: {} &nbsp;·&nbsp; β = {} &nbsp;·&nbsp; NMSE {} &nbsp;·&nbsp; n = {}, m = {}, {}</h3><pre class="formula">{}</pre><div class="pair"><div>{}</div><div>{}</div></div><details><summary>layered drawing</summary>{}</details></article>"#,
            label_chip(Some(&representative.label)),
            escape(&beta_text(representative.beta)),
            short_number(representative.nmse),
            network.n,
            network.m,
            escape(network.activation.name()),
            escape(&representative.description),
            figure_or_error(draw_network(network, &DrawingOptions::default())),
            figure_or_error(weight_heatmap(network)),
            figure_or_error(draw_network(
                network,
                &DrawingOptions {
                    layout: Layout::Layered,
                    ..Default::default()
                }
            )),
        );
    }
    let _ = writeln!(html, "</section>");
}

/// The report as one self-contained HTML page: inline CSS and inline SVG
/// figures, no scripts and no external resources, so it reads offline. It
/// has a summary table by beta, the four plots, the tables over training
/// steps and over input sizes, the Adam baseline, each representative
/// network (formula, force-directed drawing, heatmap) and the configuration.
/// A figure that cannot be drawn shows as an error message in its place.
///
/// ```
/// let html = hyperinterp_report::render_html(&hyperinterp_report::Report::default());
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(html.contains("Blind run")); // the default report is of a blind run
/// assert!(html.contains(r#"id="config""#));
/// assert!(!html.contains("http://") && !html.contains("https://"));
/// ```
pub fn render_html(report: &Report) -> String {
    let mut html = String::new();
    let title = escape(&report.title);
    let _ = writeln!(
        html,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><style>{STYLE}</style></head><body>
<header><h1>{title}</h1>"#
    );
    // Blind or guided, before anything else: a reader must not take a
    // guided result for a discovery.
    let _ = writeln!(
        html,
        r#"<p id="guidance" class="guidance {}">{}</p>"#,
        if report.guidance.blind {
            "blind"
        } else {
            "guided"
        },
        escape(&report.guidance.sentence())
    );
    for note in &report.notes {
        let _ = writeln!(html, r#"<p class="notes">{}</p>"#, escape(note));
    }
    let _ = writeln!(
        html,
        r##"<p class="meta">Wall time {} s · rows: {} by beta, {} by training step, {} for generalisation · representative networks: {}</p>
<nav><a href="#summary">summary</a>{}{}<a href="#figures">figures</a><a href="#phases-by-step">training time</a><a href="#generalization">generalisation</a><a href="#adam-baseline">Adam baseline</a><a href="#representatives">networks</a><a href="#config">configuration</a></nav></header>"##,
        short_number(report.wall_seconds),
        report.phases_by_beta.len(),
        report.phases_by_step.len(),
        report.generalization.len(),
        report.representatives.len(),
        if report.phases_by_size.is_empty() {
            ""
        } else {
            r##"<a href="#by-size">by size</a>"##
        },
        if report.refinement.is_empty() {
            ""
        } else {
            r##"<a href="#refinement">refined</a>"##
        }
    );
    summary_section(report, &mut html);
    sizes_section(report, &mut html);
    refinement_section(report, &mut html);
    figures_section(report, &mut html);
    steps_section(report, &mut html);
    generalization_section(report, &mut html);
    baseline_section(report, &mut html);
    representatives_section(report, &mut html);
    let config = serde_json::to_string_pretty(&report.config)
        .unwrap_or_else(|error| format!("(configuration not printable: {error})"));
    let _ = writeln!(
        html,
        r#"<section id="config"><h2>Configuration</h2><pre>{}</pre></section>
<footer class="meta"><p>Written by hyperinterp-report {}.</p></footer>
</body></html>"#,
        escape(&config),
        env!("CARGO_PKG_VERSION")
    );
    html
}

/// Writes a report folder: `report.json`, `report.html` (from
/// [`render_html`]) and `networks.safetensors` (the representatives'
/// networks, in order), each atomically; creates the folder if needed.
///
/// ```
/// let dir = std::env::temp_dir().join("hyperinterp-report-doc-write");
/// hyperinterp_report::write_report(&dir, &hyperinterp_report::Report::default())?;
/// assert!(dir.join("report.html").exists() && dir.join("networks.safetensors").exists());
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn write_report(dir: &Path, report: &Report) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| CoreError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let networks: Vec<_> = report
        .representatives
        .iter()
        .map(|representative| representative.network.clone())
        .collect();
    // The networks first: an invalid one is an error before any file is replaced.
    let network_bytes = export::to_safetensors_bytes(&networks)?;
    export::write_atomic(&dir.join(REPORT_JSON), report.to_json()?.as_bytes())?;
    export::write_atomic(&dir.join(REPORT_HTML), render_html(report).as_bytes())?;
    export::write_atomic(&dir.join(NETWORKS_SAFETENSORS), &network_bytes)
}
