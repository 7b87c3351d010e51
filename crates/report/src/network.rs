//! Drawings of one network as a graph: inputs, hidden neurons and the output
//! as nodes, weights as edges (width ~ |weight|, colour ~ sign).

use std::fmt::Write as _;

use hyperinterp_core::{CoreError, Mlp, Result};

use crate::layout::{LayoutEdge, LayoutSettings, Point, fruchterman_reingold};
use crate::style::{HIDDEN_NODE, INPUT_NODE, NEGATIVE, OUTPUT_NODE, POSITIVE, escape};

/// Where the nodes go.
///
/// ```
/// use hyperinterp_report::{DrawingOptions, Layout};
/// let options = DrawingOptions { layout: Layout::Layered, ..Default::default() };
/// let svg = hyperinterp_report::draw_network(&hyperinterp_l1::double_sided(2, 4, 20.0)?, &options)?;
/// assert!(svg.contains("data-kind=\"output\""));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// Fruchterman–Reingold: connected neurons cluster, the algorithm's
    /// structure (pairs, a pudding neuron, a dense block) shows as shape.
    #[default]
    ForceDirected,
    /// Inputs left, hidden neurons in the middle (ordered by the input they
    /// read most), output right.
    Layered,
}

/// What to do with hidden neurons that do nothing (output weight ~0 or all
/// input weights ~0).
///
/// ```
/// use hyperinterp_report::{draw_network, DrawingOptions, UnusedNeurons};
/// let net = hyperinterp_l1::double_sided(2, 6, 20.0)?; // 2 of 6 hidden neurons unused
/// let faded = DrawingOptions { unused: UnusedNeurons::Fade, iterations: 20, ..Default::default() };
/// assert!(draw_network(&net, &faded)?.contains("2 unused hidden neurons faded"));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UnusedNeurons {
    /// Leave them out (their count is noted under the drawing).
    #[default]
    Hide,
    /// Draw them faded.
    Fade,
}

/// How [`draw_network`] draws.
///
/// ```
/// let options = hyperinterp_report::DrawingOptions { width: 400, height: 300, ..Default::default() };
/// assert!(options.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DrawingOptions {
    /// Node placement.
    pub layout: Layout,
    /// Canvas width in pixels (at least 200).
    pub width: u32,
    /// Canvas height in pixels (at least 200).
    pub height: u32,
    /// Seed of the force-directed layout's starting positions.
    pub seed: u64,
    /// Steps of the force-directed simulation (1 to 100 000).
    pub iterations: usize,
    /// Pull of every node towards the centre in the force-directed layout
    /// (finite, >= 0): keeps unconnected parts close; 0 is plain
    /// Fruchterman–Reingold.
    pub gravity: f64,
    /// Unused hidden neurons: hidden or faded.
    pub unused: UnusedNeurons,
    /// Edges weaker than this fraction of the largest `|weight|` of their
    /// layer are not drawn (in [0, 1)): keeps noise from hiding structure.
    pub min_edge_fraction: f64,
    /// Width in pixels of the strongest edge of each layer.
    pub max_edge_width: f64,
    /// Whether nodes are labelled `x_i`, `h_j`, `out`.
    pub labels: bool,
    /// A title drawn at the top, if any.
    pub title: Option<String>,
}

impl Default for DrawingOptions {
    fn default() -> Self {
        DrawingOptions {
            layout: Layout::ForceDirected,
            width: 560,
            height: 460,
            seed: 0,
            iterations: 400,
            gravity: 0.1,
            unused: UnusedNeurons::Hide,
            min_edge_fraction: 0.02,
            max_edge_width: 4.5,
            labels: true,
            title: None,
        }
    }
}

impl DrawingOptions {
    /// Errors naming the first option out of range.
    ///
    /// ```
    /// let options = hyperinterp_report::DrawingOptions { width: 10, ..Default::default() };
    /// assert!(options.validate().unwrap_err().to_string().contains("width"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(200..=10_000).contains(&self.width) {
            return Err(CoreError::config("width", "must be 200 to 10000 pixels"));
        }
        if !(200..=10_000).contains(&self.height) {
            return Err(CoreError::config("height", "must be 200 to 10000 pixels"));
        }
        if !(1..=100_000).contains(&self.iterations) {
            return Err(CoreError::config("iterations", "must be 1 to 100000"));
        }
        if !(self.gravity.is_finite() && self.gravity >= 0.0) {
            return Err(CoreError::config("gravity", "must be finite and >= 0"));
        }
        if !(self.min_edge_fraction >= 0.0 && self.min_edge_fraction < 1.0) {
            return Err(CoreError::config("min_edge_fraction", "must be in [0, 1)"));
        }
        if !(self.max_edge_width.is_finite() && self.max_edge_width > 0.0) {
            return Err(CoreError::config(
                "max_edge_width",
                "must be finite and > 0",
            ));
        }
        Ok(())
    }
}

/// A hidden neuron whose output weight, or whose every input weight, is below
/// this fraction of the largest in its layer does nothing visible.
const UNUSED_FRACTION: f32 = 1e-3;

/// Thinnest edge drawn, in pixels, so that weak edges stay visible.
const MIN_EDGE_WIDTH: f64 = 0.6;

/// Height of the legend strip at the bottom of the drawing.
const LEGEND_HEIGHT: f64 = 46.0;

#[derive(Clone, Copy, PartialEq)]
enum NodeKind {
    Input,
    Hidden,
    Output,
}

struct Node {
    kind: NodeKind,
    /// Input index, hidden index, or 0 for the output.
    index: usize,
    faded: bool,
}

struct Edge {
    from: usize,
    to: usize,
    weight: f32,
    /// `|weight|` over the largest `|weight|` of its layer, in (0, 1].
    strength: f64,
    layer: &'static str,
}

/// Hidden neurons that do nothing: output weight or all input weights ~0.
///
/// ```
/// use hyperinterp_core::Sign;
/// // pudding at n = 3 uses 4 of 6 hidden neurons
/// let net = hyperinterp_l1::pudding(3, 6, Sign::Positive, 20.0, 1.0)?;
/// assert_eq!(hyperinterp_report::unused_hidden_neurons(&net), vec![4, 5]);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn unused_hidden_neurons(mlp: &Mlp) -> Vec<usize> {
    let largest = |values: &[f32]| values.iter().fold(0f32, |top, v| top.max(v.abs()));
    let largest_output = largest(&mlp.a);
    let largest_input = largest(&mlp.w);
    (0..mlp.m)
        .filter(|&j| {
            let output = mlp.a.get(j).copied().unwrap_or(0.0).abs();
            let inputs = mlp
                .w
                .get(j * mlp.n..(j + 1) * mlp.n)
                .map(largest)
                .unwrap_or(0.0);
            output <= UNUSED_FRACTION * largest_output || inputs <= UNUSED_FRACTION * largest_input
        })
        .collect()
}

/// Draws a network as an SVG graph: green squares are inputs `x_i`, grey
/// circles hidden neurons `h_j`, the gold diamond the output; an edge's width
/// is `|weight|` relative to the largest of its layer (input→hidden and
/// hidden→output are scaled separately, since their magnitudes differ by
/// orders), red for positive and blue for negative weights. Unused hidden
/// neurons are hidden or faded ([`DrawingOptions::unused`]). Indices start
/// at 0, as in [`Mlp::row`].
///
/// An invalid network (wrong shapes, NaN weights) or options out of range are
/// errors.
///
/// ```
/// use hyperinterp_report::{draw_network, DrawingOptions};
/// let net = hyperinterp_l1::double_sided(3, 6, hyperinterp_l1::SHARPNESS)?;
/// let svg = draw_network(&net, &DrawingOptions { iterations: 50, ..Default::default() })?;
/// assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
/// assert_eq!(svg.matches("class=\"edge\"").count(), 12); // 6 input->hidden + 6 hidden->output
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn draw_network(mlp: &Mlp, options: &DrawingOptions) -> Result<String> {
    mlp.validate()?;
    options.validate()?;
    let unused = unused_hidden_neurons(mlp);
    let hidden_drawn: Vec<(usize, bool)> = (0..mlp.m)
        .filter_map(|j| match (unused.contains(&j), options.unused) {
            (false, _) => Some((j, false)),
            (true, UnusedNeurons::Fade) => Some((j, true)),
            (true, UnusedNeurons::Hide) => None,
        })
        .collect();

    let mut nodes: Vec<Node> = (0..mlp.n)
        .map(|i| Node {
            kind: NodeKind::Input,
            index: i,
            faded: false,
        })
        .collect();
    let first_hidden = nodes.len();
    nodes.extend(hidden_drawn.iter().map(|&(j, faded)| Node {
        kind: NodeKind::Hidden,
        index: j,
        faded,
    }));
    let output = nodes.len();
    nodes.push(Node {
        kind: NodeKind::Output,
        index: 0,
        faded: false,
    });

    let edges = collect_edges(mlp, &hidden_drawn, first_hidden, output, options);
    let width = f64::from(options.width);
    let height = f64::from(options.height);
    let title_height = if options.title.is_some() { 26.0 } else { 0.0 };
    // Room for node labels at the sides.
    let margin = 26.0;
    let frame = LayoutSettings {
        left: margin,
        top: title_height + margin,
        width: width - 2.0 * margin,
        height: height - title_height - LEGEND_HEIGHT - 2.0 * margin,
        iterations: options.iterations,
        seed: options.seed,
        gravity: options.gravity,
    };
    let positions = match options.layout {
        Layout::ForceDirected => {
            let layout_edges: Vec<LayoutEdge> = edges
                .iter()
                .map(|e| LayoutEdge {
                    from: e.from,
                    to: e.to,
                    strength: e.strength,
                })
                .collect();
            fruchterman_reingold(nodes.len(), &layout_edges, &frame)?
        }
        Layout::Layered => layered_positions(mlp, &nodes, &frame),
    };

    let node_radius = (160.0 / (nodes.len() as f64).sqrt()).clamp(4.0, 9.0);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="network" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif">"#,
        w = options.width,
        h = options.height
    );
    let _ = writeln!(
        svg,
        r##"<rect x="0" y="0" width="{}" height="{}" fill="#ffffff"/>"##,
        options.width, options.height
    );
    if let Some(title) = &options.title {
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="18" font-size="15" text-anchor="middle" font-weight="bold">{}</text>"#,
            width / 2.0,
            escape(title)
        );
    }
    // Thin edges first, so that strong edges are drawn on top.
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_by(|&i, &j| edges[i].strength.total_cmp(&edges[j].strength));
    // Dense networks (hundreds of edges) stay readable with lighter edges.
    let opacity = (0.85 - edges.len() as f64 / 500.0).clamp(0.4, 0.85);
    let _ = writeln!(svg, r#"<g class="edges" stroke-linecap="round">"#);
    for &e in &order {
        let edge = &edges[e];
        let faded = nodes[edge.from].faded || nodes[edge.to].faded;
        let (p, q) = (positions[edge.from], positions[edge.to]);
        let _ = writeln!(
            svg,
            r#"<line class="edge" data-layer="{}" data-weight="{}" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="{:.2}" stroke-opacity="{}"/>"#,
            edge.layer,
            edge.weight,
            p.x,
            p.y,
            q.x,
            q.y,
            if edge.weight > 0.0 {
                POSITIVE
            } else {
                NEGATIVE
            },
            edge_width(edge.strength, options.max_edge_width),
            if faded { 0.25 } else { opacity },
        );
    }
    let _ = writeln!(svg, "</g>");
    let _ = writeln!(
        svg,
        r##"<g class="nodes" stroke="#333333" stroke-width="1">"##
    );
    for (node, position) in nodes.iter().zip(&positions) {
        draw_node(&mut svg, node, *position, node_radius, options.labels);
    }
    let _ = writeln!(svg, "</g>");
    draw_legend(&mut svg, width, height, &unused, options.unused);
    svg.push_str("</svg>\n");
    Ok(svg)
}

fn edge_width(strength: f64, max_width: f64) -> f64 {
    let min_width = MIN_EDGE_WIDTH.min(max_width);
    min_width + (max_width - min_width) * strength.clamp(0.0, 1.0)
}

fn collect_edges(
    mlp: &Mlp,
    hidden_drawn: &[(usize, bool)],
    first_hidden: usize,
    output: usize,
    options: &DrawingOptions,
) -> Vec<Edge> {
    let largest = |values: &[f32]| values.iter().fold(0f32, |top, v| top.max(v.abs()));
    let largest_input = largest(&mlp.w);
    let largest_output = largest(&mlp.a);
    let mut edges = Vec::new();
    for (slot, &(j, _)) in hidden_drawn.iter().enumerate() {
        let hidden = first_hidden + slot;
        for (i, &weight) in mlp.row(j).iter().enumerate() {
            let strength = f64::from(weight.abs() / largest_input);
            if largest_input > 0.0 && strength > options.min_edge_fraction && weight != 0.0 {
                edges.push(Edge {
                    from: i,
                    to: hidden,
                    weight,
                    strength,
                    layer: "input-hidden",
                });
            }
        }
        let weight = mlp.a[j];
        let strength = f64::from(weight.abs() / largest_output);
        if largest_output > 0.0 && strength > options.min_edge_fraction && weight != 0.0 {
            edges.push(Edge {
                from: hidden,
                to: output,
                weight,
                strength,
                layer: "hidden-output",
            });
        }
    }
    edges
}

/// Inputs in a column on the left, hidden neurons in the middle sorted by the
/// input they read most (then by that weight's sign), output on the right.
fn layered_positions(mlp: &Mlp, nodes: &[Node], frame: &LayoutSettings) -> Vec<Point> {
    let column = |fraction: f64| frame.left + frame.width * fraction;
    let spread = |rank: usize, count: usize| {
        frame.top + frame.height * (rank as f64 + 0.5) / count.max(1) as f64
    };
    let mut hidden: Vec<usize> = (0..nodes.len())
        .filter(|&k| nodes[k].kind == NodeKind::Hidden)
        .collect();
    let sort_key = |k: usize| {
        let row = mlp.row(nodes[k].index);
        let (target, weight) = row
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| a.abs().total_cmp(&b.abs()))
            .map(|(i, w)| (i, *w))
            .unwrap_or((0, 0.0));
        (target, weight < 0.0, nodes[k].index)
    };
    hidden.sort_by_key(|&k| sort_key(k));
    let mut positions = vec![Point::default(); nodes.len()];
    for (rank, &k) in hidden.iter().enumerate() {
        positions[k] = Point {
            x: column(0.5),
            y: spread(rank, hidden.len()),
        };
    }
    for (k, node) in nodes.iter().enumerate() {
        match node.kind {
            NodeKind::Input => {
                positions[k] = Point {
                    x: column(0.05),
                    y: spread(node.index, mlp.n),
                }
            }
            NodeKind::Output => {
                positions[k] = Point {
                    x: column(0.95),
                    y: frame.top + frame.height / 2.0,
                }
            }
            NodeKind::Hidden => {}
        }
    }
    positions
}

fn draw_node(svg: &mut String, node: &Node, p: Point, radius: f64, labels: bool) {
    let opacity = if node.faded { 0.3 } else { 1.0 };
    let (kind, symbol) = match node.kind {
        NodeKind::Input => ("input", "x"),
        NodeKind::Hidden => ("hidden", "h"),
        NodeKind::Output => ("output", "out"),
    };
    let _ = write!(
        svg,
        r#"<g class="node" data-kind="{kind}" data-index="{}" data-x="{:.1}" data-y="{:.1}" opacity="{opacity}">"#,
        node.index, p.x, p.y
    );
    shape(svg, node.kind, p, radius);
    if labels {
        let label_x = p.x + radius + 2.0;
        let label_y = p.y - radius + 1.0;
        let _ = match node.kind {
            NodeKind::Output => write!(
                svg,
                r##"<text x="{label_x:.1}" y="{label_y:.1}" font-size="12" fill="#222222" stroke="#ffffff" stroke-width="2.5" paint-order="stroke">{symbol}</text>"##
            ),
            _ => write!(
                svg,
                r##"<text x="{label_x:.1}" y="{label_y:.1}" font-size="11" fill="#222222" stroke="#ffffff" stroke-width="2.5" paint-order="stroke">{symbol}<tspan font-size="8" dy="3">{}</tspan></text>"##,
                node.index
            ),
        };
    }
    let _ = writeln!(svg, "</g>");
}

fn shape(svg: &mut String, kind: NodeKind, p: Point, radius: f64) {
    let _ = match kind {
        NodeKind::Input => write!(
            svg,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{INPUT_NODE}"/>"#,
            p.x - radius,
            p.y - radius,
            2.0 * radius,
            2.0 * radius
        ),
        NodeKind::Hidden => write!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="{radius:.1}" fill="{HIDDEN_NODE}"/>"#,
            p.x, p.y
        ),
        NodeKind::Output => {
            let r = radius * 1.4;
            write!(
                svg,
                r#"<polygon points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="{OUTPUT_NODE}"/>"#,
                p.x,
                p.y - r,
                p.x + r,
                p.y,
                p.x,
                p.y + r,
                p.x - r,
                p.y
            )
        }
    };
}

fn draw_legend(svg: &mut String, width: f64, height: f64, unused: &[usize], mode: UnusedNeurons) {
    let top = height - LEGEND_HEIGHT;
    let _ = writeln!(
        svg,
        r##"<g class="legend" font-size="11" fill="#222222"><line x1="6" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#cccccc"/>"##,
        top,
        width - 6.0,
        top
    );
    let row = top + 16.0;
    let mut x = 10.0;
    for kind in [NodeKind::Input, NodeKind::Hidden, NodeKind::Output] {
        let _ = write!(svg, r##"<g stroke="#333333">"##);
        shape(
            svg,
            kind,
            Point {
                x: x + 5.0,
                y: row - 4.0,
            },
            5.0,
        );
        let _ = write!(svg, "</g>");
        let name = match kind {
            NodeKind::Input => "input",
            NodeKind::Hidden => "hidden",
            NodeKind::Output => "output",
        };
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{row:.1}">{name}</text>"#,
            x + 14.0
        );
        x += 14.0 + 7.0 * name.len() as f64 + 12.0;
    }
    for (colour, name) in [(POSITIVE, "positive weight"), (NEGATIVE, "negative weight")] {
        let _ = write!(
            svg,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="3"/><text x="{:.1}" y="{row:.1}">{name}</text>"#,
            row - 4.0,
            x + 20.0,
            row - 4.0,
            x + 24.0
        );
        x += 24.0 + 6.5 * name.len() as f64 + 12.0;
    }
    let mut note = "edge width ~ |weight| (per layer)".to_string();
    if !unused.is_empty() {
        let verb = match mode {
            UnusedNeurons::Hide => "not drawn",
            UnusedNeurons::Fade => "faded",
        };
        let _ = write!(note, "; {} unused hidden neurons {verb}", unused.len());
    }
    let _ = writeln!(
        svg,
        r##"<text x="10" y="{:.1}" fill="#555555">{}</text></g>"##,
        row + 18.0,
        escape(&note)
    );
}
