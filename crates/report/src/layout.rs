//! Fruchterman–Reingold force-directed graph layout (1991), seeded and
//! deterministic, with a weak pull towards the centre so that parts of the
//! graph that are not connected stay in view.
//!
//! No layout crate on crates.io fitted: `fdg-sim` is unmaintained and pulls
//! in petgraph and glam, `forceatlas2` is AGPL, `layout-rs` draws layered
//! (graphviz-style) diagrams only. The algorithm is short, so it lives here.

use hyperinterp_core::{CoreError, Result};

/// A point on the canvas, in pixels (y grows downwards, as in SVG).
///
/// ```
/// let origin = hyperinterp_report::layout::Point::default();
/// assert_eq!((origin.x, origin.y), (0.0, 0.0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position.
    pub y: f64,
}

/// An edge between two nodes, pulling them together in proportion to its
/// strength (typically `|weight|` divided by the largest `|weight|`).
///
/// ```
/// let edge = hyperinterp_report::layout::LayoutEdge { from: 0, to: 1, strength: 0.5 };
/// assert!(edge.strength <= 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutEdge {
    /// Index of one end.
    pub from: usize,
    /// Index of the other end.
    pub to: usize,
    /// Attraction multiplier, finite and >= 0.
    pub strength: f64,
}

/// The rectangle nodes are laid out in, and how to simulate.
///
/// ```
/// let settings = hyperinterp_report::layout::LayoutSettings { width: 640.0, ..Default::default() };
/// assert_eq!(settings.gravity, 0.1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutSettings {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Width, > 0.
    pub width: f64,
    /// Height, > 0.
    pub height: f64,
    /// Number of simulation steps (the temperature cools linearly to 0 over them).
    pub iterations: usize,
    /// Seed of the initial random positions.
    pub seed: u64,
    /// Strength of the pull towards the frame's centre, >= 0: like an edge
    /// from every node to the centre. 0 is plain Fruchterman–Reingold.
    pub gravity: f64,
}

impl Default for LayoutSettings {
    fn default() -> Self {
        LayoutSettings {
            left: 0.0,
            top: 0.0,
            width: 400.0,
            height: 300.0,
            iterations: 300,
            seed: 0,
            gravity: 0.1,
        }
    }
}

/// SplitMix64: a tiny, well-mixed generator, enough for initial positions,
/// and it keeps this crate free of a random-number dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Lays out `node_count` nodes with Fruchterman–Reingold: every pair repels
/// with force `k^2 / d`, every edge attracts with `strength * d^2 / k`, where
/// `k = sqrt(area / nodes)`, and every node is pulled to the centre with
/// `gravity * d^2 / k`; each step moves a node by at most the current
/// temperature, which starts at a tenth of the frame's larger side and cools
/// linearly to 0. Nodes move freely (clamping them to the frame, as the
/// original paper does, piles them up along its sides); the result is then
/// stretched into the frame with [`fit_to_frame`]. The same inputs give the
/// same positions.
///
/// An edge naming a missing node, a negative or non-finite strength or
/// gravity, or an empty frame is an error.
///
/// ```
/// use hyperinterp_report::layout::{fruchterman_reingold, LayoutEdge, LayoutSettings};
/// let settings = LayoutSettings { width: 100.0, height: 100.0, seed: 7, ..Default::default() };
/// // a path a - b - c: the ends end up further apart than neighbours
/// let edges = [LayoutEdge { from: 0, to: 1, strength: 1.0 }, LayoutEdge { from: 1, to: 2, strength: 1.0 }];
/// let p = fruchterman_reingold(3, &edges, &settings)?;
/// let distance = |i: usize, j: usize| ((p[i].x - p[j].x).powi(2) + (p[i].y - p[j].y).powi(2)).sqrt();
/// assert!(distance(0, 2) > distance(0, 1));
/// assert!(p.iter().all(|q| (0.0..=100.0).contains(&q.x) && (0.0..=100.0).contains(&q.y)));
/// assert_eq!(p, fruchterman_reingold(3, &edges, &settings)?); // deterministic
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn fruchterman_reingold(
    node_count: usize,
    edges: &[LayoutEdge],
    settings: &LayoutSettings,
) -> Result<Vec<Point>> {
    let frame = settings;
    let frame_values = [frame.left, frame.top, frame.width, frame.height];
    if frame_values.iter().any(|v| !v.is_finite()) || frame.width <= 0.0 || frame.height <= 0.0 {
        return Err(CoreError::config(
            "layout frame",
            format!("must be finite with positive width and height, got {frame:?}"),
        ));
    }
    if !(settings.gravity.is_finite() && settings.gravity >= 0.0) {
        return Err(CoreError::config(
            "gravity",
            format!("must be finite and >= 0, got {}", settings.gravity),
        ));
    }
    for edge in edges {
        if edge.from >= node_count || edge.to >= node_count {
            return Err(CoreError::config(
                "layout edge",
                format!("{edge:?} names a node beyond the {node_count} nodes"),
            ));
        }
        if !(edge.strength.is_finite() && edge.strength >= 0.0) {
            return Err(CoreError::config(
                "layout edge",
                format!("strength must be finite and >= 0, got {edge:?}"),
            ));
        }
    }
    let mut random = SplitMix64(frame.seed);
    let mut positions: Vec<Point> = (0..node_count)
        .map(|_| Point {
            x: frame.left + frame.width * random.next_unit(),
            y: frame.top + frame.height * random.next_unit(),
        })
        .collect();
    if node_count < 2 {
        return Ok(fit_to_frame(&positions, frame));
    }
    let centre = Point {
        x: frame.left + frame.width / 2.0,
        y: frame.top + frame.height / 2.0,
    };
    let k = (frame.width * frame.height / node_count as f64).sqrt();
    let initial_temperature = frame.width.max(frame.height) / 10.0;
    // Below this distance two nodes count as touching: avoids dividing by 0.
    let touching = 1e-3 * k;
    let mut displacement = vec![Point::default(); node_count];
    for iteration in 0..frame.iterations {
        displacement.fill(Point::default());
        for i in 0..node_count {
            for j in (i + 1)..node_count {
                let (mut dx, mut dy) = (
                    positions[i].x - positions[j].x,
                    positions[i].y - positions[j].y,
                );
                let mut distance = (dx * dx + dy * dy).sqrt();
                if distance < touching {
                    // Coincident nodes: push apart along a fixed, index-dependent direction.
                    let angle = (i * 7 + j * 13) as f64;
                    (dx, dy, distance) = (angle.cos() * touching, angle.sin() * touching, touching);
                }
                let force = k * k / distance;
                let (fx, fy) = (dx / distance * force, dy / distance * force);
                displacement[i].x += fx;
                displacement[i].y += fy;
                displacement[j].x -= fx;
                displacement[j].y -= fy;
            }
        }
        for edge in edges.iter().filter(|e| e.from != e.to) {
            let dx = positions[edge.from].x - positions[edge.to].x;
            let dy = positions[edge.from].y - positions[edge.to].y;
            let distance = (dx * dx + dy * dy).sqrt().max(touching);
            let force = edge.strength * distance * distance / k;
            let (fx, fy) = (dx / distance * force, dy / distance * force);
            displacement[edge.from].x -= fx;
            displacement[edge.from].y -= fy;
            displacement[edge.to].x += fx;
            displacement[edge.to].y += fy;
        }
        for (position, moved) in positions.iter().zip(displacement.iter_mut()) {
            let (dx, dy) = (position.x - centre.x, position.y - centre.y);
            let distance = (dx * dx + dy * dy).sqrt();
            if distance > touching {
                let force = settings.gravity * distance / k;
                moved.x -= dx * force;
                moved.y -= dy * force;
            }
        }
        let temperature = initial_temperature * (1.0 - iteration as f64 / frame.iterations as f64);
        for (position, moved) in positions.iter_mut().zip(&displacement) {
            let length = (moved.x * moved.x + moved.y * moved.y).sqrt();
            if length > 0.0 && length.is_finite() {
                let step = length.min(temperature) / length;
                position.x += moved.x * step;
                position.y += moved.y * step;
            }
        }
    }
    Ok(fit_to_frame(&positions, frame))
}

/// Stretches positions uniformly (same factor in x and y, so the drawing
/// keeps its shape) and centres them, so that they fill the frame.
///
/// ```
/// use hyperinterp_report::layout::{fit_to_frame, LayoutSettings, Point};
/// let frame = LayoutSettings { left: 0.0, top: 0.0, width: 100.0, height: 50.0, ..Default::default() };
/// let fitted = fit_to_frame(&[Point { x: 1.0, y: 1.0 }, Point { x: 2.0, y: 1.5 }], &frame);
/// assert_eq!(fitted[0], Point { x: 0.0, y: 0.0 });
/// assert_eq!(fitted[1], Point { x: 100.0, y: 50.0 });
/// ```
pub fn fit_to_frame(positions: &[Point], frame: &LayoutSettings) -> Vec<Point> {
    let centre = Point {
        x: frame.left + frame.width / 2.0,
        y: frame.top + frame.height / 2.0,
    };
    if positions.is_empty() {
        return Vec::new();
    }
    let (min_x, max_x) = positions
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.x), hi.max(p.x))
        });
    let (min_y, max_y) = positions
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.y), hi.max(p.y))
        });
    let (spread_x, spread_y) = (max_x - min_x, max_y - min_y);
    let scale_x = if spread_x > 0.0 {
        frame.width / spread_x
    } else {
        f64::INFINITY
    };
    let scale_y = if spread_y > 0.0 {
        frame.height / spread_y
    } else {
        f64::INFINITY
    };
    let scale = scale_x.min(scale_y);
    if !scale.is_finite() {
        // All nodes at one point: put them in the middle.
        return vec![centre; positions.len()];
    }
    positions
        .iter()
        .map(|p| Point {
            // The clamp only absorbs rounding (a hair outside the frame).
            x: (centre.x + (p.x - (min_x + max_x) / 2.0) * scale)
                .clamp(frame.left, frame.left + frame.width),
            y: (centre.y + (p.y - (min_y + max_y) / 2.0) * scale)
                .clamp(frame.top, frame.top + frame.height),
        })
        .collect()
}
