//! Colours and text escaping shared by every figure and the page, so that a
//! label or a sign has one colour everywhere.

/// Colour of positive weights (red).
///
/// ```
/// assert_eq!(hyperinterp_report::style::POSITIVE, "#d62728");
/// ```
pub const POSITIVE: &str = "#d62728";

/// Colour of negative weights (blue).
///
/// ```
/// assert_eq!(hyperinterp_report::style::NEGATIVE, "#1f77b4");
/// ```
pub const NEGATIVE: &str = "#1f77b4";

/// Fill of input nodes (green squares).
///
/// ```
/// assert_eq!(hyperinterp_report::style::INPUT_NODE, "#2ca02c");
/// ```
pub const INPUT_NODE: &str = "#2ca02c";
/// Fill of hidden nodes (light grey circles).
///
/// ```
/// assert_eq!(hyperinterp_report::style::HIDDEN_NODE, "#eeeeee");
/// ```
pub const HIDDEN_NODE: &str = "#eeeeee";
/// Fill of the output node (gold diamond).
///
/// ```
/// assert_eq!(hyperinterp_report::style::OUTPUT_NODE, "#f2b701");
/// ```
pub const OUTPUT_NODE: &str = "#f2b701";

/// Colour of each algorithm label as an `(r, g, b)` triple, in
/// [`LABELS`](crate::LABELS) order; unknown labels are dark grey.
///
/// ```
/// use hyperinterp_report::style::label_rgb;
/// assert_ne!(label_rgb("double_sided"), label_rgb("convexity"));
/// assert_eq!(label_rgb("no such label"), (80, 80, 80));
/// ```
pub fn label_rgb(label: &str) -> (u8, u8, u8) {
    // Colour-blind-friendly (Okabe–Ito), and distinct from the weight colours'
    // pure red and blue only where they would be confused in one figure.
    match label {
        "double_sided" => (0, 114, 178),
        "pudding_positive" => (230, 159, 0),
        "pudding_negative" => (213, 94, 0),
        "convexity" => (0, 158, 115),
        "mixed" => (204, 121, 167),
        "trivial" => (190, 190, 190),
        _ => (80, 80, 80),
    }
}

/// [`label_rgb`] as a CSS hex colour.
///
/// ```
/// assert_eq!(hyperinterp_report::style::label_hex("double_sided"), "#0072b2");
/// ```
pub fn label_hex(label: &str) -> String {
    let (r, g, b) = label_rgb(label);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Escapes text for HTML and SVG (element content and quoted attributes).
///
/// ```
/// assert_eq!(hyperinterp_report::style::escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
/// ```
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A diverging colour for `value` in [-1, 1]: blue (-1) through white (0) to
/// red (+1); values outside are clamped, NaN is grey.
///
/// ```
/// use hyperinterp_report::style::diverging;
/// assert_eq!(diverging(0.0), "#ffffff");
/// assert_eq!(diverging(1.0), "#d62728");
/// assert_eq!(diverging(-1.0), "#1f77b4");
/// ```
pub fn diverging(value: f64) -> String {
    if value.is_nan() {
        return "#999999".to_string();
    }
    let t = value.clamp(-1.0, 1.0);
    let end: (f64, f64, f64) = if t >= 0.0 {
        (214.0, 39.0, 40.0)
    } else {
        (31.0, 119.0, 180.0)
    };
    let s = t.abs();
    let mix = |channel: f64| (255.0 + (channel - 255.0) * s).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(end.0), mix(end.1), mix(end.2))
}

/// A number written short for a table or figure (3 significant digits,
/// scientific when very small or large; `NaN` as "n/a").
///
/// ```
/// use hyperinterp_report::style::short_number;
/// assert_eq!(short_number(0.012345), "0.0123");
/// assert_eq!(short_number(12345.0), "12345");
/// assert_eq!(short_number(1.2345e7), "1.23e7");
/// assert_eq!(short_number(1e-4), "1e-4");
/// assert_eq!(short_number(f64::NAN), "n/a");
/// ```
pub fn short_number(value: f64) -> String {
    if !value.is_finite() {
        return if value.is_nan() {
            "n/a".into()
        } else {
            format!("{value}")
        };
    }
    let magnitude = value.abs();
    if magnitude == 0.0 {
        "0".into()
    } else if !(1e-3..1e6).contains(&magnitude) {
        // "1.00e4" reads as noise: drop trailing zeros of the mantissa.
        let text = format!("{value:.2e}");
        match text.split_once('e') {
            Some((mantissa, exponent)) if mantissa.contains('.') => format!(
                "{}e{exponent}",
                mantissa.trim_end_matches('0').trim_end_matches('.')
            ),
            _ => text,
        }
    } else {
        let decimals = (2 - magnitude.log10().floor() as i32).max(0) as usize;
        let text = format!("{value:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    }
}

/// Beta written for an axis or a table: `1e-3`, `3.2e-2`, `1`.
///
/// ```
/// use hyperinterp_report::style::beta_text;
/// assert_eq!(beta_text(0.001), "1e-3");
/// assert_eq!(beta_text(0.0316), "3.2e-2");
/// assert_eq!(beta_text(1.0), "1");
/// ```
pub fn beta_text(beta: f64) -> String {
    if !beta.is_finite() || beta <= 0.0 {
        return short_number(beta);
    }
    let exponent = beta.log10().floor() as i32;
    let mantissa = beta / 10f64.powi(exponent);
    let mantissa_text = format!("{mantissa:.1}");
    let mantissa_text = mantissa_text.trim_end_matches(".0");
    // Rounding 9.96 gives "10.0": carry into the exponent.
    let (mantissa_text, exponent) = if mantissa_text == "10" {
        ("1", exponent + 1)
    } else {
        (mantissa_text, exponent)
    };
    match (mantissa_text, exponent) {
        (m, 0) => m.to_string(),
        ("1", e) => format!("1e{e}"),
        (m, e) => format!("{m}e{e}"),
    }
}
