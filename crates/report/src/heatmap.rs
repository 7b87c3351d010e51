//! A network's weights as a heatmap: `W` as an m x n grid, then the columns
//! `b` and `a`.

use std::fmt::Write as _;

use hyperinterp_core::{Mlp, Result};

use crate::network::unused_hidden_neurons;
use crate::style::{diverging, escape, short_number};

/// Draws `W` (row j = hidden neuron j, column i = input i), the biases `b`
/// and the output weights `a` as coloured cells on a diverging scale (blue
/// negative, white 0, red positive). Each block is scaled by its own largest
/// `|value|` (written under the figure, with `c`), because the blocks differ
/// by orders of magnitude (e.g. `W ~ 20`, `a ~ 0.05`). Rows of unused hidden
/// neurons have grey labels. Hovering a cell shows its value.
///
/// An invalid network (wrong shapes, NaN weights) is an error.
///
/// ```
/// let net = hyperinterp_l1::double_sided(2, 4, hyperinterp_l1::SHARPNESS)?;
/// let svg = hyperinterp_report::weight_heatmap(&net)?;
/// assert_eq!(svg.matches("class=\"cell\"").count(), 4 * 2 + 4 + 4);
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn weight_heatmap(mlp: &Mlp) -> Result<String> {
    mlp.validate()?;
    let (n, m) = (mlp.n, mlp.m);
    let cell = (420.0 / (n as f64 + 3.0))
        .min(560.0 / m as f64)
        .clamp(5.0, 24.0);
    let left = 44.0;
    let top = 44.0;
    let gap = (cell * 0.6).max(6.0);
    let b_column = left + n as f64 * cell + gap;
    let a_column = b_column + cell + gap;
    let bar_left = a_column + cell + 28.0;
    let bar_height = (m as f64 * cell).clamp(60.0, 200.0);
    let width = (bar_left + 60.0).max(470.0);
    let height = top + m as f64 * cell + 50.0;
    let unused = unused_hidden_neurons(mlp);
    let largest = |values: &[f32]| {
        values
            .iter()
            .fold(0f64, |top, v| top.max(f64::from(v.abs())))
    };
    let (w_max, b_max, a_max) = (largest(&mlp.w), largest(&mlp.b), largest(&mlp.a));
    let relative = |value: f32, max: f64| {
        if max > 0.0 {
            f64::from(value) / max
        } else {
            0.0
        }
    };

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="10">"#
    );
    let _ = writeln!(
        svg,
        r##"<rect x="0" y="0" width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##
    );
    // Block titles.
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="14" font-size="13" text-anchor="middle">{}</text><text x="{:.1}" y="14" font-size="13" text-anchor="middle">b</text><text x="{:.1}" y="14" font-size="13" text-anchor="middle">a</text>"#,
        left + n as f64 * cell / 2.0,
        // The long title only where it fits above the block.
        if n as f64 * cell >= 130.0 {
            "W (hidden × input)"
        } else {
            "W"
        },
        b_column + cell / 2.0,
        a_column + cell / 2.0
    );
    // Label every k-th column or row so that labels never overlap.
    let column_step = (16.0 / cell).ceil().max(1.0) as usize;
    for i in (0..n).step_by(column_step) {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">x<tspan font-size="7" dy="2">{i}</tspan></text>"#,
            left + (i as f64 + 0.5) * cell,
            top - 8.0
        );
    }
    let row_step = (11.0 / cell).ceil().max(1.0) as usize;
    for j in (0..m).step_by(row_step) {
        let colour = if unused.contains(&j) {
            "#aaaaaa"
        } else {
            "#222222"
        };
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{colour}">h<tspan font-size="7" dy="2">{j}</tspan></text>"#,
            left - 6.0,
            top + (j as f64 + 0.5) * cell + 3.0
        );
    }
    let _ = writeln!(svg);
    let _ = writeln!(
        svg,
        r##"<g class="cells" stroke="#ffffff" stroke-width="0.3">"##
    );
    let mut cell_rect = |block: &str, x: f64, j: usize, name: String, value: f32, max: f64| {
        let _ = writeln!(
            svg,
            r#"<rect class="cell" data-block="{block}" data-value="{value}" x="{x:.1}" y="{:.1}" width="{cell:.1}" height="{cell:.1}" fill="{}"><title>{} = {}</title></rect>"#,
            top + j as f64 * cell,
            diverging(relative(value, max)),
            escape(&name),
            value
        );
    };
    for j in 0..m {
        for (i, &value) in mlp.row(j).iter().enumerate() {
            let x = left + i as f64 * cell;
            cell_rect("w", x, j, format!("W[{j},{i}]"), value, w_max);
        }
        cell_rect("b", b_column, j, format!("b[{j}]"), mlp.b[j], b_max);
        cell_rect("a", a_column, j, format!("a[{j}]"), mlp.a[j], a_max);
    }
    let _ = writeln!(svg, "</g>");
    // Outline each block so white (zero) cells still show where the block is.
    for (x, columns) in [(left, n as f64), (b_column, 1.0), (a_column, 1.0)] {
        let _ = writeln!(
            svg,
            r##"<rect x="{x:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#888888" stroke-width="0.8"/>"##,
            columns * cell,
            m as f64 * cell
        );
    }
    // Colour bar: 21 steps from -1 to +1 (no gradient ids, so that many
    // heatmaps can share one page).
    let steps = 21;
    let step_height = bar_height / steps as f64;
    for s in 0..steps {
        let value = 1.0 - 2.0 * s as f64 / (steps - 1) as f64;
        let _ = write!(
            svg,
            r#"<rect x="{bar_left:.1}" y="{:.1}" width="12" height="{:.2}" fill="{}"/>"#,
            top + s as f64 * step_height,
            step_height + 0.3,
            diverging(value)
        );
    }
    let _ = writeln!(
        svg,
        r##"<rect x="{bar_left:.1}" y="{top:.1}" width="12" height="{bar_height:.1}" fill="none" stroke="#888888" stroke-width="0.8"/><text x="{:.1}" y="{:.1}">+max</text><text x="{:.1}" y="{:.1}">0</text><text x="{:.1}" y="{:.1}">−max</text>"##,
        bar_left + 16.0,
        top + 8.0,
        bar_left + 16.0,
        top + bar_height / 2.0 + 3.0,
        bar_left + 16.0,
        top + bar_height
    );
    let caption = format!(
        "each block scaled by its max |value|: W {}, b {}, a {}; output bias c = {}",
        short_number(w_max),
        short_number(b_max),
        short_number(a_max),
        short_number(f64::from(mlp.c))
    );
    let _ = writeln!(
        svg,
        r##"<text x="8" y="{:.1}" font-size="11" fill="#444444">{}</text>"##,
        height - 14.0,
        escape(&caption)
    );
    svg.push_str("</svg>\n");
    Ok(svg)
}
