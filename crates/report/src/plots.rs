//! The report's plots, drawn with plotters' SVG backend: phase diagrams over
//! beta and over training time, the Pareto front, systematic generalisation.
//!
//! Every plot takes rows straight from a [`Report`](crate::Report), skips
//! rows with NaN or out-of-domain values, and draws an "empty" figure saying
//! so when nothing is left, so that a page always renders.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use hyperinterp_core::{CoreError, Result};

use crate::report::{
    BetaRow, Fractions, GeneralizationRow, LABELS, OrderParameters, StepRow, pareto_front_indices,
};
use crate::style::{beta_text, label_rgb, short_number};

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

const FONT: &str = "sans-serif";
/// Width of the legend column at the right of each plot.
const LEGEND_WIDTH: u32 = 180;

/// Label fractions in [`LABELS`] order, cleaned of NaN.
type Shares = [(&'static str, f64); 6];

/// Turns a plotters error into the crate's error type.
trait Drawn<T> {
    fn drawn(self) -> Result<T>;
}

impl<T, E: std::fmt::Display> Drawn<T> for std::result::Result<T, E> {
    fn drawn(self) -> Result<T> {
        self.map_err(|e| CoreError::config("figure", format!("could not be drawn: {e}")))
    }
}

/// Draws on a white SVG canvas of the given size and returns the SVG text.
fn svg_figure(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area<'_>) -> Result<()>,
) -> Result<String> {
    let mut buffer = String::new();
    {
        let root = SVGBackend::with_string(&mut buffer, (width, height)).into_drawing_area();
        root.fill(&WHITE).drawn()?;
        draw(&root)?;
        root.present().drawn()?;
    }
    Ok(buffer)
}

/// A figure that says there is nothing to plot (and why).
fn empty_figure(title: &str, message: &str) -> Result<String> {
    svg_figure(640, 160, |root| {
        root.draw(&Text::new(title.to_string(), (20, 20), (FONT, 20)))
            .drawn()?;
        root.draw(&Text::new(
            message.to_string(),
            (20, 70),
            (FONT, 16).into_font().color(&RGBColor(110, 110, 110)),
        ))
        .drawn()
    })
}

fn label_colour(label: &str) -> RGBColor {
    let (r, g, b) = label_rgb(label);
    RGBColor(r, g, b)
}

/// Fractions with NaN and negative values read as 0.
fn clean(fractions: &Fractions) -> Shares {
    fractions.entries().map(|(label, value)| {
        (
            label,
            if value.is_finite() {
                value.max(0.0)
            } else {
                0.0
            },
        )
    })
}

/// `[min, max]` widened so that it is never empty and points do not sit on the frame.
fn padded_range(values: impl IntoIterator<Item = f64>, padding: f64) -> (f64, f64) {
    let (low, high) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    let span = high - low;
    if span <= 1e-12 * low.abs().max(1.0) {
        let half = (low.abs() * 0.1).max(0.5);
        return (low - half, high + half);
    }
    (low - span * padding, high + span * padding)
}

/// Width of a bar among bars centred at `positions` (sorted): 80% of the
/// smallest gap, or `fallback` for a single bar.
fn bar_width(positions: &[f64], fallback: f64) -> f64 {
    let smallest_gap = positions
        .windows(2)
        .map(|pair| pair[1] - pair[0])
        .filter(|gap| *gap > 0.0)
        .fold(f64::INFINITY, f64::min);
    if smallest_gap.is_finite() {
        smallest_gap * 0.8
    } else {
        fallback
    }
}

/// Tick text on an axis holding `log10(value)`: only whole powers of ten
/// when the axis spans two decades or more (the ticks in between would read
/// 3.16e-3), every tick otherwise.
fn log_tick(log_value: f64, span: f64) -> String {
    let whole = (log_value - log_value.round()).abs() < 1e-6;
    if span >= 2.0 && !whole {
        String::new()
    } else {
        short_number(10f64.powf(log_value))
    }
}

/// Averages fractions of rows that share a position (e.g. several seeds at one beta).
fn group_fractions(mut points: Vec<(f64, Fractions)>) -> Vec<(f64, Shares)> {
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut grouped: Vec<(f64, Shares, usize)> = Vec::new();
    for (position, fractions) in points {
        let values = clean(&fractions);
        match grouped.last_mut() {
            Some((last, sums, count)) if *last == position => {
                for (sum, (_, value)) in sums.iter_mut().zip(values) {
                    sum.1 += value;
                }
                *count += 1;
            }
            _ => grouped.push((position, values, 1)),
        }
    }
    grouped
        .into_iter()
        .map(|(position, sums, count)| (position, sums.map(|(l, v)| (l, v / count as f64))))
        .collect()
}

/// One legend entry: a marker and its text.
enum Key {
    /// A filled square in a colour.
    Swatch(RGBColor),
    /// A marker circle, filled or hollow.
    Dot(RGBColor, bool),
    /// A line in a colour.
    Line(RGBColor),
    /// Text only (a heading).
    Heading,
}

/// Draws a legend as a column of entries in its own area (never over data).
fn draw_legend(area: &Area<'_>, entries: &[(Key, String)]) -> Result<()> {
    let mut y = 30;
    for (key, text) in entries {
        let x = 8;
        match key {
            Key::Swatch(colour) => area
                .draw(&Rectangle::new(
                    [(x, y - 6), (x + 14, y + 6)],
                    colour.filled(),
                ))
                .drawn()?,
            Key::Dot(colour, filled) => area
                .draw(&Circle::new(
                    (x + 7, y),
                    5,
                    if *filled {
                        colour.filled()
                    } else {
                        colour.stroke_width(2)
                    },
                ))
                .drawn()?,
            Key::Line(colour) => area
                .draw(&PathElement::new(
                    vec![(x, y), (x + 14, y)],
                    colour.stroke_width(2),
                ))
                .drawn()?,
            Key::Heading => {}
        }
        let (text_x, style) = match key {
            Key::Heading => (
                x,
                TextStyle::from((FONT, 16).into_font().style(FontStyle::Bold)),
            ),
            _ => (x + 22, TextStyle::from((FONT, 16).into_font())),
        };
        area.draw(&Text::new(
            text.clone(),
            (text_x, y),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .drawn()?;
        y += 22;
    }
    Ok(())
}

fn label_legend() -> Vec<(Key, String)> {
    let mut entries = vec![(Key::Heading, "algorithm".to_string())];
    entries.extend(
        LABELS
            .iter()
            .map(|label| (Key::Swatch(label_colour(label)), label.replace('_', " "))),
    );
    entries
}

/// An order parameter drawn over the bars (it shares their 0–1 axis).
struct Overlay {
    colour: RGBColor,
    points: Vec<(f64, f64)>,
}

/// The order parameters overlaid on the phases over training time: D and P.
const DOUBLE_SIDEDNESS_COLOUR: RGBColor = BLACK;
const PUDDING_SLOPE_COLOUR: RGBColor = RGBColor(130, 60, 0);

/// Stacked bars of label fractions at `positions` on `area`, with `overlays`
/// drawn over them.
fn stacked_bars(
    area: &Area<'_>,
    caption: Option<&str>,
    columns: &[(f64, Shares)],
    x_description: &str,
    x_label: &dyn Fn(&f64) -> String,
    fallback_width: f64,
    overlays: &[Overlay],
) -> Result<()> {
    let positions: Vec<f64> = columns.iter().map(|(x, _)| *x).collect();
    let width = bar_width(&positions, fallback_width);
    let (x_low, x_high) = (
        positions.first().copied().unwrap_or(0.0) - width,
        positions.last().copied().unwrap_or(1.0) + width,
    );
    let y_high = columns
        .iter()
        .map(|(_, values)| values.iter().map(|(_, v)| v).sum::<f64>())
        .fold(1.0, f64::max);
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(10)
        .x_label_area_size(42)
        .y_label_area_size(52);
    if let Some(caption) = caption {
        builder.caption(caption, (FONT, 20));
    }
    let mut chart = builder
        .build_cartesian_2d(x_low..x_high, 0.0..y_high)
        .drawn()?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(x_label)
        .x_desc(x_description)
        .y_desc("fraction of networks")
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .draw()
        .drawn()?;
    let rectangles = columns.iter().flat_map(|(x, values)| {
        let mut bottom = 0.0;
        values
            .iter()
            .filter(|(_, value)| *value > 0.0)
            .map(|(label, value)| {
                let rectangle = Rectangle::new(
                    [(x - width / 2.0, bottom), (x + width / 2.0, bottom + value)],
                    label_colour(label).filled(),
                );
                bottom += value;
                rectangle
            })
            .collect::<Vec<_>>()
    });
    chart.draw_series(rectangles).drawn()?;
    for overlay in overlays.iter().filter(|o| !o.points.is_empty()) {
        let style = overlay.colour.stroke_width(2);
        chart
            .draw_series(LineSeries::new(overlay.points.iter().copied(), style))
            .drawn()?;
        chart
            .draw_series(
                overlay
                    .points
                    .iter()
                    .map(|&point| Circle::new(point, 3, overlay.colour.filled())),
            )
            .drawn()?;
    }
    Ok(())
}

/// Phase diagram over beta: stacked bars of the label fractions at each beta,
/// beta on a log axis. Rows at the same beta (several seeds) are averaged;
/// rows with a non-positive or NaN beta are skipped.
///
/// ```
/// use hyperinterp_report::{phase_diagram_by_beta, BetaRow, Fractions};
/// let rows: Vec<BetaRow> = [1e-3, 1e-2, 1e-1].iter().map(|&beta| BetaRow {
///     beta, fractions: Fractions { double_sided: 1.0, ..Default::default() }, ..Default::default()
/// }).collect();
/// let svg = phase_diagram_by_beta(&rows)?;
/// assert!(svg.contains("<svg") && svg.contains("double sided"));
/// assert!(phase_diagram_by_beta(&[])?.contains("no data"));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn phase_diagram_by_beta(rows: &[BetaRow]) -> Result<String> {
    let title = "Phase diagram over beta";
    let points: Vec<(f64, Fractions)> = rows
        .iter()
        .filter(|row| row.beta.is_finite() && row.beta > 0.0)
        .map(|row| (row.beta.log10(), row.fractions.clone()))
        .collect();
    if points.is_empty() {
        return empty_figure(title, "no data: no row with a positive beta");
    }
    let columns = group_fractions(points);
    let span =
        columns.last().map(|c| c.0).unwrap_or(0.0) - columns.first().map(|c| c.0).unwrap_or(0.0);
    svg_figure(860, 400, |root| {
        let (plot, legend) = root.split_horizontally(860 - LEGEND_WIDTH);
        stacked_bars(
            &plot,
            Some(title),
            &columns,
            "beta (log scale)",
            &|x| {
                if (x - x.round()).abs() < 1e-6 || span < 2.0 {
                    beta_text(10f64.powf(*x))
                } else {
                    String::new()
                }
            },
            0.5,
            &[],
        )?;
        draw_legend(&legend, &label_legend())
    })
}

/// The Pareto front: NMSE against KL (nats) for each beta, one point per
/// row, coloured by the row's majority label and tagged with its beta; the
/// rows no other row beats in both (see
/// [`pareto_front_indices`]) are joined by a
/// line. NMSE is on a log axis when every value is positive, KL when every
/// value is positive and they span more than a factor 10. Rows with
/// `nmse_mean_weights` add hollow points for the mean-weight networks. Rows
/// with NaN NMSE or KL are skipped.
///
/// ```
/// use hyperinterp_report::{pareto_front, BetaRow};
/// let rows = vec![
///     BetaRow { beta: 1e-3, nmse: 0.001, kl: 400.0, ..Default::default() },
///     BetaRow { beta: 1e-1, nmse: 0.3, kl: 20.0, ..Default::default() },
/// ];
/// let svg = pareto_front(&rows)?;
/// assert!(svg.contains("1e-3") && svg.contains("KL"));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn pareto_front(rows: &[BetaRow]) -> Result<String> {
    let title = "Pareto front: error vs complexity";
    let finite: Vec<&BetaRow> = rows
        .iter()
        .filter(|row| row.nmse.is_finite() && row.kl.is_finite())
        .collect();
    if finite.is_empty() {
        return empty_figure(title, "no data: no row with finite NMSE and KL");
    }
    let mean_points: Vec<(f64, f64)> = finite
        .iter()
        .filter_map(|row| row.nmse_mean_weights.map(|nmse| (row.kl, nmse)))
        .filter(|(_, nmse)| nmse.is_finite())
        .collect();
    let all_nmse = finite
        .iter()
        .map(|row| row.nmse)
        .chain(mean_points.iter().map(|p| p.1));
    let log_nmse = all_nmse.clone().all(|v| v > 0.0);
    let (kl_low, kl_high) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), row| {
            (lo.min(row.kl), hi.max(row.kl))
        });
    let log_kl = kl_low > 0.0 && kl_high / kl_low > 10.0;
    let to_x = move |kl: f64| if log_kl { kl.log10() } else { kl };
    let to_y = move |nmse: f64| if log_nmse { nmse.log10() } else { nmse };
    let (x_low, x_high) = padded_range(finite.iter().map(|row| to_x(row.kl)), 0.08);
    let (y_low, y_high) = padded_range(all_nmse.map(to_y), 0.1);
    let front: Vec<(f64, f64)> = pareto_front_indices(rows)
        .into_iter()
        .map(|i| (to_x(rows[i].kl), to_y(rows[i].nmse)))
        .collect();
    let majority_labels: Vec<&'static str> = LABELS
        .iter()
        .copied()
        .filter(|label| {
            finite
                .iter()
                .any(|row| row.fractions.majority() == Some(*label))
        })
        .collect();
    let unlabelled = finite.iter().any(|row| row.fractions.majority().is_none());
    // Tag every point with its beta only while the tags can stay apart.
    let tag_every = finite.len().div_ceil(14).max(1);

    svg_figure(860, 440, |root| {
        let (plot, legend) = root.split_horizontally(860 - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(60)
            .build_cartesian_2d(x_low..x_high, y_low..y_high)
            .drawn()?;
        let x_format = move |x: &f64| {
            if log_kl {
                log_tick(*x, x_high - x_low)
            } else {
                short_number(*x)
            }
        };
        let y_format = move |y: &f64| {
            if log_nmse {
                log_tick(*y, y_high - y_low)
            } else {
                short_number(*y)
            }
        };
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&x_format)
            .y_label_formatter(&y_format)
            .x_desc(if log_kl {
                "KL, nats (log scale)"
            } else {
                "KL, nats"
            })
            .y_desc(if log_nmse { "NMSE (log scale)" } else { "NMSE" })
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .drawn()?;
        chart
            .draw_series(LineSeries::new(front, BLACK.stroke_width(1)))
            .drawn()?;
        if !mean_points.is_empty() {
            chart
                .draw_series(mean_points.iter().map(|&(kl, nmse)| {
                    Circle::new(
                        (to_x(kl), to_y(nmse)),
                        5,
                        RGBColor(90, 90, 90).stroke_width(2),
                    )
                }))
                .drawn()?;
        }
        chart
            .draw_series(finite.iter().map(|row| {
                let colour = row
                    .fractions
                    .majority()
                    .map(label_colour)
                    .unwrap_or(RGBColor(80, 80, 80));
                Circle::new((to_x(row.kl), to_y(row.nmse)), 6, colour.filled())
            }))
            .drawn()?;
        let mut by_x: Vec<&&BetaRow> = finite.iter().collect();
        by_x.sort_by(|a, b| a.kl.total_cmp(&b.kl));
        chart
            .draw_series(
                by_x.iter()
                    .enumerate()
                    .filter(|(k, _)| k % tag_every == 0)
                    .map(|(_, row)| {
                        Text::new(
                            format!("β={}", beta_text(row.beta)),
                            (to_x(row.kl), to_y(row.nmse)),
                            (FONT, 12)
                                .into_font()
                                .color(&RGBColor(60, 60, 60))
                                .pos(Pos::new(HPos::Left, VPos::Bottom)),
                        )
                    }),
            )
            .drawn()?;
        let mut entries = vec![(Key::Heading, "majority label".to_string())];
        entries.extend(
            majority_labels
                .iter()
                .map(|label| (Key::Dot(label_colour(label), true), label.replace('_', " "))),
        );
        if unlabelled {
            entries.push((Key::Dot(RGBColor(80, 80, 80), true), "no label".into()));
        }
        if !mean_points.is_empty() {
            entries.push((Key::Dot(RGBColor(90, 90, 90), false), "mean weights".into()));
        }
        entries.push((Key::Line(BLACK), "Pareto front".into()));
        draw_legend(&legend, &entries)
    })
}

/// Phase diagram over training time: one panel per beta (two per row), each
/// with stacked bars of the label fractions at each checkpoint, and lines of
/// the mean double-sidedness D and pudding slope P where the rows have them
/// (they move before the labels do). Rows with a NaN beta are skipped.
///
/// ```
/// use hyperinterp_report::{phase_diagram_by_step, Fractions, OrderParameters, StepRow};
/// let rows: Vec<StepRow> = (0..4).map(|k| StepRow {
///     step: 100 * k, beta: 1e-2,
///     fractions: Fractions { mixed: 1.0 - k as f64 / 4.0, double_sided: k as f64 / 4.0, ..Default::default() },
///     order_parameters: Some(OrderParameters { double_sidedness: k as f64 / 3.0, ..Default::default() }),
///     ..Default::default()
/// }).collect();
/// let svg = phase_diagram_by_step(&rows)?;
/// assert!(svg.contains("β = 1e-2") && svg.contains("double-sidedness D"));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn phase_diagram_by_step(rows: &[StepRow]) -> Result<String> {
    let title = "Phases over training time";
    let mut betas: Vec<f64> = rows
        .iter()
        .map(|row| row.beta)
        .filter(|beta| !beta.is_nan())
        .collect();
    betas.sort_by(f64::total_cmp);
    betas.dedup();
    if betas.is_empty() {
        return empty_figure(title, "no data: no checkpoint rows");
    }
    let columns_per_row = betas.len().min(2);
    let panel_rows = betas.len().div_ceil(columns_per_row);
    let panel_width = 340u32;
    let panel_height = 250u32;
    let width = panel_width * columns_per_row as u32 + LEGEND_WIDTH;
    let height = 36 + panel_height * panel_rows as u32;
    svg_figure(width, height, |root| {
        let titled = root.titled(title, (FONT, 20)).drawn()?;
        let (plots, legend) = titled.split_horizontally(width - LEGEND_WIDTH);
        let panels = plots.split_evenly((panel_rows, columns_per_row));
        for (panel, beta) in panels.iter().zip(&betas) {
            let points: Vec<(f64, Fractions)> = rows
                .iter()
                .filter(|row| row.beta == *beta || (row.beta.is_nan() && beta.is_nan()))
                .map(|row| (row.step as f64, row.fractions.clone()))
                .collect();
            let columns = group_fractions(points);
            let fallback = columns
                .first()
                .map(|(x, _)| (x.abs() * 0.2).max(1.0))
                .unwrap_or(1.0);
            let line = |colour: RGBColor, pick: fn(&OrderParameters) -> f64| {
                let mut points: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|row| row.beta == *beta)
                    .filter_map(|row| {
                        let value = pick(row.order_parameters.as_ref()?);
                        value.is_finite().then_some((row.step as f64, value))
                    })
                    .collect();
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                Overlay { colour, points }
            };
            stacked_bars(
                panel,
                Some(&format!("β = {}", beta_text(*beta))),
                &columns,
                "training step",
                &|x| short_number(x.round()),
                fallback,
                &[
                    line(DOUBLE_SIDEDNESS_COLOUR, |o| o.double_sidedness),
                    line(PUDDING_SLOPE_COLOUR, |o| o.pudding_slope),
                ],
            )?;
        }
        let mut entries = label_legend();
        if rows.iter().any(|row| row.order_parameters.is_some()) {
            entries.push((Key::Heading, "lines (0–1)".into()));
            entries.push((
                Key::Line(DOUBLE_SIDEDNESS_COLOUR),
                "double-sidedness D".into(),
            ));
            entries.push((Key::Line(PUDDING_SLOPE_COLOUR), "pudding slope P".into()));
        }
        draw_legend(&legend, &entries)
    })
}

/// Systematic generalisation: NMSE against input size `n`, one line per
/// (beta, m); each point is coloured by its majority label, filled where the
/// hypernetwork was trained at that size and hollow where it never saw it.
/// NMSE is on a log axis when every value is positive. Rows with NaN NMSE
/// are skipped.
///
/// ```
/// use hyperinterp_report::{generalization_plot, GeneralizationRow};
/// let rows: Vec<GeneralizationRow> = [4, 8, 12, 16].iter().map(|&n| GeneralizationRow {
///     n, m: 3 * n, trained: n % 8 == 0, beta: 1e-2, nmse: 0.01 * n as f64, ..Default::default()
/// }).collect();
/// let svg = generalization_plot(&rows)?;
/// assert!(svg.contains("never trained"));
/// # Ok::<(), hyperinterp_core::CoreError>(())
/// ```
pub fn generalization_plot(rows: &[GeneralizationRow]) -> Result<String> {
    let title = "Systematic generalisation: input sizes never trained on";
    let finite: Vec<&GeneralizationRow> = rows.iter().filter(|row| row.nmse.is_finite()).collect();
    if finite.is_empty() {
        return empty_figure(title, "no data: no row with a finite NMSE");
    }
    let log_nmse = finite.iter().all(|row| row.nmse > 0.0);
    let to_y = move |nmse: f64| if log_nmse { nmse.log10() } else { nmse };
    let (x_low, x_high) = padded_range(finite.iter().map(|row| row.n as f64), 0.06);
    let (y_low, y_high) = padded_range(finite.iter().map(|row| to_y(row.nmse)), 0.1);
    // A series is one (beta, m) pair; m = 0 stands for "m varies with n"
    // when every n has its own m, so that the line still connects.
    let widths_follow_n = {
        let mut pairs: Vec<(usize, usize)> = finite.iter().map(|row| (row.n, row.m)).collect();
        pairs.sort();
        pairs.dedup();
        pairs.windows(2).all(|pair| pair[0].0 != pair[1].0)
    };
    let series_key = |row: &GeneralizationRow| (row.beta, if widths_follow_n { 0 } else { row.m });
    let mut keys: Vec<(f64, usize)> = finite.iter().map(|row| series_key(row)).collect();
    keys.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keys.dedup();
    let series_colour = |index: usize| {
        // Shades from dark to light grey-blue: lines stay behind the label colours.
        let t = if keys.len() > 1 {
            index as f64 / (keys.len() - 1) as f64
        } else {
            0.0
        };
        let shade = |dark: f64, light: f64| (dark + (light - dark) * t * 0.75).round() as u8;
        RGBColor(shade(40.0, 170.0), shade(50.0, 180.0), shade(70.0, 200.0))
    };
    let majority_labels: Vec<&'static str> = LABELS
        .iter()
        .copied()
        .filter(|label| {
            finite
                .iter()
                .any(|row| row.fractions.majority() == Some(*label))
        })
        .collect();
    let mut trained_sizes: Vec<usize> = finite
        .iter()
        .filter(|row| row.trained)
        .map(|row| row.n)
        .collect();
    trained_sizes.sort();
    trained_sizes.dedup();

    svg_figure(860, 440, |root| {
        let (plot, legend) = root.split_horizontally(860 - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(42)
            .y_label_area_size(60)
            .build_cartesian_2d(x_low..x_high, y_low..y_high)
            .drawn()?;
        let y_format = move |y: &f64| {
            if log_nmse {
                log_tick(*y, y_high - y_low)
            } else {
                short_number(*y)
            }
        };
        let x_format = |x: &f64| {
            if (x - x.round()).abs() < 1e-6 {
                format!("{}", x.round())
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_labels(((x_high - x_low).ceil() as usize + 1).min(20))
            .y_labels(8)
            .x_label_formatter(&x_format)
            .y_label_formatter(&y_format)
            .x_desc("input size n")
            .y_desc(if log_nmse { "NMSE (log scale)" } else { "NMSE" })
            .label_style((FONT, 15))
            .axis_desc_style((FONT, 16))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .drawn()?;
        // Light bands behind the sizes the hypernetwork was trained at.
        chart
            .draw_series(trained_sizes.iter().map(|&n| {
                Rectangle::new(
                    [(n as f64 - 0.3, y_low), (n as f64 + 0.3, y_high)],
                    RGBColor(225, 235, 245).filled(),
                )
            }))
            .drawn()?;
        for (index, key) in keys.iter().enumerate() {
            let mut points: Vec<(f64, f64)> = finite
                .iter()
                .filter(|row| series_key(row) == *key)
                .map(|row| (row.n as f64, to_y(row.nmse)))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(LineSeries::new(
                    points,
                    series_colour(index).stroke_width(2),
                ))
                .drawn()?;
        }
        chart
            .draw_series(finite.iter().map(|row| {
                let colour = row
                    .fractions
                    .majority()
                    .map(label_colour)
                    .unwrap_or(RGBColor(80, 80, 80));
                let style = if row.trained {
                    colour.filled()
                } else {
                    colour.stroke_width(3)
                };
                Circle::new((row.n as f64, to_y(row.nmse)), 6, style)
            }))
            .drawn()?;
        let mut entries = vec![(Key::Heading, "majority label".to_string())];
        entries.extend(
            majority_labels
                .iter()
                .map(|label| (Key::Dot(label_colour(label), true), label.replace('_', " "))),
        );
        entries.push((Key::Dot(RGBColor(80, 80, 80), true), "trained n".into()));
        entries.push((
            Key::Dot(RGBColor(80, 80, 80), false),
            "never trained".into(),
        ));
        entries.push((Key::Heading, "series".to_string()));
        for (index, (beta, m)) in keys.iter().enumerate().take(8) {
            let text = if *m == 0 {
                format!("β = {}", beta_text(*beta))
            } else {
                format!("β = {}, m = {m}", beta_text(*beta))
            };
            entries.push((Key::Line(series_colour(index)), text));
        }
        if keys.len() > 8 {
            entries.push((Key::Heading, format!("(+{} more)", keys.len() - 8)));
        }
        draw_legend(&legend, &entries)
    })
}
