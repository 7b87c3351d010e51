//! # hyperinterp-report
//!
//! Turns the results of a hyperinterp run into something a person can look
//! at. A [`Report`] holds what the main job measured — phases by beta, by
//! training step, at unseen input sizes, the Adam baseline, representative
//! networks — and is exactly the content of `report.json`. From it this
//! crate draws SVG figures: each network as a force-directed graph
//! ([`draw_network`], a seeded [Fruchterman–Reingold](layout) layout; edge
//! width ~ |weight|, red positive, blue negative) and as a
//! [`weight_heatmap`], and plots with plotters ([`phase_diagram_by_beta`],
//! [`pareto_front`], [`phase_diagram_by_step`], [`generalization_plot`]).
//! [`render_html`] puts all of it on one self-contained page (no external
//! resources), and [`write_report`] writes `report.json`, `report.html` and
//! `networks.safetensors` to a folder.
//!
//! Algorithm labels are plain strings (see [`LABELS`]); this crate does not
//! compute them. Bad input (a network with NaN weights, options out of
//! range) is a [`CoreError`](hyperinterp_core::CoreError); empty or NaN rows
//! give an "empty" figure, never a panic.
//!
//! ```
//! use hyperinterp_report::{draw_network, render_html, BetaRow, DrawingOptions, Fractions, Report, Representative};
//! let network = hyperinterp_l1::double_sided(3, 6, hyperinterp_l1::SHARPNESS)?;
//! let svg = draw_network(&network, &DrawingOptions { iterations: 50, ..Default::default() })?;
//! assert!(svg.contains("class=\"edge\""));
//! let report = Report {
//!     phases_by_beta: vec![BetaRow {
//!         beta: 1e-3, nmse: 4e-4, kl: 310.0,
//!         fractions: Fractions { double_sided: 1.0, ..Default::default() },
//!         ..Default::default()
//!     }],
//!     representatives: vec![Representative {
//!         label: "double_sided".into(), beta: 1e-3, nmse: 4e-4,
//!         description: "f(x) = sum_i x_i tanh(10 x_i)".into(), network,
//!     }],
//!     ..Default::default()
//! };
//! let html = render_html(&report);
//! assert!(html.contains("double sided") && !html.contains("https://"));
//! # Ok::<(), hyperinterp_core::CoreError>(())
//! ```

pub mod heatmap;
pub mod html;
pub mod layout;
pub mod network;
pub mod plots;
pub mod report;
pub mod style;

pub use heatmap::weight_heatmap;
pub use html::{render_html, write_report};
pub use network::{DrawingOptions, Layout, UnusedNeurons, draw_network, unused_hidden_neurons};
pub use plots::{generalization_plot, pareto_front, phase_diagram_by_beta, phase_diagram_by_step};
pub use report::{
    AdamBaselineSummary, BetaRow, Fractions, GeneralizationRow, LABELS, OrderParameters,
    RefinementRow, Report, Representative, SizePhases, StepRow, pareto_front_indices,
};
